/**
 * The repository interfaces every dialect implements. Inputs are validated with the models schemas (a bad
 * row is rejected with `AppError('INVALID_REQUEST')` and nothing is stored); outputs are parsed models.
 * Errors are always `AppError`s: SERVICE_ALREADY_EXISTS (duplicate service name), SERVICE_NOT_FOUND (a
 * health result or log line for a service that is not stored), INVALID_REQUEST, STORAGE_ERROR (the rest).
 */
import type {
  AuditEntry,
  AuditEntryInput,
  ConnectionInfo,
  ConnectionInfoInput,
  ConnectionStatus,
  HealthCheckResult,
  HealthCheckResultInput,
  LogLevel,
  LogLine,
  RoutingRule,
  RoutingRuleInput,
  RoutingStrategy,
  Service,
  ServiceInput,
  ServiceStats,
  ServiceStatus,
  TraceEvent,
  TraceStatus,
  TraceSummary,
  Webhook,
  WebhookDelivery,
} from '@myagent/models';

/** Which SQL dialect a storage speaks. */
export type StorageDialect = 'sqlite' | 'postgres';

/** Filters of {@link ServiceRepository.list}. */
export interface ListServicesOptions {
  /** One status or any of several. */
  status?: ServiceStatus | readonly ServiceStatus[];
  /** Every tag must be on the service (all-of). */
  tags?: readonly string[];
  /** At most this many (default 100, max 10,000). */
  limit?: number;
  offset?: number;
}

/** A page of services and how many match the filter in all. */
export interface ServicePage {
  services: Service[];
  total: number;
}

/** Options of {@link ServiceRepository.updateStatus}. */
export interface UpdateStatusOptions {
  /** Set (or clear with null) the error message; left as is when undefined. */
  error_message?: string | null;
  /** Set (or clear with null) the start time; left as is when undefined. */
  started_at?: string | null;
  /** Set (or clear with null) when the pending auto-restart is due; left as is when undefined. */
  restart_due_at?: string | null;
  /** Compare-and-set: the update happens only while the current status is one of these. */
  expected?: readonly ServiceStatus[];
}

/** The child process a manager runs for a service, as recorded in the store. */
export interface ServiceProcess {
  service_id: string;
  pid: number;
  /** The host name of the machine the process runs on. */
  host: string;
}

/** Services (spec B2, B8, B9, B11): one row per service, tags kept in a join table for the all-of filter. */
export interface ServiceRepository {
  /**
   * Inserts or replaces the service with this id; a name taken by another id, in any case, throws
   * SERVICE_ALREADY_EXISTS.
   */
  save(service: ServiceInput): Promise<Service>;
  get(serviceId: string): Promise<Service | undefined>;
  /** The service of this name, compared case-insensitively (names are unique regardless of case). */
  getByName(name: string): Promise<Service | undefined>;
  /** Ordered by created_at, then name. */
  list(options?: ListServicesOptions): Promise<ServicePage>;
  /**
   * Sets the status atomically. Returns the updated service, or undefined when there is no such service or
   * (with `expected`) its status was not one of the expected ones; nothing changes then.
   */
  updateStatus(
    serviceId: string,
    status: ServiceStatus,
    options?: UpdateStatusOptions,
  ): Promise<Service | undefined>;
  /** Merges the given counters into the stored stats; undefined when there is no such service. */
  updateStats(serviceId: string, stats: Partial<ServiceStats>): Promise<Service | undefined>;
  /** Records when the last health check ran. */
  setLastHealthCheck(serviceId: string, timestamp: string): Promise<Service | undefined>;
  /** Adds one to restart_count atomically and returns the service. */
  incrementRestartCount(serviceId: string): Promise<Service | undefined>;
  setRestartCount(serviceId: string, count: number): Promise<Service | undefined>;
  /** Records the child process the service runs as (its pid and host); false when there is no such service. */
  setProcess(serviceId: string, process: { pid: number; host: string }): Promise<boolean>;
  /** Clears the recorded process if it is still this pid (a newer child's record stays); true when it was. */
  clearProcess(serviceId: string, pid: number): Promise<boolean>;
  /** Every recorded child process: all a later manager may ever stop as a stray. */
  listProcesses(): Promise<ServiceProcess[]>;
  /** Deletes the service with its tags, health history and log lines. True when it existed. */
  delete(serviceId: string): Promise<boolean>;
}

/** Options of {@link RuleRepository.list}. */
export interface ListRulesOptions {
  enabledOnly?: boolean;
}

/** Routing rules (spec C2): names are unique (a duplicate throws INVALID_REQUEST). */
export interface RuleRepository {
  /** Inserts or replaces the rule with this id. */
  save(rule: RoutingRuleInput): Promise<RoutingRule>;
  get(ruleId: string): Promise<RoutingRule | undefined>;
  getByName(name: string): Promise<RoutingRule | undefined>;
  /** Ordered by priority (highest first), then created_at (oldest first). */
  list(options?: ListRulesOptions): Promise<RoutingRule[]>;
  delete(ruleId: string): Promise<boolean>;
}

/** Options of {@link HealthRepository.append}. */
export interface AppendHealthOptions {
  /** Keep only this many newest results of the service afterwards (same transaction). */
  keep?: number;
}

/** Health check history (spec D3, D5). */
export interface HealthRepository {
  append(result: HealthCheckResultInput, options?: AppendHealthOptions): Promise<HealthCheckResult>;
  /** Several results in one transaction. */
  appendMany(results: readonly HealthCheckResultInput[]): Promise<number>;
  /** The newest `limit` results of a service (default 100), newest first. */
  recent(serviceId: string, limit?: number): Promise<HealthCheckResult[]>;
  latest(serviceId: string): Promise<HealthCheckResult | undefined>;
  /** Deletes all but the newest `keep` results of a service; returns how many went. */
  prune(serviceId: string, keep: number): Promise<number>;
}

/** Absolute values to set on a connection record. */
export interface ConnectionPatch {
  session_id?: string | null;
  target_service_id?: string;
  status?: ConnectionStatus;
  last_activity?: string;
  bytes_sent?: number;
  bytes_received?: number;
  message_count?: number;
  routing_strategy?: RoutingStrategy | null;
  routing_metadata?: Record<string, unknown>;
}

/** Amounts to add to a connection's counters (one atomic statement); last_activity moves to now. */
export interface ConnectionCounters {
  bytes_sent?: number;
  bytes_received?: number;
  message_count?: number;
}

/** Filters of {@link ConnectionRepository.list}. */
export interface ListConnectionsOptions {
  service_id?: string;
  status?: ConnectionStatus | readonly ConnectionStatus[];
  /** At most this many (default 100, max 10,000). */
  limit?: number;
  offset?: number;
}

/** A page of connection records, newest first, and how many match in all. */
export interface ConnectionPage {
  connections: ConnectionInfo[];
  total: number;
}

/** Totals over the stored connection records. */
export interface ConnectionStats {
  total: number;
  /** Not disconnected and not in error. */
  open: number;
  by_status: Record<ConnectionStatus, number>;
  /** Open connections per target service. */
  open_by_service: Record<string, number>;
  bytes_sent: number;
  bytes_received: number;
  message_count: number;
}

/** Connection records (spec E9, F4); target_service_id is not a foreign key, so records outlive services. */
export interface ConnectionRepository {
  /** Records a new connection; an existing id throws INVALID_REQUEST. */
  open(info: ConnectionInfoInput): Promise<ConnectionInfo>;
  update(connectionId: string, patch: ConnectionPatch): Promise<ConnectionInfo | undefined>;
  /** Adds to the counters atomically. */
  addCounters(connectionId: string, counters: ConnectionCounters): Promise<ConnectionInfo | undefined>;
  /** Sets the final status (default 'disconnected') and disconnected_at (default now). */
  close(
    connectionId: string,
    status?: 'disconnected' | 'error',
    at?: string,
  ): Promise<ConnectionInfo | undefined>;
  get(connectionId: string): Promise<ConnectionInfo | undefined>;
  list(options?: ListConnectionsOptions): Promise<ConnectionPage>;
  stats(): Promise<ConnectionStats>;
  /** Deletes closed records that disconnected before `before`; returns how many went. */
  pruneClosed(before: string): Promise<number>;
  /**
   * Closes every record still open (a manager that died left them so) as `status` (default 'disconnected')
   * at `at` (default now); returns how many.
   */
  closeOpen(status?: 'disconnected' | 'error', at?: string): Promise<number>;
}

/** The manager that holds a database: one at a time, until several can share one on purpose (spec I1). */
export interface ManagerLease {
  /** Unique per manager instance (a UUID). */
  owner_id: string;
  /** The host name of the machine it runs on. */
  host: string;
  pid: number;
  started_at: string;
  /** Moved forward while the manager lives; a lease not renewed within its TTL may be taken over. */
  heartbeat_at: string;
}

/** The lease row of a database (a compare-and-set on one row, so two managers never both hold it). */
export interface LeaseRepository {
  /** The current holder, if any. */
  get(): Promise<ManagerLease | undefined>;
  /**
   * Takes the lease when nobody holds it, or, with `replacing`, from that owner (one the caller found
   * gone). False when another manager holds it (or took it first).
   */
  acquire(lease: ManagerLease, replacing?: string): Promise<boolean>;
  /** Moves the heartbeat to `at`; false when the lease is no longer this owner's. */
  renew(ownerId: string, at: string): Promise<boolean>;
  /** Lets go of the lease if this owner holds it; true when it did. */
  release(ownerId: string): Promise<boolean>;
  /**
   * The database's state secret, shared by every agent server its managers start so that one can restore
   * another's signed session states: `candidate` is stored the first time, the stored one returned after.
   */
  stateSecret(candidate: string): Promise<string>;
}

/** A log line as a caller writes it: `fields` may be left out. */
export type LogLineInput = Omit<LogLine, 'fields'> & { fields?: Record<string, unknown> };

/** A stored log line with its id (increasing in append order; use it to follow a log). */
export type StoredLogLine = LogLine & { id: number };

/** Filters of {@link LogRepository.list}. */
export interface ListLogsOptions {
  /** Minimum level: 'warn' gives warn and error. */
  level?: LogLevel;
  /** Only lines at or after this timestamp. */
  since?: string;
  /** Only lines appended after this id (for following). */
  afterId?: number;
  /** The newest `limit` matching lines (default 100, max 10,000). */
  limit?: number;
}

/** Options of {@link LogRepository.search}. */
export interface SearchLogsOptions {
  service_id?: string;
  level?: LogLevel;
  limit?: number;
}

/** Log lines of services (spec B13, F6), bounded per service with {@link LogRepository.prune}. */
export interface LogRepository {
  /** Appends lines in one transaction; all or none. Returns how many were stored. */
  append(lines: readonly LogLineInput[]): Promise<number>;
  /** The newest matching lines of a service, returned oldest first (like `tail`). */
  list(serviceId: string, options?: ListLogsOptions): Promise<StoredLogLine[]>;
  /** Lines whose message contains `text` (case-insensitive), newest matches returned oldest first. */
  search(text: string, options?: SearchLogsOptions): Promise<StoredLogLine[]>;
  /** Deletes all but the newest `keep` lines of a service; returns how many went. */
  prune(serviceId: string, keep: number): Promise<number>;
}

/** One raw sample of a metric: `service_id` null for a system-wide metric; `ts` in epoch ms. */
export interface MetricSampleInput {
  service_id: string | null;
  metric: string;
  value: number;
  ts: number;
}

/** How a series folds into buckets: `avg` for gauges (connections, cpu), `sum` for counts (errors). */
export type MetricAggregate = 'avg' | 'sum';

/** A time series query over `[from, to)` in epoch ms, in buckets of `interval` ms starting at `from`. */
export interface MetricQuery {
  metric: string;
  service_id: string | null;
  from: number;
  to: number;
  interval: number;
  aggregate: MetricAggregate;
}

/** One bucket of a series; buckets without samples are left out. */
export interface MetricPoint {
  ts: number;
  value: number;
}

/** A rollup tier: rows of `resolution` ms (0 = raw) kept for `keepMs`. Ordered finest first. */
export interface MetricTier {
  resolution: number;
  keepMs: number;
}

/** Metric time series (spec H3): raw samples, rolled up into coarser tiers, each tier bounded in age. */
export interface MetricRepository {
  /** Appends raw samples in one transaction; returns how many. */
  append(samples: readonly MetricSampleInput[]): Promise<number>;
  /**
   * Rolls every complete bucket of each tier (after the first) up from the tier before it, then deletes
   * what each tier holds beyond its age. Returns how many rows were written and deleted.
   */
  maintain(tiers: readonly MetricTier[], now: number): Promise<{ rolled: number; pruned: number }>;
  /** Buckets from the finest tier that still holds `from`, and finer tiers for what is not rolled yet. */
  query(query: MetricQuery, tiers: readonly MetricTier[], now: number): Promise<MetricPoint[]>;
}

/** How {@link TotalsRepository.apply} combines a value with the stored one. */
export type TotalMode = 'add' | 'max' | 'set';

/** Counters that must outlive agent processes and the manager itself (stat totals, peaks). */
export interface TotalsRepository {
  /** Adds to, raises or sets each `(scope, key)` in one transaction. */
  apply(entries: readonly { scope: string; key: string; value: number; mode: TotalMode }[]): Promise<void>;
  /** Every total of a scope (or of every scope, keyed `scope` then `key`). */
  get(scope: string): Promise<Record<string, number>>;
  all(): Promise<Record<string, Record<string, number>>>;
}

/** Filters of {@link AuditRepository.list}. */
export interface ListAuditOptions {
  /** Newest first; at most this many (default 100, max 10,000). */
  limit?: number;
  /** Only entries at or after this timestamp. */
  since?: string;
  service_id?: string;
}

/** The operation log (spec H4), bounded with {@link AuditRepository.prune}. */
export interface AuditRepository {
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /** Newest first, with how many match in all. */
  list(options?: ListAuditOptions): Promise<{ entries: AuditEntry[]; total: number }>;
  /** Keeps the newest `keep` entries; returns how many went. */
  prune(keep: number): Promise<number>;
}

/** A webhook as stored, with its secret. */
export type StoredWebhook = Webhook & { secret: string | null };

/** Absolute values to set on a delivery. */
export interface DeliveryPatch {
  status?: WebhookDelivery['status'];
  attempts?: number;
  response_status?: number | null;
  error?: string | null;
}

/** Alert webhooks and their deliveries (spec D6); deliveries go with their webhook. */
export interface WebhookRepository {
  /** Inserts or replaces the webhook with this id (`has_secret` is derived from `secret`). */
  save(webhook: Omit<StoredWebhook, 'has_secret'>): Promise<StoredWebhook>;
  get(webhookId: string): Promise<StoredWebhook | undefined>;
  /** Oldest first. */
  list(): Promise<StoredWebhook[]>;
  delete(webhookId: string): Promise<boolean>;
  /** Records a new delivery; a webhook that is gone throws WEBHOOK_NOT_FOUND. */
  addDelivery(delivery: WebhookDelivery): Promise<WebhookDelivery>;
  updateDelivery(deliveryId: string, patch: DeliveryPatch): Promise<WebhookDelivery | undefined>;
  /** Newest first, of one webhook or all. */
  deliveries(options?: {
    webhook_id?: string;
    limit?: number;
  }): Promise<{ deliveries: WebhookDelivery[]; total: number }>;
  /** Keeps the newest `keep` deliveries of each webhook; returns how many went. */
  pruneDeliveries(keep: number): Promise<number>;
}

/** Filters of {@link TraceRepository.list}. */
export interface ListTracesOptions {
  service_id?: string;
  session_id?: string;
  status?: TraceStatus;
  /** The newest `limit` matching runs (default 50, max 10,000). */
  limit?: number;
  offset?: number;
}

/** A page of runs, newest first, and how many match in all. */
export interface TracePage {
  traces: TraceSummary[];
  total: number;
}

/** What one {@link TraceRepository.write} stores: summaries to insert or replace, events to append. */
export interface TraceBatch {
  summaries: readonly TraceSummary[];
  events: readonly TraceEvent[];
}

/** Traces of agent runs (spec H2), bounded with {@link TraceRepository.prune}. */
export interface TraceRepository {
  /** Upserts the summaries, then appends the events (each naming a trace of the batch or stored), in one transaction. */
  write(batch: TraceBatch): Promise<void>;
  list(options?: ListTracesOptions): Promise<TracePage>;
  /** A run and its events in arrival order, or undefined. */
  get(traceId: string): Promise<{ trace: TraceSummary; events: TraceEvent[] } | undefined>;
  /** Deletes all but the newest `keep` runs (by start time) with their events; returns how many runs went. */
  prune(keep: number): Promise<number>;
}

/** An open store: one repository per entity. Close it (or `await using`) to release the database. */
export interface Storage extends AsyncDisposable {
  readonly dialect: StorageDialect;
  readonly services: ServiceRepository;
  readonly rules: RuleRepository;
  readonly health: HealthRepository;
  readonly connections: ConnectionRepository;
  readonly logs: LogRepository;
  readonly lease: LeaseRepository;
  readonly metrics: MetricRepository;
  readonly totals: TotalsRepository;
  readonly audit: AuditRepository;
  readonly webhooks: WebhookRepository;
  readonly traces: TraceRepository;
  /** Closes the database; later calls are no-ops. */
  close(): Promise<void>;
}
