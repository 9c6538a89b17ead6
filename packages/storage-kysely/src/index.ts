// Opening a store
export { createPostgresStorage, createSqliteStorage, openStorage } from './storage.js';

// Options, checked with valibot
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_SQLITE_PATH,
  OpenStorageOptions,
  PostgresStorageOptions,
  SqliteStorageOptions,
} from './options.js';

// The store and its repository interfaces
export type { Storage, StorageDialect } from './types.js';
export type { AuditRepository, ListAuditOptions } from './audit-repository.js';
export type {
  ConnectionCounters,
  ConnectionPage,
  ConnectionPatch,
  ConnectionRepository,
  ConnectionStats,
  ListConnectionsOptions,
} from './connection-repository.js';
export type { AppendHealthOptions, HealthRepository } from './health-repository.js';
export type { LeaseRepository, ManagerLease } from './lease-repository.js';
export type {
  ListLogsOptions,
  LogLineInput,
  LogRepository,
  SearchLogsOptions,
  StoredLogLine,
} from './log-repository.js';
export type {
  MetricAggregate,
  MetricPoint,
  MetricQuery,
  MetricRepository,
  MetricSampleInput,
  MetricTier,
} from './metric-repository.js';
export type { ListRulesOptions, RuleRepository } from './rule-repository.js';
export type {
  ListServicesOptions,
  ServicePage,
  ServiceProcess,
  ServiceRepository,
  UpdateStatusOptions,
} from './service-repository.js';
export type { TotalMode, TotalsRepository } from './totals-repository.js';
export type { ListTracesOptions, TraceBatch, TracePage, TraceRepository } from './trace-repository.js';
export type { DeliveryPatch, StoredWebhook, WebhookRepository } from './webhook-repository.js';

// Schema and migrations (for tools that query the tables directly)
export { createMigrationProvider, migrateToLatest } from './migrations.js';
export type {
  AuditLogTable,
  BigIntColumn,
  BoolColumn,
  ConnectionsTable,
  Database,
  HealthChecksTable,
  JsonColumn,
  ManagerLeaseTable,
  MetricSamplesTable,
  RoutingRulesTable,
  ServiceLogsTable,
  ServiceTagsTable,
  ServicesTable,
  StatTotalsTable,
  TraceEventsTable,
  TracesTable,
  WebhookDeliveriesTable,
  WebhooksTable,
} from './schema.js';
