import type { LogLine, Service } from '@myagent/models';
import type { AgentCheckOptions } from './agent-check.js';
import type { PortRange } from './ports.js';
import type { RestartPolicyOptions } from './restart-policy.js';
import type { CommandSpec, LogSink, ServiceStore } from './types.js';

/** Options of {@link createRegistry}. Times are in ms. */
export interface RegistryOptions {
  /** Where services live (storage-kysely's `storage.services` fits). */
  store: ServiceStore;
  /** Where captured log lines go (storage-kysely's `storage.logs` fits). */
  logs: LogSink;
  /** The agent server to spawn, e.g. `agentServerCommand()`; `server <file> --host ...` is appended. */
  command: CommandSpec;
  /** Extra flags for every agent server, or per service (e.g. `['--in-process']`). */
  serverArgs?: string[] | ((service: Service) => string[]);
  /** Ports allocated when a service names none (default 8081-9000). */
  portRange?: PortRange;
  /** A start is ERROR unless a WebSocket ping is answered within this (default 30 s). */
  readyTimeoutMs?: number;
  /** SIGTERM, then SIGKILL after this (default 10 s). */
  stopGraceMs?: number;
  restart?: RestartPolicyOptions;
  /** Lines kept per service in the log sink (default 10,000). */
  maxLogLines?: number;
  logFlushMs?: number;
  /** Refresh the stats of running services this often (default 5 s; 0 = only on demand). */
  statsIntervalMs?: number;
  /** The dry load at registration; `false` skips it (only for callers that checked already). */
  agentCheck?: AgentCheckOptions | false;
  /** Variables every child gets before the service's own `environment` (default: PATH, HOME, locale...). */
  baseEnv?: Record<string, string>;
  /** Working directory of the children and base of relative agent paths (default: process.cwd()). */
  cwd?: string;
  /**
   * Sees every captured line first; a line it returns true for is taken out of the logs (the manager
   * claims the agent servers' trace lines this way). A throw counts as false. @default undefined
   */
  claimLine?: (line: LogLine) => boolean;
}

/** Where the children run and relative agent paths start from. */
export function workingDirectory(options: RegistryOptions): string {
  return options.cwd ?? process.cwd();
}
