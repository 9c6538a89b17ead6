import { type AgentExport, loadAgentModule } from '@myagent/ws-runtime';

/** What `myagent-ws --check <file>` prints (one JSON line on stdout) when the module is an agent. */
export interface AgentCheckReport {
  ok: true;
  /** Absolute path of the module. */
  path: string;
  /** Which export holds the agent. */
  export: AgentExport;
  agent_name: string;
}

/**
 * Loads an agent module exactly as the server does at its start (the same loader, factories called once)
 * and reports what it found; throws the coded AppError the server's start would fail with.
 * @example const report = await checkAgentFile('examples/echo-agent.ts'); // { ok: true, export: 'createAgent', ... }
 */
export async function checkAgentFile(path: string): Promise<AgentCheckReport> {
  const agent = await loadAgentModule(path);
  return { ok: true, path: agent.path ?? path, export: agent.export, agent_name: agent.name };
}
