import * as v from 'valibot';
import { boundedString, Timestamp } from './common.js';

/** Severity of a log line. */
export const LogLevel = v.picklist(['debug', 'info', 'warn', 'error']);
export type LogLevel = v.InferOutput<typeof LogLevel>;

/** One line a service wrote to stdout or stderr (spec B13); JSON lines keep their fields. */
export const LogLine = v.object({
  service_id: boundedString(64, 1),
  timestamp: Timestamp,
  level: LogLevel,
  stream: v.picklist(['stdout', 'stderr']),
  message: boundedString(16_384),
  fields: v.optional(v.record(v.string(), v.unknown()), {}),
});
export type LogLine = v.InferOutput<typeof LogLine>;

/** One sample of a metric time series (spec H3); `service_id` null for system-wide metrics. */
export const MetricSample = v.object({
  service_id: v.optional(v.nullable(boundedString(64, 1)), null),
  metric: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9_]{0,63}$/u, 'a metric name is snake_case')),
  value: v.pipe(v.number(), v.finite()),
  timestamp: Timestamp,
});
export type MetricSample = v.InferOutput<typeof MetricSample>;
