// The manager
export { AgentManager } from './agent-manager.js';
export type {
  AgentManagerEvents,
  DrainOptions,
  ListServicesFilter,
  RegisterConnectionInput,
} from './agent-manager.js';
export type { AgentManagerOptions, StartOptions } from './options.js';
export type {
  ConnectionChange,
  OperationEvents,
  OperationsOptions,
  RoutingFailure,
  ServiceChange,
} from './operations.js';
export type { ClientNotification, LiveConnection, ManagerProxyOptions } from './proxy-wiring.js';
export type { ServiceUpdateResult } from './service-update.js';
export type { StatsOverview } from './stats-overview.js';

// The HTTP side: the API's host, the app, the served port
export { createApiHost, MANAGER_VERSION } from './api-host.js';
export { createManagerApp, guardUpgrade, isLoopback, serveManager } from './serve-manager.js';
export type { ManagerServer, ServeManagerOptions } from './serve-manager.js';
export { DEFAULT_MANAGER_PORT, serveManagerPort } from './serve.js';
export { coded, runDaemon } from './daemon.js';
export type { DaemonHooks } from './daemon.js';
export type { ManagerPort, ManagerPortOptions, UpgradeHandler } from './serve.js';

// The web console
export { CONSOLE_DIR, RESERVED_PREFIXES, withConsole } from './console-static.js';
export type { ConsoleOptions } from './console-static.js';

// Metrics, alerts and the operation log
export {
  COUNTER_METRICS,
  DEFAULT_METRIC_TIERS,
  DEFAULT_METRICS_INTERVAL_MS,
  MetricsSampler,
} from './metrics/sampler.js';
export type { MetricsOptions, SampleSource } from './metrics/sampler.js';
export { Alerts, SIGNATURE_HEADER } from './alerts/alerts.js';
export type { AlertOptions } from './alerts/alerts.js';
export { AuditLog } from './audit-log.js';

// Traces of agent runs
export { TraceHub } from './traces/hub.js';
export type { TraceCounters, TraceFilter, TraceHubOptions } from './traces/hub.js';
export type { ManagerTraceOptions, ManagerTraces } from './traces/index.js';
export type { TraceStream, TraceStreamOptions } from './traces/ws.js';
export { createOtlpExporter } from './traces/otlp.js';
export type { OtlpExporter, OtlpExporterOptions } from './traces/otlp.js';

// The overview
export { systemStats } from './system-stats.js';
export type { SystemStats } from './system-stats.js';
