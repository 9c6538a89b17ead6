// The monitor
export { createHealthMonitor } from './monitor.js';
export type { HealthMonitor, HealthMonitorOptions } from './monitor.js';
export type { ThresholdOptions } from './thresholds.js';

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

// Single checks, usable without a monitor
export { checkResources, checkStatus, combineChecks } from './checks.js';
export type { ResourceLimits } from './checks.js';
export { checkWebSocket } from './websocket-check.js';
export type { WebSocketCheckOptions, WebSocketCheckResult } from './websocket-check.js';

// Resource probe
export { createProcResourceProbe } from './proc-probe.js';
export type { ProcResourceProbeOptions } from './proc-probe.js';
