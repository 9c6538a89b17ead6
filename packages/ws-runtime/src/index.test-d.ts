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
  type TraceSink,
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
    | 'onTrace'
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
  expectTypeOf<keyof LoadedAgent>().toEqualTypeOf<
    'create' | 'description' | 'export' | 'maxSteps' | 'name' | 'path'
  >();
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

it('TraceSink', () => {
  expectTypeOf<TraceSink>().toEqualTypeOf<
    (
      event:
        | {
            data: { session_id?: string | undefined; filters?: { [x: string]: string } | undefined };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'connection_established';
          }
        | {
            data: {
              trace_name: string;
              request: string;
              agent_name: string;
              max_steps: number | null;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'trace_started';
          }
        | {
            data: {
              step: number;
              duration_ms: number;
              llm?:
                | {
                    model: string;
                    duration_ms: number;
                    ttft_ms?: number | null | undefined;
                    input_tokens?: number | null | undefined;
                    output_tokens?: number | null | undefined;
                    total_tokens?: number | null | undefined;
                  }
                | undefined;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'think_completed';
          }
        | {
            data: {
              step_id?: string | undefined;
              name: string;
              args: { [x: string]: unknown };
              duration_ms: number;
              status: string;
              output_chars: number;
              error?: string | undefined;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'tool_completed';
          }
        | {
            data: {
              status: 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout';
              duration_ms: number;
              steps: number;
              tool_calls: number;
              final_answer_chars: number;
              trace_id: string;
            };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'trace_completed';
          }
        | {
            data: { code: string; message: string; trace_id: string };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'run_error';
          }
        | {
            data: { trace_id?: string | undefined; status: string; message: string };
            timestamp: string;
            message_id: string;
            session_id: string;
            service_id?: string | undefined;
            event_type: 'status_update';
          },
    ) => void
  >();
});
