// The monitor
export { createHealthMonitor } from './monitor.js';
export type { HealthMonitor } from './monitor.js';

// Options, checked with valibot; times in ms
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_FALL,
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_RISE,
  DEFAULT_SYNC_INTERVAL_MS,
  DEFAULT_UNHEALTHY_GRACE_MS,
  HealthMonitorOptions,
  ThresholdOptions,
} from './options.js';

// What the monitor reads from and writes to, and its events
export type {
  HealthMonitorError,
  HealthMonitorEvents,
  HealthResultSink,
  HealthSummary,
  HealthTarget,
  HealthTargetSource,
  HealthTransition,
  ResourceProbe,
  ResourceUsage,
  RestartRequest,
  ServiceHealthState,
} from './types.js';
export type { Listener } from './emitter.js';

// Single checks, usable without a monitor
export { checkResources, checkStatus, combineChecks } from './checks.js';
export type { ResourceLimits } from './checks.js';
export { checkWebSocket } from './websocket-check.js';
export type { WebSocketCheckOptions, WebSocketCheckResult } from './websocket-check.js';

// Resource probe
export { createProcResourceProbe } from './proc-probe.js';
export type { ProcResourceProbeOptions } from './proc-probe.js';
