import { existsSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Agent, AgentModule } from '@myagent/models';

// Loads agent modules by path, in the main thread and in pool workers alike: `.ts` through tsx's tsImport
// (so no loader flag is needed), `.js` / `.mjs` through a plain import. Only type imports from models here:
// pool workers load this file without the source condition, so it must not need a built @myagent/models.

/** A failure to load an agent module; `code` is a code of the models catalogue. */
export class AgentLoadError extends Error {
  override readonly name = 'AgentLoadError';
  constructor(
    readonly code: 'INVALID_REQUEST' | 'AGENT_ERROR',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An agent module resolved to a name and a factory of agents (a fresh one per session where it can). */
export interface LoadedAgent {
  readonly name: string;
  readonly description?: string;
  /** The agent's bound on steps per run, when it declares one (`Agent.maxSteps`). */
  readonly maxSteps?: number;
  /** The absolute path the module was loaded from, when it came from a file. */
  readonly path?: string;
  /** Which export holds the agent. */
  readonly export: AgentExport;
  /** Returns the agent for a new session: a fresh instance for a factory, the shared one otherwise. */
  create(): Promise<Agent>;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

function isAgent(value: unknown): value is Agent {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Agent).name === 'string' &&
    typeof (value as Agent).run === 'function'
  );
}

async function callFactory(factory: () => unknown, where: string): Promise<Agent> {
  const made = await factory();
  if (!isAgent(made)) {
    throw new AgentLoadError(
      'AGENT_ERROR',
      `${where} did not return an agent (an object with a name and run())`,
    );
  }
  return made;
}

/** Which export of a module holds its agent. */
export type AgentExport = 'createAgent' | 'default' | 'agent';

/**
 * Finds the agent among a module's exports: `createAgent()`, `default` (an agent or a factory), `agent`.
 * A CommonJS module (`module.exports = { agent }`, or one whose exports node's lexer cannot list) arrives
 * as `{ default: module.exports }`: when its top level holds no agent, `module.exports` is searched too.
 */
function findAgent(
  exports: Record<string, unknown>,
): { from: AgentExport; shared?: Agent; make?: () => unknown } | undefined {
  if (typeof exports.createAgent === 'function') {
    return { from: 'createAgent', make: exports.createAgent as () => unknown };
  }
  if (isAgent(exports.default)) return { from: 'default', shared: exports.default };
  if (typeof exports.default === 'function')
    return { from: 'default', make: exports.default as () => unknown };
  if (isAgent(exports.agent)) return { from: 'agent', shared: exports.agent };
  const inner = exports.default;
  if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
    const found = findAgent({ ...(inner as Record<string, unknown>), default: undefined });
    if (found) return found;
  }
  return undefined;
}

/**
 * Resolves what an agent module exports: `default` (an agent or a factory), `agent`, or `createAgent()`.
 * Factories are called once here to learn the agent's name (and to check that they make an agent).
 */
export async function resolveAgentModule(mod: AgentModule, path?: string): Promise<LoadedAgent> {
  const found = findAgent(mod as Record<string, unknown>);
  if (!found) {
    throw new AgentLoadError(
      'AGENT_ERROR',
      `${path ?? 'The module'} exports no agent: export default an agent, export const agent, or export function createAgent() (module.exports = { agent } in CommonJS)`,
    );
  }
  const shared = found.shared;
  const make = found.make;
  const where = found.from === 'createAgent' ? 'createAgent()' : 'The default export';
  const factory = make ? () => callFactory(make, where) : undefined;
  const first = shared ?? (await (factory as () => Promise<Agent>)());
  let spare: Agent | undefined = factory ? first : undefined;
  return {
    name: first.name,
    description: first.description,
    ...(typeof first.maxSteps === 'number' && Number.isInteger(first.maxSteps) && first.maxSteps >= 0
      ? { maxSteps: first.maxSteps }
      : {}),
    path,
    export: found.from,
    create: async () => {
      if (shared) return shared;
      // The instance made to learn the name serves the first session instead of being thrown away.
      if (spare) {
        const agent = spare;
        spare = undefined;
        return agent;
      }
      return (factory as () => Promise<Agent>)();
    },
  };
}

/** Imports a module file: `.ts` through tsx's tsImport, JavaScript through a plain import. */
export async function importModuleFile(path: string): Promise<unknown> {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new AgentLoadError('INVALID_REQUEST', `Agent file not found: ${absolute}`);
  }
  const ext = extname(absolute);
  if (!TS_EXTENSIONS.has(ext) && !JS_EXTENSIONS.has(ext)) {
    throw new AgentLoadError('INVALID_REQUEST', `Unsupported agent file type '${ext}': use .ts, .js or .mjs`);
  }
  const url = pathToFileURL(absolute).href;
  try {
    if (TS_EXTENSIONS.has(ext)) {
      const { tsImport } = await import('tsx/esm/api');
      return unwrapCommonJs(await tsImport(url, import.meta.url));
    }
    return unwrapCommonJs(await import(url));
  } catch (error) {
    const located = transformError(error);
    if (located) {
      throw new AgentLoadError('AGENT_ERROR', `Syntax error in agent file ${located}`, { cause: error });
    }
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const kind = error instanceof SyntaxError ? 'Syntax error in' : 'Failed to load';
    throw new AgentLoadError('AGENT_ERROR', `${kind} agent file ${absolute}: ${message}`, { cause: error });
  }
}

/**
 * `file:line:column: reason` of a TypeScript syntax error: tsx's esbuild reports it as "Transform failed with
 * N error(s):" and one `file:line:column: ERROR: reason` line per error, of which the first is kept.
 */
function transformError(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  if (!message.startsWith('Transform failed')) return undefined;
  for (const line of message.split('\n')) {
    const match = /^(.+:\d+:\d+): ERROR: (.+)$/u.exec(line.trim());
    if (match) return `${match[1]}: ${match[2]}`;
  }
  return undefined;
}

/**
 * A CommonJS module compiled from ES module syntax (as tsx runs a .ts file of a `"type": "commonjs"`
 * project) imports as `{ default: module.exports }`, its own `default` export one level down.
 */
function unwrapCommonJs(mod: unknown): unknown {
  const exports = (mod as { default?: { __esModule?: unknown } | null }).default;
  return typeof exports === 'object' && exports !== null && exports.__esModule === true ? exports : mod;
}

/** Loads an agent module from a file and resolves its agent (throws AgentLoadError). */
export async function loadAgentFile(path: string): Promise<LoadedAgent> {
  const mod = (await importModuleFile(path)) as AgentModule;
  return resolveAgentModule(mod, resolve(path));
}
