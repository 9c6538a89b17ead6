import type { ColumnType, Generated } from 'kysely';

/** A JSON column: written as JSON text; read back as text (SQLite) or already parsed (PostgreSQL jsonb). */
export type JsonColumn = ColumnType<unknown, string, string>;
/** A bigint column. Typed as number for comparisons; pg returns int8 as a string, so reads go through Number(). */
export type BigIntColumn = ColumnType<number, number, number>;
/** A boolean: written as 1/0 (better-sqlite3 binds no booleans), read as 1/0 or true/false. */
export type BoolColumn = ColumnType<number | boolean, number, number>;

/** The `services` table: one row per service; tags are also in `service_tags` for filtering. */
export interface ServicesTable {
  service_id: string;
  name: string;
  description: string;
  host: string;
  port: number;
  endpoint: string;
  tags: JsonColumn;
  agent_type: string;
  version: string;
  status: string;
  created_at: string;
  started_at: string | null;
  last_health_check: string | null;
  error_message: string | null;
  restart_count: number;
  /** Added by migration 0002; null on the rows written before it. */
  restart_due_at: string | null;
  config: JsonColumn;
  stats: JsonColumn;
  /** The pid of the child a manager runs for the service, and its host (0003); null when none runs. */
  process_pid: number | null;
  process_host: string | null;
}

/** The `manager_lease` table (0003): the manager that holds the database, one row named 'manager'. */
export interface ManagerLeaseTable {
  name: string;
  owner_id: string;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
}

/** The `service_tags` table: (service_id, tag), deleted with the service. */
export interface ServiceTagsTable {
  service_id: string;
  tag: string;
}

/** The `routing_rules` table. */
export interface RoutingRulesTable {
  rule_id: string;
  name: string;
  priority: number;
  enabled: BoolColumn;
  conditions: JsonColumn;
  target_strategy: string;
  target_services: JsonColumn;
  target_tags: JsonColumn;
  weight: number;
  fallback_strategy: string | null;
  description: string;
  created_at: string;
  updated_at: string;
}

/** The `health_checks` table: history of health results, deleted with the service. */
export interface HealthChecksTable {
  id: Generated<number>;
  service_id: string;
  status: string;
  response_time_ms: number | null;
  timestamp: string;
  checks: JsonColumn;
  error: string | null;
}

/** The `connections` table: client connection records (no foreign key: records outlive services). */
export interface ConnectionsTable {
  connection_id: string;
  session_id: string | null;
  client_ip: string;
  client_port: number | null;
  user_agent: string | null;
  target_service_id: string;
  status: string;
  connected_at: string;
  last_activity: string;
  disconnected_at: string | null;
  bytes_sent: BigIntColumn;
  bytes_received: BigIntColumn;
  message_count: BigIntColumn;
  routing_strategy: string | null;
  routing_metadata: JsonColumn;
}

/** The `service_logs` table: captured stdout/stderr lines, deleted with the service. */
export interface ServiceLogsTable {
  id: Generated<number>;
  service_id: string;
  timestamp: string;
  level: string;
  /** debug 10, info 20, warn 30, error 40: the minimum-level filter stays in SQL. */
  level_rank: number;
  stream: string;
  message: string;
  fields: JsonColumn;
}

/** The `metric_samples` table (0005): raw samples (resolution 0) and rollups, bucketed on epoch ms. */
export interface MetricSamplesTable {
  id: Generated<number>;
  /** '' for a system-wide metric. */
  service_id: string;
  metric: string;
  resolution: number;
  ts: BigIntColumn;
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** The `stat_totals` table (0005): counters that outlive processes and managers. */
export interface StatTotalsTable {
  scope: string;
  key: string;
  value: number;
  updated_at: string;
}

/** The `audit_log` table (0005): every mutating API call. */
export interface AuditLogTable {
  audit_id: Generated<number>;
  timestamp: string;
  actor: string;
  action: string;
  method: string;
  path: string;
  target_type: string | null;
  target_id: string | null;
  service_id: string | null;
  status_code: number;
  result: string;
  error_code: string | null;
  client_ip: string | null;
}

/** The `webhooks` table (0005): alert webhooks; the secret is stored, never returned by the API. */
export interface WebhooksTable {
  webhook_id: string;
  url: string;
  events: JsonColumn;
  secret: string | null;
  enabled: BoolColumn;
  description: string;
  created_at: string;
  updated_at: string;
}

/** The `webhook_deliveries` table (0005): one row per alert and webhook, deleted with the webhook. */
export interface WebhookDeliveriesTable {
  delivery_id: string;
  webhook_id: string;
  event: string;
  status: string;
  attempts: number;
  response_status: number | null;
  error: string | null;
  payload: JsonColumn;
  created_at: string;
  updated_at: string;
}

/** The `traces` table (0006): one row per agent run, its summary kept current as its events arrive. */
export interface TracesTable {
  trace_id: string;
  service_id: string;
  session_id: string;
  trace_name: string;
  agent_name: string;
  request: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  steps: number;
  tool_calls: number;
  llm_calls: number;
  input_tokens: BigIntColumn;
  output_tokens: BigIntColumn;
  final_answer_chars: BigIntColumn;
  error_code: string | null;
  error_message: string | null;
}

/** The `trace_events` table (0006): a run's events in arrival order, deleted with their trace. */
export interface TraceEventsTable {
  id: Generated<number>;
  trace_id: string;
  event_type: string;
  timestamp: string;
  message_id: string;
  session_id: string;
  data: JsonColumn;
}

/** Every table, as Kysely types queries against it. */
export interface Database {
  services: ServicesTable;
  service_tags: ServiceTagsTable;
  routing_rules: RoutingRulesTable;
  health_checks: HealthChecksTable;
  connections: ConnectionsTable;
  service_logs: ServiceLogsTable;
  manager_lease: ManagerLeaseTable;
  metric_samples: MetricSamplesTable;
  stat_totals: StatTotalsTable;
  audit_log: AuditLogTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  traces: TracesTable;
  trace_events: TraceEventsTable;
}
