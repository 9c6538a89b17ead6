import { objectWithMethods, parseOrThrow } from '@myagent/models';
import * as v from 'valibot';
import type { HealthResultSink, HealthTargetSource, ResourceProbe } from './types.js';

/** An unhealthy verdict that lasts this long emits a `restart` request (again every grace period). @default 30 s */
export const DEFAULT_UNHEALTHY_GRACE_MS = 30_000;
/** Service checks under way at once. @default 8 */
export const DEFAULT_CONCURRENCY = 8;
/** Results kept in memory per service. @default 100 */
export const DEFAULT_HISTORY_LIMIT = 100;
/** How often the source is listed to pick up new, removed or reconfigured services. @default 5 s */
export const DEFAULT_SYNC_INTERVAL_MS = 5_000;
/** Consecutive healthy results before the verdict becomes healthy. @default 2 */
export const DEFAULT_RISE = 2;
/** Consecutive unhealthy results before the verdict becomes unhealthy. @default 3 */
export const DEFAULT_FALL = 3;

const ms = (fallback: number) => v.optional(v.pipe(v.number(), v.finite(), v.minValue(0)), fallback);
const positiveInteger = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const count = (fallback: number) => v.optional(positiveInteger, fallback);
const streak = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(1000));

/** How many results in a row flip a service's verdict (spec D4), each an integer from 1 to 1000. */
export const ThresholdOptions = v.object({
  /** Consecutive healthy results before the verdict becomes healthy. @default 2 */
  rise: v.optional(streak, DEFAULT_RISE),
  /** Consecutive unhealthy results before the verdict becomes unhealthy. @default 3 */
  fall: v.optional(streak, DEFAULT_FALL),
  /** Consecutive degraded results before the verdict becomes degraded. @default fall */
  degrade: v.optional(streak),
});
export type ThresholdOptions = v.InferInput<typeof ThresholdOptions>;

/** Options of {@link createHealthMonitor}, checked with valibot; times in ms. */
export const HealthMonitorOptions = v.object({
  /** The services to check, read again before every check. */
  source: objectWithMethods<HealthTargetSource>('source must have list()', 'list'),
  /** Where results go (storage's health repository fits). Results are also kept in memory, bounded. */
  sink: v.optional(objectWithMethods<HealthResultSink>('sink must have append()', 'append')),
  /** Samples CPU and memory for the resources check; `false` turns the check off. @default procfs */
  probe: v.optional(
    v.union([v.literal(false), objectWithMethods<ResourceProbe>('probe must have sample()', 'sample')]),
  ),
  /** Consecutive results needed to flip a verdict. @default rise 2, fall 3 */
  thresholds: v.optional(ThresholdOptions, {}),
  unhealthyGraceMs: ms(DEFAULT_UNHEALTHY_GRACE_MS),
  concurrency: count(DEFAULT_CONCURRENCY),
  /** Passed to `sink.append` as `keep`, so the sink stays bounded too. @default not passed */
  sinkKeep: v.optional(positiveInteger),
  historyLimit: count(DEFAULT_HISTORY_LIMIT),
  syncIntervalMs: ms(DEFAULT_SYNC_INTERVAL_MS),
  /** After a pong, how long a socket's close handshake may take. @default 1 s */
  closeGraceMs: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
});
export type HealthMonitorOptions = v.InferInput<typeof HealthMonitorOptions>;
export type ResolvedHealthMonitorOptions = v.InferOutput<typeof HealthMonitorOptions>;

/** Checks and completes the monitor's options; a bad option throws INVALID_REQUEST naming it. */
export function resolveMonitorOptions(options: HealthMonitorOptions): ResolvedHealthMonitorOptions {
  return parseOrThrow(HealthMonitorOptions, options, 'health monitor options');
}
