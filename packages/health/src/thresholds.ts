import type { HealthCheckResult, HealthStatus } from '@myagent/models';
import { AppError } from '@myagent/models';
import type { ServiceHealthState } from './types.js';

/** How many results in a row flip a service's verdict (spec D4). */
export interface ThresholdOptions {
  /** Consecutive healthy results before the verdict becomes healthy. Default 2. */
  rise?: number;
  /** Consecutive unhealthy results before the verdict becomes unhealthy. Default 3. */
  fall?: number;
  /** Consecutive degraded results before the verdict becomes degraded. Default: `fall`. */
  degrade?: number;
}

/** Resolved thresholds, each a positive integer. */
export type Thresholds = Required<ThresholdOptions>;

/** Fills the defaults and refuses what is not a positive integer. */
export function resolveThresholds(options: ThresholdOptions = {}): Thresholds {
  const rise = options.rise ?? 2;
  const fall = options.fall ?? 3;
  const resolved = { rise, fall, degrade: options.degrade ?? fall };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1 || value > 1000) {
      throw new AppError(
        'INVALID_REQUEST',
        `Threshold '${name}' must be an integer from 1 to 1000, got ${value}`,
        {
          details: { option: name, value },
        },
      );
    }
  }
  return resolved;
}

/**
 * One service's verdict: it moves only after enough results in a row agree. An unknown result says nothing
 * about the service, so it breaks a streak but never changes the verdict.
 */
export class ThresholdTracker {
  status: HealthStatus = 'unknown';
  since: string | null = null;
  lastResult: HealthCheckResult | null = null;
  #streakStatus: HealthStatus | null = null;
  #streak = 0;

  constructor(
    readonly serviceId: string,
    readonly thresholds: Thresholds,
  ) {}

  /** Counts a result; returns the verdict change it completes, if any. */
  record(result: HealthCheckResult): { from: HealthStatus; to: HealthStatus } | null {
    this.lastResult = result;
    this.since ??= result.timestamp;
    if (result.status === this.#streakStatus) this.#streak++;
    else {
      this.#streakStatus = result.status;
      this.#streak = 1;
    }
    const needed =
      result.status === 'healthy'
        ? this.thresholds.rise
        : result.status === 'unhealthy'
          ? this.thresholds.fall
          : result.status === 'degraded'
            ? this.thresholds.degrade
            : Number.POSITIVE_INFINITY;
    if (result.status === this.status || this.#streak < needed) return null;
    const change = { from: this.status, to: result.status };
    this.status = result.status;
    this.since = result.timestamp;
    return change;
  }

  snapshot(): ServiceHealthState {
    return {
      service_id: this.serviceId,
      status: this.status,
      since: this.since,
      last_result: this.lastResult,
      streak: this.#streak,
    };
  }
}
