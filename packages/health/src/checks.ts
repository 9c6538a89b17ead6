import type { CheckResult, HealthStatus, ServiceStatus } from '@myagent/models';
import type { ResourceUsage } from './types.js';

/**
 * The status check: RUNNING is healthy, STARTING unknown, STOPPED, STOPPING and ERROR unhealthy. UNHEALTHY is
 * the monitor's own verdict on a live process, so it is unknown here: the other checks decide whether the
 * service has recovered (judging it unhealthy would keep it unhealthy for ever).
 */
export function checkStatus(status: ServiceStatus): CheckResult {
  switch (status) {
    case 'running':
      return { status: 'healthy', message: 'service is running' };
    case 'starting':
      return { status: 'unknown', message: 'service is starting' };
    case 'unhealthy':
      return {
        status: 'unknown',
        message: 'service is running but marked unhealthy; the other checks decide',
      };
    default:
      return { status: 'unhealthy', message: `service is ${status}` };
  }
}

/** Limits of the resources check; null or absent means no limit. */
export interface ResourceLimits {
  memory_limit_mb?: number | null;
  cpu_limit_percent?: number | null;
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * The resources check: degraded past memory_limit_mb or cpu_limit_percent, healthy within them, unknown when
 * the process could not be sampled.
 */
export function checkResources(usage: ResourceUsage | null, limits: ResourceLimits = {}): CheckResult {
  if (!usage) return { status: 'unknown', message: 'process resources unavailable' };
  const details = {
    memory_mb: round(usage.memory_mb),
    cpu_percent: round(usage.cpu_percent),
    memory_limit_mb: limits.memory_limit_mb ?? null,
    cpu_limit_percent: limits.cpu_limit_percent ?? null,
  };
  const over: string[] = [];
  if (limits.memory_limit_mb != null && usage.memory_mb > limits.memory_limit_mb) {
    over.push(`memory ${details.memory_mb} MB over the limit of ${limits.memory_limit_mb} MB`);
  }
  if (limits.cpu_limit_percent != null && usage.cpu_percent > limits.cpu_limit_percent) {
    over.push(`CPU ${details.cpu_percent} % over the limit of ${limits.cpu_limit_percent} %`);
  }
  if (over.length > 0) return { status: 'degraded', message: over.join('; '), details };
  return {
    status: 'healthy',
    message: `memory ${details.memory_mb} MB, CPU ${details.cpu_percent} %`,
    details,
  };
}

/**
 * The overall status of a set of checks: unhealthy if any is, else degraded if any is, else healthy if any
 * is; unknown when no check had an opinion.
 */
export function combineChecks(checks: Readonly<Record<string, CheckResult>>): HealthStatus {
  const statuses = new Set(Object.values(checks).map((check) => check.status));
  for (const status of ['unhealthy', 'degraded', 'healthy'] as const) if (statuses.has(status)) return status;
  return 'unknown';
}
