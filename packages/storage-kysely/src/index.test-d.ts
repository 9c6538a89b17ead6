// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/storage-kysely's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type AppendHealthOptions,
  type AuditRepository,
  type ConnectionCounters,
  type ConnectionPage,
  type ConnectionPatch,
  type ConnectionRepository,
  type ConnectionStats,
  createMigrationProvider,
  createPostgresStorage,
  createSqliteStorage,
  type Database,
  type DeliveryPatch,
  type HealthRepository,
  type LeaseRepository,
  type ListAuditOptions,
  type ListConnectionsOptions,
  type ListLogsOptions,
  type ListRulesOptions,
  type ListServicesOptions,
  type ListTracesOptions,
  type LogLineInput,
  type LogRepository,
  type ManagerLease,
  type MetricAggregate,
  type MetricPoint,
  type MetricQuery,
  type MetricRepository,
  type MetricSampleInput,
  type MetricTier,
  migrateToLatest,
  type OpenStorageOptions,
  openStorage,
  type PostgresStorageOptions,
  type RuleRepository,
  type SearchLogsOptions,
  type ServicePage,
  type ServiceProcess,
  type ServiceRepository,
  type SqliteStorageOptions,
  type Storage,
  type StorageDialect,
  type StoredLogLine,
  type StoredWebhook,
  type TotalMode,
  type TotalsRepository,
  type TraceBatch,
  type TracePage,
  type TraceRepository,
  type UpdateStatusOptions,
  type WebhookRepository,
} from './index.js';

it('AppendHealthOptions', () => {
  expectTypeOf<keyof AppendHealthOptions>().toEqualTypeOf<'keep'>();
});

it('AuditRepository', () => {
  expectTypeOf<keyof AuditRepository>().toEqualTypeOf<'append' | 'list' | 'prune'>();
});

it('ConnectionCounters', () => {
  expectTypeOf<keyof ConnectionCounters>().toEqualTypeOf<'bytes_received' | 'bytes_sent' | 'message_count'>();
});

it('ConnectionPage', () => {
  expectTypeOf<keyof ConnectionPage>().toEqualTypeOf<'connections' | 'total'>();
});

it('ConnectionPatch', () => {
  expectTypeOf<keyof ConnectionPatch>().toEqualTypeOf<
    | 'bytes_received'
    | 'bytes_sent'
    | 'last_activity'
    | 'message_count'
    | 'routing_metadata'
    | 'routing_strategy'
    | 'session_id'
    | 'status'
    | 'target_service_id'
  >();
});

it('ConnectionRepository', () => {
  expectTypeOf<keyof ConnectionRepository>().toEqualTypeOf<
    'addCounters' | 'close' | 'closeOpen' | 'get' | 'list' | 'open' | 'pruneClosed' | 'stats' | 'update'
  >();
});

it('ConnectionStats', () => {
  expectTypeOf<keyof ConnectionStats>().toEqualTypeOf<
    'by_status' | 'bytes_received' | 'bytes_sent' | 'message_count' | 'open' | 'open_by_service' | 'total'
  >();
});

it('createMigrationProvider', () => {
  expectTypeOf(createMigrationProvider).parameters.toEqualTypeOf<[dialect: StorageDialect]>();
});

it('createPostgresStorage', () => {
  expectTypeOf(createPostgresStorage).parameters.toEqualTypeOf<
    [input: { url: string; schema?: string | undefined; maxConnections?: number | undefined }]
  >();
  expectTypeOf(createPostgresStorage).returns.toEqualTypeOf<Promise<Storage>>();
});

it('createSqliteStorage', () => {
  expectTypeOf(createSqliteStorage).parameters.toEqualTypeOf<
    [input: { path: string; busyTimeout?: number | undefined }]
  >();
  expectTypeOf(createSqliteStorage).returns.toEqualTypeOf<Promise<Storage>>();
});

it('Database', () => {
  expectTypeOf<keyof Database>().toEqualTypeOf<
    | 'audit_log'
    | 'connections'
    | 'health_checks'
    | 'manager_lease'
    | 'metric_samples'
    | 'routing_rules'
    | 'service_logs'
    | 'service_tags'
    | 'services'
    | 'stat_totals'
    | 'trace_events'
    | 'traces'
    | 'webhook_deliveries'
    | 'webhooks'
  >();
});

it('DeliveryPatch', () => {
  expectTypeOf<keyof DeliveryPatch>().toEqualTypeOf<'attempts' | 'error' | 'response_status' | 'status'>();
});

it('HealthRepository', () => {
  expectTypeOf<keyof HealthRepository>().toEqualTypeOf<
    'append' | 'appendMany' | 'latest' | 'prune' | 'recent'
  >();
});

it('LeaseRepository', () => {
  expectTypeOf<keyof LeaseRepository>().toEqualTypeOf<
    'acquire' | 'get' | 'release' | 'renew' | 'stateSecret'
  >();
});

it('ListAuditOptions', () => {
  expectTypeOf<keyof ListAuditOptions>().toEqualTypeOf<'limit' | 'service_id' | 'since'>();
});

it('ListConnectionsOptions', () => {
  expectTypeOf<keyof ListConnectionsOptions>().toEqualTypeOf<'limit' | 'offset' | 'service_id' | 'status'>();
});

it('ListLogsOptions', () => {
  expectTypeOf<keyof ListLogsOptions>().toEqualTypeOf<'afterId' | 'level' | 'limit' | 'since'>();
});

it('ListRulesOptions', () => {
  expectTypeOf<keyof ListRulesOptions>().toEqualTypeOf<'enabledOnly'>();
});

it('ListServicesOptions', () => {
  expectTypeOf<keyof ListServicesOptions>().toEqualTypeOf<'limit' | 'offset' | 'status' | 'tags'>();
});

it('ListTracesOptions', () => {
  expectTypeOf<keyof ListTracesOptions>().toEqualTypeOf<
    'limit' | 'offset' | 'service_id' | 'session_id' | 'status'
  >();
});

it('LogLineInput', () => {
  expectTypeOf<keyof LogLineInput>().toEqualTypeOf<
    'fields' | 'level' | 'message' | 'service_id' | 'stream' | 'timestamp'
  >();
});

it('LogRepository', () => {
  expectTypeOf<keyof LogRepository>().toEqualTypeOf<'append' | 'list' | 'prune' | 'search'>();
});

it('ManagerLease', () => {
  expectTypeOf<keyof ManagerLease>().toEqualTypeOf<
    'heartbeat_at' | 'host' | 'owner_id' | 'pid' | 'started_at'
  >();
});

it('MetricAggregate', () => {
  expectTypeOf<MetricAggregate>().toEqualTypeOf<'avg' | 'sum'>();
});

it('MetricPoint', () => {
  expectTypeOf<keyof MetricPoint>().toEqualTypeOf<'ts' | 'value'>();
});

it('MetricQuery', () => {
  expectTypeOf<keyof MetricQuery>().toEqualTypeOf<
    'aggregate' | 'from' | 'interval' | 'metric' | 'service_id' | 'to'
  >();
});

it('MetricRepository', () => {
  expectTypeOf<keyof MetricRepository>().toEqualTypeOf<'append' | 'maintain' | 'query'>();
});

it('MetricSampleInput', () => {
  expectTypeOf<keyof MetricSampleInput>().toEqualTypeOf<'metric' | 'service_id' | 'ts' | 'value'>();
});

it('MetricTier', () => {
  expectTypeOf<keyof MetricTier>().toEqualTypeOf<'keepMs' | 'resolution'>();
});

it('migrateToLatest', () => {
  expectTypeOf(migrateToLatest).returns.toEqualTypeOf<Promise<void>>();
});

it('openStorage', () => {
  expectTypeOf(openStorage).parameters.toEqualTypeOf<
    [
      input?: {
        path?: string | undefined;
        url?: string | undefined;
        busyTimeout?: number | undefined;
        schema?: string | undefined;
        maxConnections?: number | undefined;
      },
    ]
  >();
  expectTypeOf(openStorage).returns.toEqualTypeOf<Promise<Storage>>();
});

it('OpenStorageOptions', () => {
  expectTypeOf<keyof OpenStorageOptions>().toEqualTypeOf<
    'busyTimeout' | 'maxConnections' | 'path' | 'schema' | 'url'
  >();
});

it('PostgresStorageOptions', () => {
  expectTypeOf<keyof PostgresStorageOptions>().toEqualTypeOf<'maxConnections' | 'schema' | 'url'>();
});

it('RuleRepository', () => {
  expectTypeOf<keyof RuleRepository>().toEqualTypeOf<'delete' | 'get' | 'getByName' | 'list' | 'save'>();
});

it('SearchLogsOptions', () => {
  expectTypeOf<keyof SearchLogsOptions>().toEqualTypeOf<'level' | 'limit' | 'service_id'>();
});

it('ServicePage', () => {
  expectTypeOf<keyof ServicePage>().toEqualTypeOf<'services' | 'total'>();
});

it('ServiceProcess', () => {
  expectTypeOf<keyof ServiceProcess>().toEqualTypeOf<'host' | 'pid' | 'service_id'>();
});

it('ServiceRepository', () => {
  expectTypeOf<keyof ServiceRepository>().toEqualTypeOf<
    | 'clearProcess'
    | 'delete'
    | 'get'
    | 'getByName'
    | 'incrementRestartCount'
    | 'list'
    | 'listProcesses'
    | 'save'
    | 'setLastHealthCheck'
    | 'setProcess'
    | 'setRestartCount'
    | 'updateStats'
    | 'updateStatus'
  >();
});

it('SqliteStorageOptions', () => {
  expectTypeOf<keyof SqliteStorageOptions>().toEqualTypeOf<'busyTimeout' | 'path'>();
});

it('Storage', () => {
  expectTypeOf<keyof Storage>().toEqualTypeOf<
    | typeof Symbol.asyncDispose
    | 'audit'
    | 'close'
    | 'connections'
    | 'dialect'
    | 'health'
    | 'lease'
    | 'logs'
    | 'metrics'
    | 'rules'
    | 'services'
    | 'totals'
    | 'traces'
    | 'webhooks'
  >();
});

it('StorageDialect', () => {
  expectTypeOf<StorageDialect>().toEqualTypeOf<'sqlite' | 'postgres'>();
});

it('StoredLogLine', () => {
  expectTypeOf<keyof StoredLogLine>().toEqualTypeOf<
    'fields' | 'id' | 'level' | 'message' | 'service_id' | 'stream' | 'timestamp'
  >();
});

it('StoredWebhook', () => {
  expectTypeOf<keyof StoredWebhook>().toEqualTypeOf<
    | 'created_at'
    | 'description'
    | 'enabled'
    | 'events'
    | 'has_secret'
    | 'secret'
    | 'updated_at'
    | 'url'
    | 'webhook_id'
  >();
});

it('TotalMode', () => {
  expectTypeOf<TotalMode>().toEqualTypeOf<'add' | 'max' | 'set'>();
});

it('TotalsRepository', () => {
  expectTypeOf<keyof TotalsRepository>().toEqualTypeOf<'all' | 'apply' | 'get'>();
});

it('TraceBatch', () => {
  expectTypeOf<keyof TraceBatch>().toEqualTypeOf<'events' | 'summaries'>();
});

it('TracePage', () => {
  expectTypeOf<keyof TracePage>().toEqualTypeOf<'total' | 'traces'>();
});

it('TraceRepository', () => {
  expectTypeOf<keyof TraceRepository>().toEqualTypeOf<'get' | 'list' | 'prune' | 'write'>();
});

it('UpdateStatusOptions', () => {
  expectTypeOf<keyof UpdateStatusOptions>().toEqualTypeOf<
    'error_message' | 'expected' | 'restart_due_at' | 'started_at'
  >();
});

it('WebhookRepository', () => {
  expectTypeOf<keyof WebhookRepository>().toEqualTypeOf<
    'addDelivery' | 'delete' | 'deliveries' | 'get' | 'list' | 'pruneDeliveries' | 'save' | 'updateDelivery'
  >();
});
