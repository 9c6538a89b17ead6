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

// Repository interfaces
export type {
  AppendHealthOptions,
  AuditRepository,
  DeliveryPatch,
  ListAuditOptions,
  MetricAggregate,
  MetricPoint,
  MetricQuery,
  MetricRepository,
  MetricSampleInput,
  MetricTier,
  StoredWebhook,
  TotalMode,
  TotalsRepository,
  WebhookRepository,
  ConnectionCounters,
  ConnectionPage,
  ConnectionPatch,
  ConnectionRepository,
  ConnectionStats,
  HealthRepository,
  LeaseRepository,
  ListConnectionsOptions,
  ListLogsOptions,
  ListRulesOptions,
  ListServicesOptions,
  LogLineInput,
  LogRepository,
  ManagerLease,
  RuleRepository,
  SearchLogsOptions,
  ServicePage,
  ServiceProcess,
  ServiceRepository,
  Storage,
  StorageDialect,
  StoredLogLine,
  ListTracesOptions,
  TraceBatch,
  TracePage,
  TraceRepository,
  UpdateStatusOptions,
} from './types.js';

// Schema and migrations (for tools that query the tables directly)
export { createMigrationProvider, migrateToLatest } from './migrations.js';
export type { Database } from './schema.js';
