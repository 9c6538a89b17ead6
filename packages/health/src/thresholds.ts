import { type HealthCheckResult, type HealthStatus, parseOrThrow } from '@myagent/models';
import type * as v from 'valibot';
import { ThresholdOptions } from './options.js';
import type { ServiceHealthState } from './types.js';

/** Resolved thresholds, each a positive integer. */
export type Thresholds = Required<v.InferOutput<typeof ThresholdOptions>>;

/** Fills the defaults and refuses what is not an integer from 1 to 1000. */
export function resolveThresholds(options: ThresholdOptions = {}): Thresholds {
  const resolved = parseOrThrow(ThresholdOptions, options, 'thresholds');
  return { rise: resolved.rise, fall: resolved.fall, degrade: resolved.degrade ?? resolved.fall };
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
