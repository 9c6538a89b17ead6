// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/agent-server's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type AgentCheckReport,
  type AgentServer,
  type AgentServerCommand,
  type AgentServerHealth,
  type AgentServerLimits,
  type AgentServerOptions,
  agentServerCommand,
  checkAgentFile,
  createJsonLogger,
  type JsonLogger,
  resolveServerOptions,
  startAgentServer,
} from './index.js';

it('AgentCheckReport', () => {
  expectTypeOf<keyof AgentCheckReport>().toEqualTypeOf<'agent_name' | 'export' | 'ok' | 'path'>();
});

it('AgentServer', () => {
  expectTypeOf<keyof AgentServer>().toEqualTypeOf<
    'agentName' | 'close' | 'health' | 'host' | 'port' | 'runtime' | 'server' | 'url'
  >();
});

it('agentServerCommand', () => {
  expectTypeOf(agentServerCommand).parameters.toEqualTypeOf<[]>();
  expectTypeOf(agentServerCommand).returns.toEqualTypeOf<AgentServerCommand>();
});

it('AgentServerCommand', () => {
  expectTypeOf<keyof AgentServerCommand>().toEqualTypeOf<'args' | 'command'>();
});

it('AgentServerHealth', () => {
  expectTypeOf<keyof AgentServerHealth>().toEqualTypeOf<
    | 'active_connections'
    | 'active_sessions'
    | 'agent'
    | 'avg_response_time_ms'
    | 'avg_session_duration'
    | 'completed_sessions'
    | 'error_count'
    | 'peak_connections'
    | 'pid'
    | 'status'
    | 'total_connections'
    | 'total_sessions'
    | 'uptime_seconds'
  >();
});

it('AgentServerLimits', () => {
  expectTypeOf<keyof AgentServerLimits>().toEqualTypeOf<
    | 'maxBufferedBytes'
    | 'maxEventBytes'
    | 'maxHistoryBytes'
    | 'maxHistoryMessages'
    | 'maxPendingBytes'
    | 'maxPendingRuns'
    | 'maxSessionsPerConnection'
    | 'maxStateBytes'
    | 'replayBufferBytes'
    | 'replayBufferSize'
    | 'retiredBytes'
    | 'retiredSessions'
  >();
});

it('AgentServerOptions', () => {
  expectTypeOf<keyof AgentServerOptions>().toEqualTypeOf<
    | 'agentFile'
    | 'debug'
    | 'drainTimeout'
    | 'greeting'
    | 'handshakeTimeout'
    | 'heartbeatInterval'
    | 'host'
    | 'inProcess'
    | 'maxBufferedBytes'
    | 'maxConnectionsPerIp'
    | 'maxEventBytes'
    | 'maxHistoryBytes'
    | 'maxHistoryMessages'
    | 'maxMessageBytes'
    | 'maxPendingBytes'
    | 'maxPendingHandshakes'
    | 'maxPendingRuns'
    | 'maxSessions'
    | 'maxSessionsPerConnection'
    | 'maxStateBytes'
    | 'parentPid'
    | 'port'
    | 'replayBufferBytes'
    | 'replayBufferSize'
    | 'retiredBytes'
    | 'retiredSessions'
    | 'runTimeout'
    | 'runsPerWorker'
    | 'sessionTimeout'
    | 'stateSecret'
    | 'traces'
    | 'workerMemoryMb'
    | 'workers'
    | 'write'
  >();
});

it('checkAgentFile', () => {
  expectTypeOf(checkAgentFile).parameters.toEqualTypeOf<[path: string]>();
  expectTypeOf(checkAgentFile).returns.toEqualTypeOf<Promise<AgentCheckReport>>();
});

it('createJsonLogger', () => {
  expectTypeOf(createJsonLogger).parameters.toEqualTypeOf<
    [options?: { debug?: boolean | undefined; write?: ((line: string) => void) | undefined }]
  >();
  expectTypeOf(createJsonLogger).returns.toEqualTypeOf<JsonLogger>();
});

it('JsonLogger', () => {
  expectTypeOf<keyof JsonLogger>().toEqualTypeOf<'debug' | 'debugEnabled' | 'error' | 'info' | 'warn'>();
});

it('resolveServerOptions', () => {
  expectTypeOf(resolveServerOptions).returns.toEqualTypeOf<AgentServerOptions>();
});

it('startAgentServer', () => {
  expectTypeOf(startAgentServer).parameters.toEqualTypeOf<[options: AgentServerOptions]>();
  expectTypeOf(startAgentServer).returns.toEqualTypeOf<Promise<AgentServer>>();
});
