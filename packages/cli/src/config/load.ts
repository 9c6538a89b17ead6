import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeIssues, MyAgentConfig, type ValidationIssue } from '@myagent/models';
import * as v from 'valibot';
import { ConfigError, usageError } from '../errors.js';

/** The names `apply` and `daemon --config` look for in the current folder when no file is given. */
export const CONFIG_NAMES = [
  'myagent.config.ts',
  'myagent.config.mts',
  'myagent.config.js',
  'myagent.config.mjs',
  'myagent.config.cjs',
  'myagent.config.json',
  'myagent.config.yaml',
  'myagent.config.yml',
] as const;

/** A config file is read whole: anything larger is a mistake (a log, a database), not a config. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

const MODULE = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/** A config file, read and checked: every service's path is absolute (resolved against the file's folder). */
export interface LoadedConfig {
  /** The file's absolute path. */
  file: string;
  config: MyAgentConfig;
}

/** The config file a command names (against the current folder), or the first of {@link CONFIG_NAMES}. */
export function findConfig(cwd: string, file?: string): string {
  if (file !== undefined) return resolve(cwd, file);
  const found = CONFIG_NAMES.map((name) => join(cwd, name)).find((path) => existsSync(path));
  if (!found) {
    throw usageError(`no config file: none of ${CONFIG_NAMES.join(', ')} in ${cwd} (name one with -f FILE)`);
  }
  return found;
}

/**
 * Reads, parses and validates a config file. Every problem is collected (a parse error, each invalid field,
 * each missing agent module) and thrown together as one {@link ConfigError}, so a bad file changes nothing.
 * `label` is how the problems name the file.
 */
export async function loadConfig(file: string, label = file): Promise<LoadedConfig> {
  const raw = await readConfig(file, label);
  const result = v.safeParse(MyAgentConfig, raw);
  if (!result.success) throw new ConfigError(label, describeIssues(result.issues));
  const dir = dirname(file);
  const problems: ValidationIssue[] = [];
  const services = result.output.services.map((service, index) => {
    const path = resolve(dir, service.path);
    const problem = agentProblem(path);
    if (problem) problems.push({ path: `services.${index}.path`, message: `${problem}: ${service.path}` });
    return { ...service, path };
  });
  if (problems.length > 0) throw new ConfigError(label, problems);
  return { file, config: { ...result.output, services } };
}

/** Why the agent module at `path` cannot be a service's, or undefined. */
function agentProblem(path: string): string | undefined {
  try {
    return statSync(path).isFile() ? undefined : 'not a file';
  } catch {
    // The manager would refuse it too (it dry-loads the module): saying so here keeps the file all or nothing.
    return 'no such file';
  }
}

/** The file's contents as a value: JSON, YAML, or what a module exports by default. */
async function readConfig(file: string, label: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  if (MODULE.has(ext)) return importConfig(file, ext, label);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw usageError(`no config file at ${file}`);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new ConfigError(label, [{ path: '', message: `the file is over ${MAX_CONFIG_BYTES} bytes` }]);
  }
  const text = readFileSync(file, 'utf8');
  if (ext === '.yaml' || ext === '.yml') return parseYaml(label, text);
  if (ext === '.json') return parseJson(label, text);
  throw usageError(
    `cannot read a config file of type '${ext || 'none'}': use .json, .yaml, .yml, .ts, .mts, .js or .mjs`,
  );
}

function parseJson(label: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Node words it "... at position N": a line and column are what an editor jumps to.
    const message = (error as Error).message;
    const at = /position (\d+)/u.exec(message);
    throw new ConfigError(label, [
      { path: '', message: `not valid JSON${at ? ` (${lineColumn(text, Number(at[1]))})` : ''}: ${message}` },
    ]);
  }
}

async function parseYaml(label: string, text: string): Promise<unknown> {
  // Loaded only for YAML files, so that every other command starts without it.
  const { parseDocument } = await import('yaml');
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      label,
      document.errors.map((error) => ({
        path: '',
        message: `not valid YAML (${lineColumn(text, error.pos[0])}): ${error.message.split('\n')[0]}`,
      })),
    );
  }
  try {
    // A bounded alias expansion: a "billion laughs" file is refused, not expanded.
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(label, [{ path: '', message: `not usable YAML: ${(error as Error).message}` }]);
  }
}

async function importConfig(file: string, ext: string, label: string): Promise<unknown> {
  if (!existsSync(file)) throw usageError(`no config file at ${file}`);
  const url = pathToFileURL(file).href;
  let module: { default?: unknown };
  try {
    if (TYPESCRIPT.has(ext)) {
      // tsx (already what runs TypeScript agents) compiles this one import and whatever it imports, without
      // registering a loader for the rest of the process; on Node 20 there is no built-in way to run .ts.
      const { tsImport } = await import('tsx/esm/api');
      module = await tsImport(url, import.meta.url);
    } else {
      module = await import(url);
    }
  } catch (error) {
    const message = ((error as Error)?.message ?? String(error)).split('\n')[0] ?? '';
    const hint = message.includes("'@myagent/models'")
      ? ' (defineConfig needs @myagent/models beside the file: npm install -D @myagent/models; or export a plain object)'
      : '';
    throw new ConfigError(label, [{ path: '', message: `the module did not load: ${message}${hint}` }]);
  }
  let value = await module.default;
  // A module compiled to CommonJS (a .ts file outside any "type": "module" package) arrives wrapped once
  // more; a config itself never has a `default` field.
  if (typeof value === 'object' && value !== null && 'default' in value) {
    value = await (value as { default: unknown }).default;
  }
  if (value === undefined) {
    throw new ConfigError(label, [
      { path: '', message: 'the module has no default export (export default defineConfig({...}))' },
    ]);
  }
  return value;
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** A path as short as it reads well: relative to `cwd` when it is below it. */
export function shortPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
