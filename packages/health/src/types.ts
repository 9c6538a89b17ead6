import type { HealthCheckResult, HealthStatus, ServiceConfig, ServiceStatus } from '@myagent/models';

/**
 * What the monitor needs to know of a service. A models `Service` fits as is; `pid` is the process to
 * sample for the resources check (the registry knows it, storage does not).
 */
export interface HealthTarget {
  service_id: string;
  name?: string;
  host: string;
  port: number;
  /** `ws://host:port`; derived from host and port when absent. */
  endpoint?: string;
  status: ServiceStatus;
  pid?: number | null;
  config: Partial<
    Pick<
      ServiceConfig,
      | 'health_check_enabled'
      | 'health_check_interval'
      | 'health_check_timeout'
      | 'memory_limit_mb'
      | 'cpu_limit_percent'
    >
  >;
}

/** Where the monitor finds the services to check; read again before every check, so it stays current. */
export interface HealthTargetSource {
  /** Every service the monitor should know of (stopped ones included: they count in the summary). */
  list(): Promise<readonly HealthTarget[]> | readonly HealthTarget[];
  /** One service, or undefined when it is gone. Falls back to `list()` when absent. */
  get?(serviceId: string): Promise<HealthTarget | undefined> | HealthTarget | undefined;
}

/** CPU and memory of one process. */
export interface ResourceUsage {
  /** Percent of one core, over the time since the previous sample (or since the process began). */
  cpu_percent: number;
  /** Resident set size in MiB. */
  memory_mb: number;
}

/** Samples a process's resources; resolves null when the process does not exist (or cannot be read). */
export interface ResourceProbe {
  sample(pid: number): Promise<ResourceUsage | null> | ResourceUsage | null;
}

/**
 * Where results are kept. storage-kysely's health repository fits: `append` is required, `recent`
 * (newest first) lets `getHistory` read from it instead of from memory.
 */
export interface HealthResultSink {
  /** `keep` (when the monitor's `sinkKeep` is set): keep only this many newest results of the service. */
  append(result: HealthCheckResult, options?: { keep?: number }): Promise<unknown> | unknown;
  recent?(
    serviceId: string,
    limit: number,
  ): Promise<readonly HealthCheckResult[]> | readonly HealthCheckResult[];
}

/** A service's health verdict changed (after the rise/fall thresholds were met). */
export interface HealthTransition {
  service_id: string;
  from: HealthStatus;
  to: HealthStatus;
  /** The result that completed the streak. */
  result: HealthCheckResult;
  timestamp: string;
}

/** A service stayed unhealthy beyond the grace period: the manager should restart it. */
export interface RestartRequest {
  service_id: string;
  reason: string;
  /** When the service's verdict became unhealthy. */
  unhealthy_since: string;
  result: HealthCheckResult;
}

/** Something failed inside the monitor (a source, probe, sink or listener); the monitor went on. */
export interface HealthMonitorError {
  service_id?: string;
  /** Which part failed: `source`, `sink`, `probe`, `listener` or `check`. */
  stage: string;
  error: unknown;
}

/** The monitor's events and their payloads. */
export interface HealthMonitorEvents {
  result: HealthCheckResult;
  transition: HealthTransition;
  restart: RestartRequest;
  error: HealthMonitorError;
}

/** Counts of services by health verdict (spec D5). */
export interface HealthSummary {
  /** How many services there are, under seed 000's name. */
  total_services: number;
  /** The same count, under the spec's name. */
  total: number;
  healthy: number;
  unhealthy: number;
  degraded: number;
  unknown: number;
  /** Timestamp of the latest check of any service, or null before the first. */
  last_check: string | null;
}

/** The monitor's current view of one service. */
export interface ServiceHealthState {
  service_id: string;
  /** The verdict after thresholds, not the latest raw result. */
  status: HealthStatus;
  /** When the verdict last changed (or the first result came in). */
  since: string | null;
  last_result: HealthCheckResult | null;
  /** How many results in a row had the latest result's status. */
  streak: number;
}
