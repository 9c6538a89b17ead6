// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/ws-runtime's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.

import type { AgentModule } from '@myagent/models';
import { expectTypeOf, it } from 'vitest';
import {
  type AgentExport,
  type AgentRuntime,
  type AgentRuntimeOptions,
  type ConnectionGuard,
  type ConnectionGuardOptions,
  createAgentRuntime,
  createStateSigner,
  guardConnections,
  type LoadedAgent,
  loadAgentModule,
  type RuntimeLogger,
  type RuntimeSocket,
  type RuntimeStats,
  resolveAgent,
  resolveGuardOptions,
  type SocketData,
  type StateSigner,
} from './index.js';

it('AgentExport', () => {
  expectTypeOf<AgentExport>().toEqualTypeOf<'createAgent' | 'default' | 'agent'>();
});

it('AgentRuntime', () => {
  expectTypeOf<keyof AgentRuntime>().toEqualTypeOf<
    | 'agentName'
    | 'attach'
    | 'close'
    | 'drain'
    | 'draining'
    | 'handleConnection'
    | 'handleUpgrade'
    | 'health'
    | 'mode'
    | 'stats'
  >();
});

it('AgentRuntimeOptions', () => {
  expectTypeOf<keyof AgentRuntimeOptions>().toEqualTypeOf<
    | 'agent'
    | 'confirmTimeoutMs'
    | 'greeting'
    | 'heartbeatIntervalMs'
    | 'killGraceMs'
    | 'logger'
    | 'maxBufferedBytes'
    | 'maxEventBytes'
    | 'maxHistoryBytes'
    | 'maxHistoryMessages'
    | 'maxMessageBytes'
    | 'maxPendingBytes'
    | 'maxPendingRuns'
    | 'maxSessions'
    | 'maxSessionsPerConnection'
    | 'maxStateBytes'
    | 'mode'
    | 'replayBufferBytes'
    | 'replayBufferSize'
    | 'retiredBytes'
    | 'retiredSessions'
    | 'runTimeoutMs'
    | 'runsPerWorker'
    | 'sessionTimeoutMs'
    | 'stateSecret'
    | 'workerMemoryMb'
    | 'workers'
  >();
});

it('ConnectionGuard', () => {
  expectTypeOf<keyof ConnectionGuard>().toEqualTypeOf<'dispose' | 'dropped' | 'pending'>();
});

it('ConnectionGuardOptions', () => {
  expectTypeOf<keyof ConnectionGuardOptions>().toEqualTypeOf<
    'handshakeTimeoutMs' | 'maxConnectionsPerIp' | 'maxPendingHandshakes'
  >();
});

it('createAgentRuntime', () => {
  expectTypeOf(createAgentRuntime).parameters.toEqualTypeOf<[options: AgentRuntimeOptions]>();
  expectTypeOf(createAgentRuntime).returns.toEqualTypeOf<AgentRuntime>();
});

it('createStateSigner', () => {
  expectTypeOf(createStateSigner).parameters.toEqualTypeOf<[secret?: string]>();
  expectTypeOf(createStateSigner).returns.toEqualTypeOf<StateSigner>();
});

it('guardConnections', () => {
  expectTypeOf(guardConnections).returns.toEqualTypeOf<ConnectionGuard>();
});

it('loadAgentModule', () => {
  expectTypeOf(loadAgentModule).parameters.toEqualTypeOf<[path: string]>();
  expectTypeOf(loadAgentModule).returns.toEqualTypeOf<Promise<LoadedAgent>>();
});

it('LoadedAgent', () => {
  expectTypeOf<keyof LoadedAgent>().toEqualTypeOf<'create' | 'description' | 'export' | 'name' | 'path'>();
});

it('resolveAgent', () => {
  expectTypeOf(resolveAgent).parameters.toEqualTypeOf<[mod: AgentModule]>();
  expectTypeOf(resolveAgent).returns.toEqualTypeOf<Promise<LoadedAgent>>();
});

it('resolveGuardOptions', () => {
  expectTypeOf(resolveGuardOptions).parameters.toEqualTypeOf<[options?: ConnectionGuardOptions]>();
  expectTypeOf(resolveGuardOptions).returns.toEqualTypeOf<Required<ConnectionGuardOptions>>();
});

it('RuntimeLogger', () => {
  expectTypeOf<keyof RuntimeLogger>().toEqualTypeOf<'debug' | 'error' | 'info' | 'warn'>();
});

it('RuntimeSocket', () => {
  expectTypeOf<keyof RuntimeSocket>().toEqualTypeOf<
    | 'CLOSED'
    | 'OPEN'
    | 'bufferedAmount'
    | 'close'
    | 'on'
    | 'once'
    | 'ping'
    | 'readyState'
    | 'send'
    | 'terminate'
  >();
});

it('RuntimeStats', () => {
  expectTypeOf<keyof RuntimeStats>().toEqualTypeOf<
    | 'active_connections'
    | 'active_runs'
    | 'active_sessions'
    | 'avg_response_time_ms'
    | 'avg_session_duration'
    | 'completed_sessions'
    | 'error_count'
    | 'peak_connections'
    | 'total_connections'
    | 'total_runs'
    | 'total_sessions'
    | 'uptime_seconds'
  >();
});

it('SocketData', () => {
  expectTypeOf<SocketData>().toEqualTypeOf<
    Buffer<ArrayBufferLike> | ArrayBuffer | Array<Buffer<ArrayBufferLike>>
  >();
});

it('StateSigner', () => {
  expectTypeOf<keyof StateSigner>().toEqualTypeOf<'sign' | 'verify'>();
});
