import * as v from 'valibot';
import { boundedString, boundedText, plainObject, Tags, Timestamp } from './common.js';

/** Where a service is in its lifecycle (spec B5). */
export const ServiceStatus = v.picklist(['stopped', 'starting', 'running', 'stopping', 'error', 'unhealthy']);
export type ServiceStatus = v.InferOutput<typeof ServiceStatus>;

/** An environment variable name, as a shell would accept it (so no `=` and no NUL). */
const EnvName = v.pipe(
  v.string(),
  v.maxLength(256),
  v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/u, 'not a valid environment variable name'),
);

const envRecord = <T extends v.GenericSchema<string, string>>(value: T) =>
  v.pipe(
    plainObject(v.record(EnvName, value), 'environment'),
    v.check((env) => Object.keys(env).length <= 256, 'at most 256 environment variables'),
  );

/**
 * Environment variables merged over the child's clean base: at most 256, each value at most 32 KiB and
 * without a NUL byte (no process can receive one: the spawn would fail).
 */
export const Environment = envRecord(
  v.pipe(
    boundedString(32_768),
    v.check((value) => !value.includes('\0'), 'an environment value cannot hold a NUL byte'),
  ),
);

// What a stored config may hold: releases before the NUL check accepted such values, and their rows must
// stay readable. The registry refuses to spawn them (the service goes to ERROR with the reason).
const StoredEnvironment = envRecord(boundedString(32_768));

const seconds = (min: number, max: number) => v.pipe(v.number(), v.minValue(min), v.maxValue(max));
const count = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));
const limit = (min: number, max: number) => v.nullable(v.pipe(v.number(), v.minValue(min), v.maxValue(max)));

/** The fields of a service's config, with the spec's defaults (B3). Times are in seconds. */
const serviceConfigEntries = {
  agent_factory_path: boundedText(4096, 1),
  /** 0 = unlimited. */
  max_sessions: v.optional(count(1_000_000), 0),
  /** Idle sessions expire after this long. */
  session_timeout: v.optional(seconds(0.01, 30 * 86_400), 1800),
  /** `system.heartbeat` and WebSocket ping period; 0 turns heartbeats off. */
  heartbeat_interval: v.optional(seconds(0, 86_400), 30),
  /** A single agent run ends with `agent.timeout` past this. */
  run_timeout: v.optional(seconds(0.01, 86_400), 600),
  memory_limit_mb: v.optional(limit(1, 1_048_576), null),
  cpu_limit_percent: v.optional(limit(1, 100_000), null),
  auto_restart: v.optional(v.boolean(), true),
  max_restart_count: v.optional(count(1000), 3),
  restart_delay: v.optional(seconds(0, 3600), 5),
  health_check_enabled: v.optional(v.boolean(), true),
  health_check_interval: v.optional(seconds(0.01, 86_400), 10),
  health_check_timeout: v.optional(seconds(0.01, 300), 5),
  environment: v.optional(Environment, {}),
};

/** A service's config (spec B3), as stored. */
export const ServiceConfig = v.object({
  ...serviceConfigEntries,
  environment: v.optional(StoredEnvironment, {}),
});
export type ServiceConfig = v.InferOutput<typeof ServiceConfig>;

const { agent_factory_path: _agentPath, ...settingEntries } = serviceConfigEntries;

/**
 * A service's config without its agent path, every field defaulted and unknown fields refused: what a
 * config file's service holds under `config` (its path is the service's own `path`).
 */
export const ServiceSettings = plainObject(v.strictObject(settingEntries), 'config');
export type ServiceSettings = v.InferOutput<typeof ServiceSettings>;

/** A partial config, as `PUT /services/{id}/config` takes it: no defaults, unknown fields refused. */
export const ServiceConfigPatch = plainObject(v.partial(v.strictObject(serviceConfigEntries)), 'config');
export type ServiceConfigPatch = v.InferOutput<typeof ServiceConfigPatch>;

const counter = v.optional(v.pipe(v.number(), v.minValue(0)), 0);

/** Live counters of a service (spec B9). Rates are fractions (0.04 = 4 %); times in ms or s as named. */
export const ServiceStats = v.object({
  total_connections: counter,
  active_connections: counter,
  peak_connections: counter,
  total_sessions: counter,
  active_sessions: counter,
  completed_sessions: counter,
  avg_session_duration: counter,
  avg_response_time: counter,
  error_count: counter,
  error_rate: counter,
  uptime_seconds: counter,
  memory_usage_mb: counter,
  cpu_usage_percent: counter,
  last_updated: v.optional(v.nullable(Timestamp), null),
});
export type ServiceStats = v.InferOutput<typeof ServiceStats>;

/** A service name: starts with a letter or digit; letters, digits, `_`, `.` and `-`; at most 64. */
export const ServiceName = v.pipe(
  v.string(),
  v.minLength(1, 'a name is required'),
  v.maxLength(64, 'a name has at most 64 characters'),
  v.regex(/^[A-Za-z0-9][\w.-]*$/u, 'a name holds letters, digits, _ . - and starts with a letter or digit'),
);

/** A TCP port a service can listen on. */
export const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535));

/** A host name or address to bind and connect to. */
export const Host = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(253),
  v.regex(/^[\w.:[\]-]+$/u, 'not a host'),
);

/** A registered agent service (spec B2, seed 003). */
export const Service = v.object({
  service_id: v.pipe(v.string(), v.uuid()),
  name: ServiceName,
  description: v.optional(boundedString(1000), ''),
  host: Host,
  port: Port,
  endpoint: boundedString(300),
  tags: v.optional(Tags, []),
  agent_type: v.optional(boundedString(64), 'myagent'),
  version: v.optional(boundedString(64), '1.0.0'),
  status: v.optional(ServiceStatus, 'stopped'),
  created_at: Timestamp,
  started_at: v.optional(v.nullable(Timestamp), null),
  last_health_check: v.optional(v.nullable(Timestamp), null),
  error_message: v.optional(v.nullable(boundedString(8192)), null),
  restart_count: v.optional(count(1_000_000_000), 0),
  /** When the pending auto-restart of a service in ERROR is due; null when none is pending (spec B12). */
  restart_due_at: v.optional(v.nullable(Timestamp), null),
  config: ServiceConfig,
  stats: v.optional(ServiceStats, {}),
});
export type Service = v.InferOutput<typeof Service>;
/** A service as a caller may write it: defaults not yet applied. */
export type ServiceInput = v.InferInput<typeof Service>;

/** The WebSocket endpoint of a service at host:port. */
export function serviceEndpoint(host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `ws://${bracketed}:${port}`;
}
