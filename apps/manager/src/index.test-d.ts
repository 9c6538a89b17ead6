// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/manager's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import type { EventEmitter } from 'node:events';
import type { ApiHost, TokenAuth } from '@myagent/api-hono';
import type { HealthSummary } from '@myagent/health';
import type { ConnectionStats } from '@myagent/router';
import { expectTypeOf, it } from 'vitest';
import {
  type AgentManager,
  type AgentManagerEvents,
  type AgentManagerOptions,
  type AlertOptions,
  type Alerts,
  type AuditLog,
  type ClientNotification,
  type ConnectionChange,
  type ConsoleOptions,
  coded,
  createApiHost,
  createManagerApp,
  createOtlpExporter,
  type DaemonHooks,
  type DrainOptions,
  guardUpgrade,
  isLoopback,
  type ListServicesFilter,
  type LiveConnection,
  type ManagerPort,
  type ManagerPortOptions,
  type ManagerProxyOptions,
  type ManagerServer,
  type ManagerTraceOptions,
  type ManagerTraces,
  type MetricsOptions,
  type MetricsSampler,
  type OperationEvents,
  type OperationsOptions,
  type OtlpExporter,
  type OtlpExporterOptions,
  type RegisterConnectionInput,
  type RoutingFailure,
  runDaemon,
  type ServeManagerOptions,
  type ServiceChange,
  type ServiceUpdateResult,
  type StartOptions,
  type StatsOverview,
  type SystemStats,
  serveManager,
  serveManagerPort,
  systemStats,
  type TraceCounters,
  type TraceFilter,
  type TraceHub,
  type TraceHubOptions,
  type UpgradeHandler,
} from './index.js';

it('AgentManager', () => {
  expectTypeOf<Exclude<keyof AgentManager, keyof EventEmitter>>().toEqualTypeOf<
    | typeof Symbol.asyncDispose
    | 'addRoutingRule'
    | 'alerts'
    | 'audit'
    | 'checkAllServicesHealth'
    | 'checkServiceHealth'
    | 'countServices'
    | 'disconnectConnection'
    | 'explainRoute'
    | 'getActiveConnections'
    | 'getConnectionStats'
    | 'getHealthState'
    | 'getHealthSummary'
    | 'getManagerInfo'
    | 'getRoutingRule'
    | 'getRoutingRules'
    | 'getService'
    | 'getServiceByName'
    | 'getServiceHealthHistory'
    | 'getServiceLogs'
    | 'getStatTotals'
    | 'getStatsOverview'
    | 'getSystemStats'
    | 'handleTraceUpgrade'
    | 'handleUpgrade'
    | 'listConnections'
    | 'listServices'
    | 'metrics'
    | 'notifyClients'
    | 'options'
    | 'registerConnection'
    | 'registerService'
    | 'removeRoutingRule'
    | 'reportRoutingFailure'
    | 'restartService'
    | 'routeConnection'
    | 'running'
    | 'searchLogs'
    | 'start'
    | 'startAllServices'
    | 'startService'
    | 'stop'
    | 'stopAllServices'
    | 'stopService'
    | 'traces'
    | 'unregisterConnection'
    | 'unregisterService'
    | 'updateRoutingRule'
    | 'updateService'
  >();
});

it('AgentManagerEvents', () => {
  expectTypeOf<keyof AgentManagerEvents>().toEqualTypeOf<
    | 'connection'
    | 'error'
    | 'health'
    | 'health_transition'
    | 'log'
    | 'restart'
    | 'restart_limit'
    | 'routing_failed'
    | 'service'
    | 'status'
  >();
});

it('AgentManagerOptions', () => {
  expectTypeOf<keyof AgentManagerOptions>().toEqualTypeOf<
    | 'affinity'
    | 'agentServer'
    | 'alerts'
    | 'auditKeep'
    | 'cwd'
    | 'databaseUrl'
    | 'dbPath'
    | 'defaultStrategy'
    | 'healthHistoryKeep'
    | 'healthThresholds'
    | 'leaseTtlMs'
    | 'metrics'
    | 'portRange'
    | 'proxy'
    | 'readyTimeoutMs'
    | 'restart'
    | 'serverArgs'
    | 'stateSecret'
    | 'stopGraceMs'
    | 'storage'
    | 'traces'
    | 'unhealthyGraceMs'
  >();
});

it('AlertOptions', () => {
  expectTypeOf<keyof AlertOptions>().toEqualTypeOf<
    'attempts' | 'backoffMs' | 'concurrency' | 'keepDeliveries' | 'maxQueue' | 'timeoutMs'
  >();
});

it('Alerts', () => {
  expectTypeOf<keyof Alerts>().toEqualTypeOf<
    | 'close'
    | 'create'
    | 'delete'
    | 'deliveries'
    | 'dropped'
    | 'get'
    | 'idle'
    | 'list'
    | 'notify'
    | 'test'
    | 'update'
  >();
});

it('AuditLog', () => {
  expectTypeOf<keyof AuditLog>().toEqualTypeOf<'list' | 'record'>();
});

it('ClientNotification', () => {
  expectTypeOf<keyof ClientNotification>().toEqualTypeOf<
    'countdown_seconds' | 'message' | 'severity' | 'type'
  >();
});

it('coded', () => {
  expectTypeOf(coded).parameters.toEqualTypeOf<[error: unknown]>();
  expectTypeOf(coded).returns.toEqualTypeOf<string>();
});

it('ConnectionChange', () => {
  expectTypeOf<keyof ConnectionChange>().toEqualTypeOf<'action' | 'connection_id' | 'service_id'>();
});

it('ConsoleOptions', () => {
  expectTypeOf<keyof ConsoleOptions>().toEqualTypeOf<'dir' | 'reserved'>();
});

it('createApiHost', () => {
  expectTypeOf(createApiHost).parameters.toEqualTypeOf<[manager: AgentManager]>();
  expectTypeOf(createApiHost).returns.toEqualTypeOf<ApiHost>();
});

it('createManagerApp', () => {
  expectTypeOf(createManagerApp).parameters.toEqualTypeOf<
    [manager: AgentManager, options?: Pick<ServeManagerOptions, 'tokens' | 'corsOrigins' | 'maxBodyBytes'>]
  >();
});

it('createOtlpExporter', () => {
  expectTypeOf(createOtlpExporter).parameters.toEqualTypeOf<[options?: OtlpExporterOptions]>();
  expectTypeOf(createOtlpExporter).returns.toEqualTypeOf<OtlpExporter | undefined>();
});

it('DaemonHooks', () => {
  expectTypeOf<keyof DaemonHooks>().toEqualTypeOf<'onReady'>();
});

it('DrainOptions', () => {
  expectTypeOf<keyof DrainOptions>().toEqualTypeOf<'countdown_seconds'>();
});

it('guardUpgrade', () => {
  expectTypeOf(guardUpgrade).parameters.toEqualTypeOf<[auth: TokenAuth, handler: UpgradeHandler]>();
  expectTypeOf(guardUpgrade).returns.toEqualTypeOf<UpgradeHandler>();
});

it('isLoopback', () => {
  expectTypeOf(isLoopback).parameters.toEqualTypeOf<[host: string]>();
  expectTypeOf(isLoopback).returns.toEqualTypeOf<boolean>();
});

it('ListServicesFilter', () => {
  expectTypeOf<keyof ListServicesFilter>().toEqualTypeOf<'limit' | 'offset' | 'status' | 'tags'>();
});

it('LiveConnection', () => {
  expectTypeOf<keyof LiveConnection>().toEqualTypeOf<
    | 'bytes_received'
    | 'bytes_sent'
    | 'client_ip'
    | 'client_port'
    | 'connected_at'
    | 'connection_id'
    | 'disconnected_at'
    | 'last_activity'
    | 'message_count'
    | 'routing_metadata'
    | 'routing_strategy'
    | 'session_id'
    | 'session_ids'
    | 'status'
    | 'target_service_id'
    | 'user_agent'
  >();
});

it('ManagerPort', () => {
  expectTypeOf<keyof ManagerPort>().toEqualTypeOf<'close' | 'server' | 'url'>();
});

it('ManagerPortOptions', () => {
  expectTypeOf<keyof ManagerPortOptions>().toEqualTypeOf<
    'guard' | 'host' | 'onRequest' | 'port' | 'server' | 'upgrades'
  >();
});

it('ManagerProxyOptions', () => {
  expectTypeOf<keyof ManagerProxyOptions>().toEqualTypeOf<
    | 'closeTimeoutMs'
    | 'connectTimeoutMs'
    | 'failoverWaitMs'
    | 'maxBufferedBytes'
    | 'maxConnections'
    | 'maxMessageBytes'
    | 'maxPendingHandshakes'
    | 'maxStateBytes'
    | 'proxyMetadata'
    | 'routedEvent'
    | 'statsIntervalMs'
    | 'trustedProxies'
  >();
});

it('ManagerServer', () => {
  expectTypeOf<keyof ManagerServer>().toEqualTypeOf<'close' | 'server' | 'url' | 'urls'>();
});

it('ManagerTraceOptions', () => {
  expectTypeOf<keyof ManagerTraceOptions>().toEqualTypeOf<
    | 'flushIntervalMs'
    | 'heartbeatMs'
    | 'maxBufferedBytes'
    | 'maxClients'
    | 'maxEventsPerTrace'
    | 'maxLiveTraces'
    | 'maxMessageBytes'
    | 'maxPendingEvents'
    | 'maxTraces'
    | 'otlp'
  >();
});

it('ManagerTraces', () => {
  expectTypeOf<keyof ManagerTraces>().toEqualTypeOf<'close' | 'get' | 'hub' | 'list' | 'stream'>();
});

it('MetricsOptions', () => {
  expectTypeOf<keyof MetricsOptions>().toEqualTypeOf<'intervalMs' | 'maintainEveryMs' | 'tiers'>();
});

it('MetricsSampler', () => {
  expectTypeOf<keyof MetricsSampler>().toEqualTypeOf<
    'intervalMs' | 'query' | 'sampleNow' | 'start' | 'stop' | 'tiers'
  >();
});

it('OperationEvents', () => {
  expectTypeOf<keyof OperationEvents>().toEqualTypeOf<
    'connection' | 'health_transition' | 'log' | 'restart' | 'restart_limit' | 'routing_failed' | 'service'
  >();
});

it('OperationsOptions', () => {
  expectTypeOf<keyof OperationsOptions>().toEqualTypeOf<'alerts' | 'auditKeep' | 'metrics'>();
});

it('OtlpExporter', () => {
  expectTypeOf<keyof OtlpExporter>().toEqualTypeOf<'close' | 'counters' | 'export' | 'flush' | 'url'>();
});

it('OtlpExporterOptions', () => {
  expectTypeOf<keyof OtlpExporterOptions>().toEqualTypeOf<
    | 'endpoint'
    | 'env'
    | 'flushIntervalMs'
    | 'headers'
    | 'maxBatch'
    | 'maxQueue'
    | 'onError'
    | 'timeoutMs'
    | 'tracesEndpoint'
  >();
});

it('RegisterConnectionInput', () => {
  expectTypeOf<keyof RegisterConnectionInput>().toEqualTypeOf<
    | 'bytes_received'
    | 'bytes_sent'
    | 'client_ip'
    | 'client_port'
    | 'connected_at'
    | 'connection_id'
    | 'disconnected_at'
    | 'last_activity'
    | 'message_count'
    | 'routing_metadata'
    | 'routing_strategy'
    | 'service'
    | 'session_id'
    | 'status'
    | 'target_service_id'
    | 'user_agent'
  >();
});

it('RoutingFailure', () => {
  expectTypeOf<keyof RoutingFailure>().toEqualTypeOf<
    'client_ip' | 'code' | 'message' | 'requested' | 'timestamp'
  >();
});

it('runDaemon', () => {
  expectTypeOf(runDaemon).parameters.toEqualTypeOf<[argv: Array<string>, hooks?: DaemonHooks]>();
  expectTypeOf(runDaemon).returns.toEqualTypeOf<Promise<void>>();
});

it('serveManager', () => {
  expectTypeOf(serveManager).parameters.toEqualTypeOf<
    [manager: AgentManager, options?: ServeManagerOptions]
  >();
  expectTypeOf(serveManager).returns.toEqualTypeOf<Promise<ManagerServer>>();
});

it('ServeManagerOptions', () => {
  expectTypeOf<keyof ServeManagerOptions>().toEqualTypeOf<
    | 'console'
    | 'corsOrigins'
    | 'headersTimeoutMs'
    | 'host'
    | 'keepAliveTimeoutMs'
    | 'maxBodyBytes'
    | 'maxConnectionsPerIp'
    | 'maxPendingHandshakes'
    | 'port'
    | 'requestTimeoutMs'
    | 'tokens'
    | 'upgrades'
  >();
});

it('serveManagerPort', () => {
  expectTypeOf(serveManagerPort).parameters.toEqualTypeOf<[options: ManagerPortOptions]>();
  expectTypeOf(serveManagerPort).returns.toEqualTypeOf<Promise<ManagerPort>>();
});

it('ServiceChange', () => {
  expectTypeOf<keyof ServiceChange>().toEqualTypeOf<'action' | 'name' | 'service_id'>();
});

it('ServiceUpdateResult', () => {
  expectTypeOf<keyof ServiceUpdateResult>().toEqualTypeOf<
    'applied_now' | 'changed' | 'pending_restart' | 'restarted' | 'service'
  >();
});

it('StartOptions', () => {
  expectTypeOf<keyof StartOptions>().toEqualTypeOf<'healthCheckInterval' | 'reconcile'>();
});

it('StatsOverview', () => {
  expectTypeOf<keyof StatsOverview>().toEqualTypeOf<
    'connections' | 'performance' | 'resources' | 'services' | 'sessions'
  >();
});

it('systemStats', () => {
  expectTypeOf(systemStats).parameters.toEqualTypeOf<
    [
      input: {
        services: ReadonlyArray<{
          service_id: string;
          name: string;
          description: string;
          host: string;
          port: number;
          endpoint: string;
          tags: Array<string>;
          agent_type: string;
          version: string;
          status: 'error' | 'stopped' | 'starting' | 'running' | 'stopping' | 'unhealthy';
          created_at: string;
          started_at: string | null;
          last_health_check: string | null;
          error_message: string | null;
          restart_count: number;
          restart_due_at: string | null;
          config: {
            environment: { [x: string]: string };
            agent_factory_path: string;
            max_sessions: number;
            session_timeout: number;
            heartbeat_interval: number;
            run_timeout: number;
            memory_limit_mb: number | null;
            cpu_limit_percent: number | null;
            auto_restart: boolean;
            max_restart_count: number;
            restart_delay: number;
            health_check_enabled: boolean;
            health_check_interval: number;
            health_check_timeout: number;
          };
          stats: {
            total_connections: number;
            active_connections: number;
            peak_connections: number;
            total_sessions: number;
            active_sessions: number;
            completed_sessions: number;
            avg_session_duration: number;
            avg_response_time: number;
            error_count: number;
            error_rate: number;
            uptime_seconds: number;
            memory_usage_mb: number;
            cpu_usage_percent: number;
            last_updated: string | null;
          };
        }>;
        connections: ConnectionStats;
        health: HealthSummary;
        uptimeSeconds: number;
      },
    ]
  >();
  expectTypeOf(systemStats).returns.toEqualTypeOf<SystemStats>();
});

it('SystemStats', () => {
  expectTypeOf<keyof SystemStats>().toEqualTypeOf<
    'connections' | 'health' | 'performance' | 'resources' | 'services' | 'sessions' | 'uptime_seconds'
  >();
});

it('TraceCounters', () => {
  expectTypeOf<keyof TraceCounters>().toEqualTypeOf<'accepted' | 'dropped' | 'rejected'>();
});

it('TraceFilter', () => {
  expectTypeOf<keyof TraceFilter>().toEqualTypeOf<'service_id' | 'session_id'>();
});

it('TraceHub', () => {
  expectTypeOf<keyof TraceHub>().toEqualTypeOf<
    'announce' | 'claimLine' | 'close' | 'counters' | 'flush' | 'ingest' | 'prune' | 'subscribe'
  >();
});

it('TraceHubOptions', () => {
  expectTypeOf<keyof TraceHubOptions>().toEqualTypeOf<
    'flushIntervalMs' | 'maxEventsPerTrace' | 'maxLiveTraces' | 'maxPendingEvents' | 'maxTraces' | 'onError'
  >();
});

it('UpgradeHandler', () => {});
