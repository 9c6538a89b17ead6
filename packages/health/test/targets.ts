import { randomUUID } from 'node:crypto';
import type { HealthCheckResult } from '@myagent/models';
import type { HealthResultSink, HealthTarget, HealthTargetSource } from '../src/types.js';

/**
 * A service as the manager would hand it to the monitor, checking often so tests stay quick; the timeout is
 * generous so a loaded machine never fails a healthy check (tests of failures set their own).
 */
export function makeTarget(
  port: number,
  overrides: Partial<HealthTarget> = {},
  config: HealthTarget['config'] = {},
) {
  return {
    service_id: randomUUID(),
    host: '127.0.0.1',
    port,
    status: 'running',
    ...overrides,
    config: { health_check_interval: 0.05, health_check_timeout: 2, ...config },
  } satisfies HealthTarget as HealthTarget;
}

/** An in-memory source over a mutable list, as the manager would build one over its registry. */
export function sourceOf(targets: HealthTarget[]): HealthTargetSource & { targets: HealthTarget[] } {
  return {
    targets,
    list() {
      return this.targets;
    },
    get(serviceId: string) {
      return this.targets.find((target) => target.service_id === serviceId);
    },
  };
}

/** A sink that keeps everything in an array and reads it back newest first. */
export function arraySink(): HealthResultSink & {
  results: HealthCheckResult[];
  keeps: (number | undefined)[];
} {
  const results: HealthCheckResult[] = [];
  const keeps: (number | undefined)[] = [];
  return {
    results,
    keeps,
    append(result, options) {
      results.push(result);
      keeps.push(options?.keep);
    },
    recent(serviceId, limit) {
      return results
        .filter((result) => result.service_id === serviceId)
        .reverse()
        .slice(0, limit);
    },
  };
}

/** Counts results per service. */
export function countResults(results: HealthCheckResult[], serviceId: string): number {
  return results.filter((result) => result.service_id === serviceId).length;
}
