import type { AgentModule } from '@myagent/models';
import { AppError } from '@myagent/models';
import { AgentLoadError, type LoadedAgent, loadAgentFile, resolveAgentModule } from './agent-module.js';

function toAppError(error: unknown): never {
  if (error instanceof AgentLoadError) throw new AppError(error.code, error.message, { cause: error.cause });
  throw AppError.from(error, 'AGENT_ERROR');
}

/**
 * Loads an agent module from a `.ts`, `.js` or `.mjs` file and resolves its agent: a default export, an
 * `agent` export or a `createAgent()` factory. Fails with a coded AppError and a one-line message.
 * @example const loaded = await loadAgentModule('examples/echo-agent.ts'); const agent = await loaded.create();
 */
export async function loadAgentModule(path: string): Promise<LoadedAgent> {
  return loadAgentFile(path).catch(toAppError);
}

/** Resolves an already imported agent module (in-process use, without a file). */
export async function resolveAgent(mod: AgentModule): Promise<LoadedAgent> {
  return resolveAgentModule(mod).catch(toAppError);
}
