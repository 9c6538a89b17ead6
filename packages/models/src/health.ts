import * as v from 'valibot';
import { boundedString, Timestamp } from './common.js';

/** A service's health (spec D4). */
export const HealthStatus = v.picklist(['healthy', 'unhealthy', 'degraded', 'unknown']);
export type HealthStatus = v.InferOutput<typeof HealthStatus>;

/** The outcome of one check (websocket, status, resources). */
export const CheckResult = v.object({
  status: HealthStatus,
  message: boundedString(2048),
  details: v.optional(v.record(v.string(), v.unknown())),
});
export type CheckResult = v.InferOutput<typeof CheckResult>;

/** One health check of a service (spec D3). */
export const HealthCheckResult = v.object({
  service_id: boundedString(64, 1),
  status: HealthStatus,
  response_time_ms: v.optional(v.nullable(v.pipe(v.number(), v.minValue(0))), null),
  timestamp: Timestamp,
  checks: v.optional(v.record(boundedString(64, 1), CheckResult), {}),
  error: v.optional(v.nullable(boundedString(4096)), null),
});
export type HealthCheckResult = v.InferOutput<typeof HealthCheckResult>;
export type HealthCheckResultInput = v.InferInput<typeof HealthCheckResult>;

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const amount = v.pipe(v.number(), v.minValue(0));

/**
 * The body of an agent server's `GET /health` (spec B9's figures of one child): produced by ws-runtime's
 * `runtime.health()`, read by the registry with `v.safeParse`. Counts start at zero with each process.
 */
export const AgentServerHealth = v.object({
  status: v.picklist(['ok', 'draining']),
  agent: boundedString(256),
  active_connections: count,
  active_sessions: count,
  total_connections: count,
  /** The most connections open at once since the server started. */
  peak_connections: count,
  total_sessions: count,
  completed_sessions: count,
  /** Mean lifetime of the completed sessions, in seconds. */
  avg_session_duration: amount,
  error_count: count,
  avg_response_time_ms: amount,
  uptime_seconds: amount,
  pid: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
export type AgentServerHealth = v.InferOutput<typeof AgentServerHealth>;
