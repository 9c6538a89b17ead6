// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/registry's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import type { EventEmitter } from 'node:events';
import { expectTypeOf, it } from 'vitest';
import {
  type AgentCheckOptions,
  type AgentCheckResult,
  allocatePort,
  type BulkResult,
  type CommandSpec,
  checkAgentModule,
  createRegistry,
  type ExitEvent,
  isAlive,
  isPortFree,
  type ListLogsOptions,
  type LogSink,
  type PortRange,
  type PortState,
  parseLogLine,
  pingOnce,
  portState,
  type ReconcileReport,
  type RecordedProcess,
  type RegistryEvents,
  type RegistryOptions,
  type RestartEvent,
  type RestartLimitEvent,
  type RestartPolicyOptions,
  type SearchLogsOptions,
  type ServiceListFilter,
  type ServiceRegistry,
  type ServiceStore,
  type ServiceUpdate,
  type StatusEvent,
  type StatusPatch,
  type WaitUntilReadyOptions,
  waitUntilReady,
} from './index.js';

it('AgentCheckOptions', () => {
  expectTypeOf<keyof AgentCheckOptions>().toEqualTypeOf<'command' | 'cwd' | 'timeoutMs'>();
});

it('AgentCheckResult', () => {
  expectTypeOf<keyof AgentCheckResult>().toEqualTypeOf<'agent_name' | 'export' | 'path'>();
});

it('allocatePort', () => {
  expectTypeOf(allocatePort).parameters.toEqualTypeOf<
    [host: string, range: PortRange, taken: ReadonlySet<number>]
  >();
  expectTypeOf(allocatePort).returns.toEqualTypeOf<Promise<number>>();
});

it('BulkResult', () => {
  expectTypeOf<keyof BulkResult>().toEqualTypeOf<'error' | 'name' | 'service_id' | 'status' | 'success'>();
});

it('checkAgentModule', () => {
  expectTypeOf(checkAgentModule).parameters.toEqualTypeOf<[path: string, options: AgentCheckOptions]>();
  expectTypeOf(checkAgentModule).returns.toEqualTypeOf<Promise<AgentCheckResult>>();
});

it('CommandSpec', () => {
  expectTypeOf<keyof CommandSpec>().toEqualTypeOf<'args' | 'command'>();
});

it('createRegistry', () => {
  expectTypeOf(createRegistry).parameters.toEqualTypeOf<
    [
      options: {
        store: ServiceStore;
        logs: LogSink;
        command: { command: string; args: Array<string> };
        serverArgs?:
          | Array<string>
          | ((service: {
              service_id: string;
              name: string;
              description: string;
              host: string;
              port: number;
              endpoint: string;
              tags: Array<string>;
              agent_type: string;
              version: string;
              status: 'stopped' | 'starting' | 'running' | 'stopping' | 'error' | 'unhealthy';
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
            }) => Array<string>)
          | undefined;
        portRange?: { from: number; to: number } | undefined;
        readyTimeoutMs?: number | undefined;
        stopGraceMs?: number | undefined;
        restart?:
          | {
              backoffFactor?: number | undefined;
              maxDelayMs?: number | undefined;
              windowMs?: number | undefined;
              healthyResetMs?: number | undefined;
            }
          | undefined;
        maxLogLines?: number | undefined;
        logFlushMs?: number | undefined;
        statsIntervalMs?: number | undefined;
        agentCheck?: false | AgentCheckOptions | undefined;
        baseEnv?: { [x: string]: string } | undefined;
        sharedEnv?: { [x: string]: string } | undefined;
        claimLine?:
          | ((line: {
              service_id: string;
              timestamp: string;
              level: 'error' | 'debug' | 'info' | 'warn';
              stream: 'stdout' | 'stderr';
              message: string;
              fields: { [x: string]: unknown };
            }) => boolean)
          | undefined;
        cwd?: string | undefined;
      },
    ]
  >();
  expectTypeOf(createRegistry).returns.toEqualTypeOf<ServiceRegistry>();
});

it('ExitEvent', () => {
  expectTypeOf<keyof ExitEvent>().toEqualTypeOf<
    'code' | 'expected' | 'pid' | 'service_id' | 'signal' | 'stderr_tail'
  >();
});

it('isAlive', () => {
  expectTypeOf(isAlive).parameters.toEqualTypeOf<[pid: number]>();
  expectTypeOf(isAlive).returns.toEqualTypeOf<boolean>();
});

it('isPortFree', () => {
  expectTypeOf(isPortFree).parameters.toEqualTypeOf<[host: string, port: number]>();
  expectTypeOf(isPortFree).returns.toEqualTypeOf<Promise<boolean>>();
});

it('ListLogsOptions', () => {
  expectTypeOf<keyof ListLogsOptions>().toEqualTypeOf<'level' | 'limit' | 'since'>();
});

it('LogSink', () => {
  expectTypeOf<keyof LogSink>().toEqualTypeOf<'append' | 'list' | 'prune' | 'search'>();
});

it('parseLogLine', () => {
  expectTypeOf(parseLogLine).parameters.toEqualTypeOf<
    [serviceId: string, stream: 'stdout' | 'stderr', text: string]
  >();
  expectTypeOf(parseLogLine).returns.toEqualTypeOf<{
    service_id: string;
    timestamp: string;
    level: 'error' | 'debug' | 'info' | 'warn';
    stream: 'stdout' | 'stderr';
    message: string;
    fields: { [x: string]: unknown };
  }>();
});

it('pingOnce', () => {
  expectTypeOf(pingOnce).parameters.toEqualTypeOf<[url: string, timeoutMs: number]>();
  expectTypeOf(pingOnce).returns.toEqualTypeOf<Promise<number>>();
});

it('PortRange', () => {
  expectTypeOf<keyof PortRange>().toEqualTypeOf<'from' | 'to'>();
});

it('portState', () => {
  expectTypeOf(portState).parameters.toEqualTypeOf<[host: string, port: number]>();
  expectTypeOf(portState).returns.toEqualTypeOf<Promise<PortState>>();
});

it('PortState', () => {
  expectTypeOf<PortState>().toEqualTypeOf<'free' | 'in_use'>();
});

it('ReconcileReport', () => {
  expectTypeOf<keyof ReconcileReport>().toEqualTypeOf<'resumed' | 'started' | 'strays'>();
});

it('RecordedProcess', () => {
  expectTypeOf<keyof RecordedProcess>().toEqualTypeOf<'host' | 'pid' | 'service_id'>();
});

it('RegistryEvents', () => {
  expectTypeOf<keyof RegistryEvents>().toEqualTypeOf<
    'error' | 'exit' | 'log' | 'restart' | 'restart_limit' | 'status' | 'stray'
  >();
});

it('RegistryOptions', () => {
  expectTypeOf<keyof RegistryOptions>().toEqualTypeOf<
    | 'agentCheck'
    | 'baseEnv'
    | 'claimLine'
    | 'command'
    | 'cwd'
    | 'logFlushMs'
    | 'logs'
    | 'maxLogLines'
    | 'portRange'
    | 'readyTimeoutMs'
    | 'restart'
    | 'serverArgs'
    | 'sharedEnv'
    | 'statsIntervalMs'
    | 'stopGraceMs'
    | 'store'
  >();
});

it('RestartEvent', () => {
  expectTypeOf<keyof RestartEvent>().toEqualTypeOf<'attempt' | 'delay_ms' | 'reason' | 'service_id'>();
});

it('RestartLimitEvent', () => {
  expectTypeOf<keyof RestartLimitEvent>().toEqualTypeOf<'message' | 'reason' | 'service_id'>();
});

it('RestartPolicyOptions', () => {
  expectTypeOf<keyof RestartPolicyOptions>().toEqualTypeOf<
    'backoffFactor' | 'healthyResetMs' | 'maxDelayMs' | 'windowMs'
  >();
});

it('SearchLogsOptions', () => {
  expectTypeOf<keyof SearchLogsOptions>().toEqualTypeOf<'level' | 'limit' | 'service_id'>();
});

it('ServiceListFilter', () => {
  expectTypeOf<keyof ServiceListFilter>().toEqualTypeOf<'limit' | 'offset' | 'status' | 'tags'>();
});

it('ServiceRegistry', () => {
  expectTypeOf<Exclude<keyof ServiceRegistry, keyof EventEmitter>>().toEqualTypeOf<
    | typeof Symbol.asyncDispose
    | 'close'
    | 'flushLogs'
    | 'get'
    | 'logs'
    | 'markHealthy'
    | 'markUnhealthy'
    | 'pid'
    | 'reconcile'
    | 'refreshStats'
    | 'register'
    | 'restart'
    | 'restartFailed'
    | 'searchLogs'
    | 'start'
    | 'startAll'
    | 'stop'
    | 'stopAll'
    | 'unregister'
    | 'update'
  >();
});

it('ServiceStore', () => {
  expectTypeOf<keyof ServiceStore>().toEqualTypeOf<
    | 'clearProcess'
    | 'delete'
    | 'get'
    | 'getByName'
    | 'list'
    | 'listProcesses'
    | 'save'
    | 'setProcess'
    | 'setRestartCount'
    | 'updateStats'
    | 'updateStatus'
  >();
});

it('ServiceUpdate', () => {
  expectTypeOf<keyof ServiceUpdate>().toEqualTypeOf<'changed' | 'pendingRestart' | 'service'>();
});

it('StatusEvent', () => {
  expectTypeOf<keyof StatusEvent>().toEqualTypeOf<'error_message' | 'from' | 'name' | 'service_id' | 'to'>();
});

it('StatusPatch', () => {
  expectTypeOf<keyof StatusPatch>().toEqualTypeOf<
    'error_message' | 'expected' | 'restart_due_at' | 'started_at'
  >();
});

it('waitUntilReady', () => {
  expectTypeOf(waitUntilReady).parameters.toEqualTypeOf<[url: string, options: WaitUntilReadyOptions]>();
  expectTypeOf(waitUntilReady).returns.toEqualTypeOf<Promise<number>>();
});

it('WaitUntilReadyOptions', () => {
  expectTypeOf<keyof WaitUntilReadyOptions>().toEqualTypeOf<'intervalMs' | 'signal' | 'timeoutMs'>();
});
