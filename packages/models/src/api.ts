import * as v from 'valibot';
import { boundedString, Timestamp } from './common.js';
import { ConnectionInfo, ConnectionStatus } from './connection.js';
import { ERROR_CODES } from './errors.js';
import { HealthCheckResult, HealthStatus } from './health.js';
import { LogLine } from './observability.js';
import { AuditEntry, Webhook, WebhookDelivery } from './operations.js';
import { RoutingRule, RoutingStrategy } from './routing.js';
import { Service, ServiceStatus } from './service.js';

// Response bodies of the HTTP API (spec F1-F7, seed 003). The API validates nothing against these on the
// way out; they document the wire (the OpenAPI document is generated from them) and let clients (the CLI,
// the console) parse what they receive instead of casting it.

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const ok = v.literal(true);

/** Every error answer: `{success: false, error: {code, message, details}}`. */
export const ErrorResponse = v.object({
  success: v.literal(false),
  error: v.object({
    code: v.picklist(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
    message: v.string(),
    details: v.record(v.string(), v.unknown()),
  }),
});

/** `GET /health`: the manager's own health. */
export const ManagerHealthResponse = v.object({
  status: v.picklist(['healthy', 'stopping']),
  timestamp: Timestamp,
  uptime_seconds: v.number(),
});

/** `GET /api/v1/info`. */
export const ManagerInfoResponse = v.object({
  name: v.string(),
  version: v.string(),
  api_version: v.literal('v1'),
  started_at: Timestamp,
  uptime_seconds: v.number(),
  storage: v.picklist(['sqlite', 'postgres']),
  auth_required: v.boolean(),
  services: v.object({ total: count, running: count }),
  endpoints: v.record(v.string(), v.string()),
});

/** A page of a list: `has_next` is true when more match beyond it. */
export const PageInfo = v.object({ limit: count, offset: count, has_next: v.boolean() });

/** `GET /api/v1/services`. */
export const ServiceListResponse = v.object({ services: v.array(Service), total: count, page: PageInfo });

/** A service's health as its details carry it (seed 003). */
export const ServiceHealthBrief = v.object({
  status: HealthStatus,
  last_check: v.nullable(Timestamp),
  response_time_ms: v.nullable(v.number()),
});

/** `GET /api/v1/services/{id}`: the service with its config, stats and health. */
export const ServiceDetailsResponse = v.object({ ...Service.entries, health: ServiceHealthBrief });

/** `POST /api/v1/services` (seed 003's answer, with the stored service). */
export const RegisterServiceResponse = v.object({
  success: ok,
  service_id: v.string(),
  message: v.string(),
  endpoint: v.string(),
  service: Service,
});

/** `POST /services/{id}/start|stop|restart` and `DELETE /services/{id}`. */
export const ServiceActionResponse = v.object({
  success: ok,
  service_id: v.string(),
  message: v.string(),
  status: v.optional(ServiceStatus),
  service: v.optional(Service),
});

/**
 * `PUT /services/{id}` and `PUT /services/{id}/config`: what changed, what applied at once and what waits
 * for the next start of a running service (`restart_required`; `?restart=true` restarts it at once).
 */
export const ServiceUpdateResponse = v.object({
  success: ok,
  service_id: v.string(),
  message: v.string(),
  changed: v.array(v.string()),
  applied_now: v.array(v.string()),
  pending_restart: v.array(v.string()),
  restart_required: v.boolean(),
  restarted: v.boolean(),
  service: Service,
});

/** A service's health state: the verdict after thresholds and the latest result. */
export const ServiceHealthResponse = v.object({
  service_id: v.string(),
  name: v.string(),
  status: HealthStatus,
  service_status: ServiceStatus,
  last_check: v.nullable(Timestamp),
  response_time_ms: v.nullable(v.number()),
  latest: v.nullable(HealthCheckResult),
});

/** `GET /api/v1/health`: the summary and every service's state. */
export const HealthOverviewResponse = v.object({
  summary: v.object({
    total: count,
    healthy: count,
    unhealthy: count,
    degraded: count,
    unknown: count,
    last_check: v.nullable(Timestamp),
  }),
  services: v.array(ServiceHealthResponse),
});

/** A health history, newest first. */
export const HealthHistoryResponse = v.object({
  service_id: v.string(),
  history: v.array(HealthCheckResult),
  total: count,
});

/** `GET /api/v1/connections` and `/services/{id}/connections`. */
export const ConnectionListResponse = v.object({ connections: v.array(ConnectionInfo), total: count });

/** `GET /api/v1/connections/stats` (seed 000's shape). */
export const ConnectionStatsResponse = v.object({
  total_connections: count,
  active_connections: count,
  by_status: v.record(ConnectionStatus, count),
  by_service: v.record(v.string(), count),
});

/** `POST /api/v1/connections/{id}/disconnect`. */
export const DisconnectResponse = v.object({
  success: ok,
  connection_id: v.string(),
  message: v.string(),
  notified: v.boolean(),
});

/** `GET /api/v1/routing/rules`, in evaluation order. */
export const RoutingRuleListResponse = v.object({ rules: v.array(RoutingRule), total: count });

/** `POST`, `PUT` and `DELETE /api/v1/routing/rules[/{id}]`. */
export const RoutingRuleResponse = v.object({
  success: ok,
  rule_id: v.string(),
  message: v.string(),
  rule: v.optional(RoutingRule),
});

/** `POST /api/v1/routing/explain`: the router's dry run (which rule matched, why the others did not, the pick). */
export const RouteExplainResponse = v.object({
  ok: v.boolean(),
  decision: v.nullable(
    v.object({
      service_id: v.string(),
      name: v.string(),
      endpoint: v.string(),
      rule_id: v.nullable(v.string()),
      rule_name: v.nullable(v.string()),
      strategy: RoutingStrategy,
      reason: v.picklist(['affinity', 'rule', 'default']),
    }),
  ),
  error: v.nullable(v.object({ code: v.string(), message: v.string() })),
  candidates: v.object({
    given: count,
    routable: count,
    excluded: v.array(v.object({ service_id: v.string(), why: v.string() })),
  }),
  affinity: v.nullable(v.record(v.string(), v.unknown())),
  rules: v.array(
    v.object({
      rule_id: v.string(),
      name: v.string(),
      priority: v.number(),
      enabled: v.boolean(),
      outcome: v.picklist(['disabled', 'conditions_failed', 'no_routable_target', 'selected', 'not_reached']),
      conditions: v.array(
        v.object({
          field: v.string(),
          operator: v.string(),
          value: v.union([v.string(), v.array(v.string())]),
          actual: v.string(),
          result: v.boolean(),
        }),
      ),
      targets: v.array(v.string()),
      target_count: count,
    }),
  ),
  pool: v.object({
    source: v.picklist(['affinity', 'rule', 'default', 'none']),
    strategy: v.nullable(RoutingStrategy),
    size: count,
    ids: v.array(v.string()),
  }),
  pick: v.nullable(v.string()),
});

/** A stored log line with its id (ids increase in append order). */
export const StoredLogLine = v.object({ id: count, ...LogLine.entries });

/** `GET /api/v1/logs/services/{id}` and `/logs/search`: lines oldest first. */
export const LogListResponse = v.object({
  service_id: v.nullable(v.string()),
  query: v.optional(v.string()),
  lines: v.array(StoredLogLine),
  total: count,
});

/** `GET /api/v1/stats/overview` (seed 003 §1.4). */
export const StatsOverviewResponse = v.object({
  services: v.object({ total: count, running: count, stopped: count, error: count }),
  connections: v.object({ total: count, active: count, peak_today: count }),
  sessions: v.object({ total_today: count, active: count, completed_today: count }),
  performance: v.object({
    avg_response_time_ms: v.number(),
    throughput_per_minute: v.number(),
    error_rate: v.number(),
  }),
  resources: v.object({ total_memory_mb: v.number(), total_cpu_percent: v.number() }),
});

/** `GET /api/v1/stats`: the manager's full system stats. */
export const SystemStatsResponse = v.object({
  services: v.record(v.string(), count),
  connections: v.object({ total: count, active: count, by_service: v.record(v.string(), count) }),
  sessions: v.object({ total: count, active: count, completed: count }),
  performance: v.object({ avg_response_time_ms: v.number(), error_count: count, error_rate: v.number() }),
  resources: v.object({ total_memory_mb: v.number(), total_cpu_percent: v.number() }),
  health: HealthOverviewResponse.entries.summary,
  uptime_seconds: v.number(),
});

/** The metrics `/stats/timeseries` serves (spec H3). */
export const MetricName = v.picklist([
  'connections',
  'sessions',
  'messages',
  'response_time',
  'errors',
  'cpu',
  'memory',
  'services_running',
]);
export type MetricName = v.InferOutput<typeof MetricName>;

/** `GET /api/v1/stats/timeseries` (seed 003): one point per interval; null where nothing was sampled. */
export const TimeseriesResponse = v.object({
  metric: MetricName,
  period: v.string(),
  interval: v.string(),
  service_id: v.nullable(v.string()),
  aggregate: v.picklist(['avg', 'sum']),
  data: v.array(v.object({ timestamp: Timestamp, value: v.nullable(v.number()) })),
});

/** `GET /api/v1/alerts/webhooks`. */
export const WebhookListResponse = v.object({ webhooks: v.array(Webhook), total: count });

/** `POST`, `PUT`, `DELETE /api/v1/alerts/webhooks[/{id}]` and its test. */
export const WebhookResponse = v.object({
  success: ok,
  webhook_id: v.string(),
  message: v.string(),
  webhook: v.optional(Webhook),
});

/** `GET /api/v1/alerts/deliveries` and `/alerts/webhooks/{id}/deliveries`, newest first. */
export const DeliveryListResponse = v.object({ deliveries: v.array(WebhookDelivery), total: count });

/** `GET /api/v1/audit`, newest first. */
export const AuditListResponse = v.object({ entries: v.array(AuditEntry), total: count });

/** `POST /api/v1/routing/explain`: a sample connection, as the proxy would see it. */
export const RouteContextBody = v.strictObject({
  client_ip: v.optional(boundedString(64)),
  user_agent: v.optional(boundedString(1024)),
  session_id: v.optional(boundedString(128)),
  headers: v.optional(
    v.pipe(
      v.record(boundedString(256, 1), boundedString(8192)),
      v.check((r) => Object.keys(r).length <= 100, 'at most 100 headers'),
    ),
  ),
  query_params: v.optional(
    v.pipe(
      v.record(boundedString(256, 1), boundedString(8192)),
      v.check((r) => Object.keys(r).length <= 100, 'at most 100 query parameters'),
    ),
  ),
  tags: v.optional(v.pipe(v.array(boundedString(64, 1)), v.maxLength(32))),
});
export type RouteContextBody = v.InferOutput<typeof RouteContextBody>;
