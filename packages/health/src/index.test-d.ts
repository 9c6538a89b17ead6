// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/health's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  checkResources,
  checkStatus,
  checkWebSocket,
  combineChecks,
  createHealthMonitor,
  createProcResourceProbe,
  type HealthMonitor,
  type HealthMonitorError,
  type HealthMonitorEvents,
  type HealthMonitorOptions,
  type HealthResultSink,
  type HealthSummary,
  type HealthTarget,
  type HealthTargetSource,
  type HealthTransition,
  type ProcResourceProbeOptions,
  type ResourceLimits,
  type ResourceProbe,
  type ResourceUsage,
  type RestartRequest,
  type ServiceHealthState,
  type ThresholdOptions,
  type WebSocketCheckOptions,
  type WebSocketCheckResult,
} from './index.js';

it('checkResources', () => {
  expectTypeOf(checkResources).parameters.toEqualTypeOf<
    [usage: ResourceUsage | null, limits?: ResourceLimits]
  >();
  expectTypeOf(checkResources).returns.toEqualTypeOf<{
    status: 'healthy' | 'unhealthy' | 'degraded' | 'unknown';
    message: string;
    details?: { [x: string]: unknown } | undefined;
  }>();
});

it('checkStatus', () => {
  expectTypeOf(checkStatus).parameters.toEqualTypeOf<
    [status: 'unhealthy' | 'stopped' | 'starting' | 'running' | 'stopping' | 'error']
  >();
  expectTypeOf(checkStatus).returns.toEqualTypeOf<{
    status: 'healthy' | 'unhealthy' | 'degraded' | 'unknown';
    message: string;
    details?: { [x: string]: unknown } | undefined;
  }>();
});

it('checkWebSocket', () => {
  expectTypeOf(checkWebSocket).parameters.toEqualTypeOf<
    [endpoint: string, options?: WebSocketCheckOptions]
  >();
  expectTypeOf(checkWebSocket).returns.toEqualTypeOf<Promise<WebSocketCheckResult>>();
});

it('combineChecks', () => {
  expectTypeOf(combineChecks).parameters.toEqualTypeOf<
    [
      checks: Readonly<
        Record<
          string,
          {
            status: 'healthy' | 'unhealthy' | 'degraded' | 'unknown';
            message: string;
            details?: { [x: string]: unknown } | undefined;
          }
        >
      >,
    ]
  >();
  expectTypeOf(combineChecks).returns.toEqualTypeOf<'healthy' | 'unhealthy' | 'degraded' | 'unknown'>();
});

it('createHealthMonitor', () => {
  expectTypeOf(createHealthMonitor).parameters.toEqualTypeOf<
    [
      input: {
        source: HealthTargetSource;
        sink?: HealthResultSink | undefined;
        probe?: false | ResourceProbe | undefined;
        thresholds?:
          | { rise?: number | undefined; fall?: number | undefined; degrade?: number | undefined }
          | undefined;
        unhealthyGraceMs?: number | undefined;
        concurrency?: number | undefined;
        sinkKeep?: number | undefined;
        historyLimit?: number | undefined;
        syncIntervalMs?: number | undefined;
        closeGraceMs?: number | undefined;
      },
    ]
  >();
  expectTypeOf(createHealthMonitor).returns.toEqualTypeOf<HealthMonitor>();
});

it('createProcResourceProbe', () => {
  expectTypeOf(createProcResourceProbe).parameters.toEqualTypeOf<[options?: ProcResourceProbeOptions]>();
  expectTypeOf(createProcResourceProbe).returns.toEqualTypeOf<ResourceProbe>();
});

it('HealthMonitor', () => {
  expectTypeOf<keyof HealthMonitor>().toEqualTypeOf<
    | typeof Symbol.asyncDispose
    | 'checkAll'
    | 'checkService'
    | 'forget'
    | 'getHistory'
    | 'getState'
    | 'getSummary'
    | 'off'
    | 'on'
    | 'once'
    | 'running'
    | 'start'
    | 'stop'
    | 'sync'
  >();
});

it('HealthMonitorError', () => {
  expectTypeOf<keyof HealthMonitorError>().toEqualTypeOf<'error' | 'service_id' | 'stage'>();
});

it('HealthMonitorEvents', () => {
  expectTypeOf<keyof HealthMonitorEvents>().toEqualTypeOf<'error' | 'restart' | 'result' | 'transition'>();
});

it('HealthMonitorOptions', () => {
  expectTypeOf<keyof HealthMonitorOptions>().toEqualTypeOf<
    | 'closeGraceMs'
    | 'concurrency'
    | 'historyLimit'
    | 'probe'
    | 'sink'
    | 'sinkKeep'
    | 'source'
    | 'syncIntervalMs'
    | 'thresholds'
    | 'unhealthyGraceMs'
  >();
});

it('HealthResultSink', () => {
  expectTypeOf<keyof HealthResultSink>().toEqualTypeOf<'append' | 'recent'>();
});

it('HealthSummary', () => {
  expectTypeOf<keyof HealthSummary>().toEqualTypeOf<
    'degraded' | 'healthy' | 'last_check' | 'total' | 'total_services' | 'unhealthy' | 'unknown'
  >();
});

it('HealthTarget', () => {
  expectTypeOf<keyof HealthTarget>().toEqualTypeOf<
    'config' | 'endpoint' | 'host' | 'name' | 'pid' | 'port' | 'service_id' | 'status'
  >();
});

it('HealthTargetSource', () => {
  expectTypeOf<keyof HealthTargetSource>().toEqualTypeOf<'get' | 'list'>();
});

it('HealthTransition', () => {
  expectTypeOf<keyof HealthTransition>().toEqualTypeOf<
    'from' | 'result' | 'service_id' | 'timestamp' | 'to'
  >();
});

it('ProcResourceProbeOptions', () => {
  expectTypeOf<keyof ProcResourceProbeOptions>().toEqualTypeOf<'clockTicks' | 'maxTracked' | 'procRoot'>();
});

it('ResourceLimits', () => {
  expectTypeOf<keyof ResourceLimits>().toEqualTypeOf<'cpu_limit_percent' | 'memory_limit_mb'>();
});

it('ResourceProbe', () => {
  expectTypeOf<keyof ResourceProbe>().toEqualTypeOf<'sample'>();
});

it('ResourceUsage', () => {
  expectTypeOf<keyof ResourceUsage>().toEqualTypeOf<'cpu_percent' | 'memory_mb'>();
});

it('RestartRequest', () => {
  expectTypeOf<keyof RestartRequest>().toEqualTypeOf<
    'reason' | 'result' | 'service_id' | 'unhealthy_since'
  >();
});

it('ServiceHealthState', () => {
  expectTypeOf<keyof ServiceHealthState>().toEqualTypeOf<
    'last_result' | 'service_id' | 'since' | 'status' | 'streak'
  >();
});

it('ThresholdOptions', () => {
  expectTypeOf<keyof ThresholdOptions>().toEqualTypeOf<'degrade' | 'fall' | 'rise'>();
});

it('WebSocketCheckOptions', () => {
  expectTypeOf<keyof WebSocketCheckOptions>().toEqualTypeOf<'closeGraceMs' | 'signal' | 'timeoutMs'>();
});

it('WebSocketCheckResult', () => {
  expectTypeOf<keyof WebSocketCheckResult>().toEqualTypeOf<
    'details' | 'message' | 'response_time_ms' | 'status'
  >();
});
