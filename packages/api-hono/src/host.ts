import type {
  AuditEntry,
  AuditEntryInput,
  ConnectionInfo,
  ConnectionStatus,
  CreateRoutingRuleRequest,
  CreateServiceRequest,
  CreateWebhookRequest,
  HealthCheckResult,
  HealthStatus,
  LogLevel,
  LogLine,
  MetricName,
  RouteContextBody,
  RouteExplainResponse,
  RoutingRule,
  Service,
  ServiceStatus,
  StatsOverviewResponse,
  SystemStatsResponse,
  TraceDetailResponse,
  TraceStatus,
  TraceSummary,
  UpdateRoutingRuleRequest,
  UpdateServiceRequest,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
} from '@myagent/models';
import type * as v from 'valibot';

// What the API needs from whoever runs it, in the API's own terms. The manager implements it over
// AgentManager (apps/manager/src/api-host.ts); a test or another product can implement it over anything.
// Every method may throw an AppError, which the API answers with its code and status.

/** `GET /api/v1/services` filters, already validated. */
export interface ServiceQuery {
  status?: ServiceStatus[];
  /** Every tag must be on the service. */
  tags?: string[];
  limit: number;
  offset: number;
}

/** What a service update changed: applied now, or waiting for the next start of a running service. */
export interface ServiceUpdateResult {
  service: Service;
  changed: string[];
  applied_now: string[];
  pending_restart: string[];
  /** True when the host restarted the service to apply the change (`?restart=true`). */
  restarted: boolean;
}

/** The health monitor's view of one service. */
export interface HealthState {
  status: HealthStatus;
  last_result: HealthCheckResult | null;
}

/** Filters of {@link ApiHost.listConnections}. */
export interface ConnectionQuery {
  service_id?: string;
  status?: ConnectionStatus;
  limit?: number;
}

/** Live connections by status and by service (seed 000's shape). */
export interface ConnectionCounts {
  total_connections: number;
  active_connections: number;
  by_status: Partial<Record<ConnectionStatus, number>>;
  by_service: Record<string, number>;
}

/** A `management_notification` for connected clients (spec E4). */
export interface ClientNotification {
  type: string;
  message: string;
  severity: 'info' | 'warning' | 'critical';
  countdown_seconds?: number;
}

/** A time series question, in epoch ms. */
export interface SeriesQuery {
  metric: MetricName;
  service_id: string | null;
  from: number;
  to: number;
  interval: number;
}

/** A time series answer: points oldest first (buckets without samples left out), and how they were folded. */
export interface SeriesAnswer {
  aggregate: 'avg' | 'sum';
  points: { ts: number; value: number }[];
}

/** A log line as stored, with its id. */
export type LogEntry = LogLine & { id?: number };

/** One live event of the manager, as the event stream sends it (`event: <type>`, `data: <json>`). */
export interface ManagerEvent {
  /** `status`, `health`, `restart`, `restart_limit`, `connections`, `service`, `routing_failed`, ... */
  type: string;
  /** The service it concerns, if one (the stream's `?service_id` filter reads it). */
  service_id?: string | null;
  data: Record<string, unknown>;
}

/** `GET /api/v1/traces` filters, already validated. */
export interface TraceQuery {
  service_id?: string;
  session_id?: string;
  status?: TraceStatus;
  limit: number;
  offset: number;
}

/** The manager as the API sees it. */
export interface ApiHost {
  // ---- system
  /** The manager's own health, cheap and synchronous (load balancers poll it). */
  managerHealth(): { status: 'healthy' | 'stopping'; uptime_seconds: number };
  /** Name, version, start time, storage; the API adds its endpoints and whether auth is on. */
  info(): Promise<{
    name: string;
    version: string;
    started_at: string;
    uptime_seconds: number;
    storage: 'sqlite' | 'postgres';
    services: { total: number; running: number };
    endpoints?: Record<string, string>;
  }>;
  systemStats(): Promise<v.InferOutput<typeof SystemStatsResponse>>;
  statsOverview(): Promise<v.InferOutput<typeof StatsOverviewResponse>>;
  timeseries(query: SeriesQuery): Promise<SeriesAnswer>;
  /** Subscribes to live events; returns the unsubscribe. Listeners must not be slowed: the API buffers. */
  onEvent(listener: (event: ManagerEvent) => void): () => void;

  // ---- services
  registerService(request: CreateServiceRequest): Promise<Service>;
  listServices(query: ServiceQuery): Promise<{ services: Service[]; total: number }>;
  /** By id, else by name (case as the registry compares names); undefined when neither matches. */
  findService(idOrName: string): Promise<Service | undefined>;
  updateService(
    serviceId: string,
    patch: UpdateServiceRequest,
    options: { restart: boolean },
  ): Promise<ServiceUpdateResult>;
  startService(serviceId: string): Promise<Service>;
  /** Stops a service; `countdown_seconds`: its WebSocket clients are told that long ahead (`?countdown=`). */
  stopService(serviceId: string, options?: { countdown_seconds?: number }): Promise<Service>;
  /** Restarts a service (its WebSocket clients drained, their sessions kept); `countdown_seconds` as for stop. */
  restartService(serviceId: string, options?: { countdown_seconds?: number }): Promise<Service>;
  unregisterService(serviceId: string): Promise<boolean>;

  // ---- health
  healthSummary(): Promise<{
    total: number;
    healthy: number;
    unhealthy: number;
    degraded: number;
    unknown: number;
    last_check: string | null;
  }>;
  /** The verdict and latest result; undefined before the service's first check. */
  healthState(serviceId: string): HealthState | undefined;
  checkService(serviceId: string): Promise<HealthCheckResult>;
  checkAllServices(): Promise<HealthCheckResult[]>;
  healthHistory(serviceId: string, limit: number): Promise<HealthCheckResult[]>;

  // ---- connections
  listConnections(query: ConnectionQuery): Promise<ConnectionInfo[]> | ConnectionInfo[];
  getConnectionStats(): ConnectionCounts;
  /** @throws AppError CONNECTION_NOT_FOUND when the connection is not live */
  disconnectConnection(
    connectionId: string,
    options: { reason: string; notify_client: boolean },
  ): Promise<{ notified: boolean }>;
  /** Sends a notification to the clients of one service, or all; resolves with how many got it. */
  notifyClients(notification: ClientNotification, options: { service_id?: string }): Promise<number>;

  // ---- routing
  listRoutingRules(options: { enabledOnly: boolean }): Promise<RoutingRule[]>;
  /** By id, else by name. */
  findRoutingRule(idOrName: string): Promise<RoutingRule | undefined>;
  addRoutingRule(request: CreateRoutingRuleRequest): Promise<RoutingRule>;
  updateRoutingRule(ruleId: string, patch: UpdateRoutingRuleRequest): Promise<RoutingRule>;
  removeRoutingRule(ruleId: string): Promise<boolean>;
  explainRoute(context: RouteContextBody): Promise<v.InferOutput<typeof RouteExplainResponse>>;

  // ---- logs
  serviceLogs(
    serviceId: string,
    options: { level?: LogLevel; since?: string; limit: number },
  ): Promise<LogEntry[]>;
  searchLogs(
    text: string,
    options: { service_id?: string; level?: LogLevel; limit: number },
  ): Promise<LogEntry[]>;
  /** Every log line as it is captured; returns the unsubscribe. */
  onLog(listener: (line: LogEntry) => void): () => void;

  // ---- alerts (spec D6)
  listWebhooks(): Promise<Webhook[]>;
  getWebhook(webhookId: string): Promise<Webhook | undefined>;
  createWebhook(request: CreateWebhookRequest): Promise<Webhook>;
  updateWebhook(webhookId: string, patch: UpdateWebhookRequest): Promise<Webhook>;
  deleteWebhook(webhookId: string): Promise<boolean>;
  /** Queues a `test` alert to one webhook; resolves with its delivery record once it is queued. */
  testWebhook(webhookId: string): Promise<WebhookDelivery>;
  listDeliveries(options: {
    webhook_id?: string;
    limit: number;
  }): Promise<{ deliveries: WebhookDelivery[]; total: number }>;

  // ---- traces of agent runs (spec H2)
  /** Runs, newest first, and how many match in all. */
  listTraces(query: TraceQuery): Promise<{ traces: TraceSummary[]; total: number }>;
  /** A run with its events and spans. @throws AppError NOT_FOUND */
  getTrace(traceId: string): Promise<TraceDetailResponse>;

  // ---- operation log (spec H4)
  recordAudit(entry: AuditEntryInput): Promise<unknown>;
  listAudit(options: {
    limit: number;
    since?: string;
    service_id?: string;
  }): Promise<{ entries: AuditEntry[]; total: number }>;
}
