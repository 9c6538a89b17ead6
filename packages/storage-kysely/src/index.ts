// Opening a store
export { createPostgresStorage, createSqliteStorage, openStorage } from './storage.js';

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
  OpenStorageOptions,
  PostgresStorageOptions,
  RuleRepository,
  SearchLogsOptions,
  ServicePage,
  ServiceProcess,
  ServiceRepository,
  SqliteStorageOptions,
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
