// The type half of @myagent/agent-server's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type AgentServer,
  type AgentServerCommand,
  type AgentServerHealth,
  type AgentServerOptions,
  agentServerCommand,
  createJsonLogger,
  type JsonLogger,
  resolveServerOptions,
  startAgentServer,
} from './index.js';

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

it('AgentServerOptions', () => {
  expectTypeOf<keyof AgentServerOptions>().toEqualTypeOf<
    | 'agentFile'
    | 'debug'
    | 'drainTimeout'
    | 'greeting'
    | 'heartbeatInterval'
    | 'host'
    | 'inProcess'
    | 'maxMessageBytes'
    | 'maxSessions'
    | 'parentPid'
    | 'port'
    | 'runTimeout'
    | 'runsPerWorker'
    | 'sessionTimeout'
    | 'stateSecret'
    | 'workerMemoryMb'
    | 'workers'
    | 'write'
  >();
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
