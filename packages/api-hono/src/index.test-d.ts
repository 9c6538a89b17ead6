// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/api-hono's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.

import type { AppError } from '@myagent/models';
import { expectTypeOf, it } from 'vitest';
import {
  type Actor,
  type ApiEnv,
  type ApiHost,
  type ApiOptionsInput,
  type ApiToken,
  type AuditTarget,
  type ClientNotification,
  type ConnectionCounts,
  type ConnectionQuery,
  type CreateApiOptions,
  createApi,
  createTokenAuth,
  type HealthState,
  type LogEntry,
  type ManagerEvent,
  type SeriesAnswer,
  type SeriesQuery,
  type ServiceQuery,
  type ServiceUpdateResult,
  type TokenAuth,
  type TraceQuery,
  toAppError,
} from './index.js';

it('Actor', () => {
  expectTypeOf<Actor>().toEqualTypeOf<string>();
});

it('ApiEnv', () => {
  expectTypeOf<keyof ApiEnv>().toEqualTypeOf<'Variables'>();
});

it('ApiHost', () => {
  expectTypeOf<keyof ApiHost>().toEqualTypeOf<
    | 'addRoutingRule'
    | 'checkAllServices'
    | 'checkService'
    | 'createWebhook'
    | 'deleteWebhook'
    | 'disconnectConnection'
    | 'explainRoute'
    | 'findRoutingRule'
    | 'findService'
    | 'getConnectionStats'
    | 'getTrace'
    | 'getWebhook'
    | 'healthHistory'
    | 'healthState'
    | 'healthSummary'
    | 'info'
    | 'listAudit'
    | 'listConnections'
    | 'listDeliveries'
    | 'listRoutingRules'
    | 'listServices'
    | 'listTraces'
    | 'listWebhooks'
    | 'managerHealth'
    | 'notifyClients'
    | 'onEvent'
    | 'onLog'
    | 'recordAudit'
    | 'registerService'
    | 'removeRoutingRule'
    | 'restartService'
    | 'searchLogs'
    | 'serviceLogs'
    | 'startService'
    | 'statsOverview'
    | 'stopService'
    | 'systemStats'
    | 'testWebhook'
    | 'timeseries'
    | 'unregisterService'
    | 'updateRoutingRule'
    | 'updateService'
    | 'updateWebhook'
  >();
});

it('ApiOptionsInput', () => {
  expectTypeOf<keyof ApiOptionsInput>().toEqualTypeOf<
    | 'corsOrigins'
    | 'maxBodyBytes'
    | 'onInternalError'
    | 'onResponse'
    | 'signal'
    | 'sseHeartbeatMs'
    | 'sseMaxBufferedBytes'
    | 'sseMaxStreams'
    | 'tokens'
  >();
});

it('ApiToken', () => {
  expectTypeOf<keyof ApiToken>().toEqualTypeOf<'name' | 'token'>();
});

it('AuditTarget', () => {
  expectTypeOf<keyof AuditTarget>().toEqualTypeOf<'action' | 'service_id' | 'target_id' | 'target_type'>();
});

it('ClientNotification', () => {
  expectTypeOf<keyof ClientNotification>().toEqualTypeOf<
    'countdown_seconds' | 'message' | 'severity' | 'type'
  >();
});

it('ConnectionCounts', () => {
  expectTypeOf<keyof ConnectionCounts>().toEqualTypeOf<
    'active_connections' | 'by_service' | 'by_status' | 'total_connections'
  >();
});

it('ConnectionQuery', () => {
  expectTypeOf<keyof ConnectionQuery>().toEqualTypeOf<'limit' | 'service_id' | 'status'>();
});

it('createApi', () => {
  expectTypeOf(createApi).parameters.toEqualTypeOf<[host: ApiHost, options?: CreateApiOptions]>();
});

it('CreateApiOptions', () => {
  expectTypeOf<keyof CreateApiOptions>().toEqualTypeOf<
    | 'corsOrigins'
    | 'maxBodyBytes'
    | 'onInternalError'
    | 'onResponse'
    | 'publicPaths'
    | 'signal'
    | 'sseHeartbeatMs'
    | 'sseMaxBufferedBytes'
    | 'sseMaxStreams'
    | 'tokens'
  >();
});

it('createTokenAuth', () => {
  expectTypeOf(createTokenAuth).parameters.toEqualTypeOf<
    [tokens: ReadonlyArray<{ name: string; token: string }>]
  >();
  expectTypeOf(createTokenAuth).returns.toEqualTypeOf<TokenAuth>();
});

it('HealthState', () => {
  expectTypeOf<keyof HealthState>().toEqualTypeOf<'last_result' | 'status'>();
});

it('LogEntry', () => {
  expectTypeOf<keyof LogEntry>().toEqualTypeOf<
    'fields' | 'id' | 'level' | 'message' | 'service_id' | 'stream' | 'timestamp'
  >();
});

it('ManagerEvent', () => {
  expectTypeOf<keyof ManagerEvent>().toEqualTypeOf<'data' | 'service_id' | 'type'>();
});

it('SeriesAnswer', () => {
  expectTypeOf<keyof SeriesAnswer>().toEqualTypeOf<'aggregate' | 'points'>();
});

it('SeriesQuery', () => {
  expectTypeOf<keyof SeriesQuery>().toEqualTypeOf<'from' | 'interval' | 'metric' | 'service_id' | 'to'>();
});

it('ServiceQuery', () => {
  expectTypeOf<keyof ServiceQuery>().toEqualTypeOf<'limit' | 'offset' | 'status' | 'tags'>();
});

it('ServiceUpdateResult', () => {
  expectTypeOf<keyof ServiceUpdateResult>().toEqualTypeOf<
    'applied_now' | 'changed' | 'pending_restart' | 'restarted' | 'service'
  >();
});

it('toAppError', () => {
  expectTypeOf(toAppError).parameters.toEqualTypeOf<[error: unknown]>();
  expectTypeOf(toAppError).returns.toEqualTypeOf<AppError>();
});

it('TokenAuth', () => {
  expectTypeOf<keyof TokenAuth>().toEqualTypeOf<'identify' | 'required'>();
});

it('TraceQuery', () => {
  expectTypeOf<keyof TraceQuery>().toEqualTypeOf<
    'limit' | 'offset' | 'service_id' | 'session_id' | 'status'
  >();
});
