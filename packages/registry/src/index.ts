// The registry
export { createRegistry, ServiceRegistry } from './registry.js';

// Options, checked with valibot; times in ms
export {
  DEFAULT_LOG_FLUSH_MS,
  DEFAULT_MAX_LOG_LINES,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_STATS_INTERVAL_MS,
  DEFAULT_STOP_GRACE_MS,
  RegistryOptions,
  RestartPolicyOptions,
} from './options.js';
export { START_TIME_FIELDS } from './update.js';
export type { ServiceUpdate } from './update.js';

// Interfaces it needs from its host (storage-kysely's repositories fit them), and its events
export type {
  BulkResult,
  CommandSpec,
  ExitEvent,
  ListLogsOptions,
  LogSink,
  ReconcileReport,
  RecordedProcess,
  RegistryEvents,
  RestartEvent,
  RestartLimitEvent,
  SearchLogsOptions,
  ServiceListFilter,
  ServiceStore,
  StatusEvent,
  StatusPatch,
} from './types.js';

// Building blocks, usable alone
export type { AgentCheckOptions, AgentCheckResult } from './agent-check.js';
export { checkAgentModule } from './agent-check.js';
export { parseLogLine } from './log-lines.js';
export type { PortRange } from './ports.js';
export { allocatePort, DEFAULT_PORT_RANGE, isPortFree, portState } from './ports.js';
export type { PortState } from './ports.js';
export { isAlive } from './proc.js';
export type { WaitUntilReadyOptions } from './readiness.js';
export { pingOnce, waitUntilReady } from './readiness.js';
