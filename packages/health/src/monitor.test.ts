import { HealthCheckResult, parseOrThrow } from '@myagent/models';
import { until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startHangingServer, startPingServer } from '../test/servers.js';
import { arraySink, makeTarget, sourceOf } from '../test/targets.js';
import { createHealthMonitor, type HealthMonitor } from './monitor.js';
import type { HealthTransition, RestartRequest } from './types.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function disposeLater<T extends { close(): Promise<void> } | HealthMonitor>(thing: T): T {
  cleanups.push(() => ('stop' in thing ? thing.stop() : thing.close()));
  return thing;
}

describe('thresholds', () => {
  it('flips only after rise 2 / fall 3 results in a row, and an unhealthy service recovers', async () => {
    const server = disposeLater(await startPingServer());
    const target = makeTarget(server.port, {}, { health_check_timeout: 0.2 });
    const monitor = disposeLater(
      createHealthMonitor({ source: sourceOf([target]), probe: false, thresholds: { rise: 2, fall: 3 } }),
    );
    const transitions: HealthTransition[] = [];
    monitor.on('transition', (transition) => {
      transitions.push(transition);
      // What the manager does with a transition: the status check then sees UNHEALTHY, not RUNNING.
      target.status = transition.to === 'unhealthy' ? 'unhealthy' : 'running';
    });
    // Failures time out fast; passes get time to spare, so a loaded machine cannot fake a failure.
    const setMode = (mode: 'answer' | 'silent') => {
      server.mode = mode;
      target.config.health_check_timeout = mode === 'silent' ? 0.2 : 5;
    };
    const check = async () => (await monitor.checkService(target.service_id)).status;
    const verdict = () => monitor.getState(target.service_id)?.status;
    const flips = () => transitions.map(({ from, to }) => `${from}->${to}`);

    expect(await check()).toBe('healthy');
    expect(verdict()).toBe('unknown');
    expect(await check()).toBe('healthy');
    expect(verdict()).toBe('healthy');

    setMode('silent');
    expect(await check()).toBe('unhealthy');
    setMode('answer');
    expect(await check()).toBe('healthy');
    expect(verdict()).toBe('healthy'); // one blip flips nothing

    setMode('silent');
    await check();
    await check();
    expect(verdict()).toBe('healthy');
    await check();
    expect(verdict()).toBe('unhealthy');
    expect(target.status).toBe('unhealthy');

    setMode('answer');
    expect(await check()).toBe('healthy');
    expect(verdict()).toBe('unhealthy');
    expect(await check()).toBe('healthy');
    expect(verdict()).toBe('healthy');
    expect(target.status).toBe('running');
    expect(flips()).toEqual(['unknown->healthy', 'healthy->unhealthy', 'unhealthy->healthy']);
    expect(transitions[1]?.result.error).toBe('websocket: timed out: no pong within 200 ms');
  });
});

describe('restart requests', () => {
  it('asks for a restart once a hung service stays unhealthy beyond the grace period', async () => {
    const hung = disposeLater(await startHangingServer());
    const target = makeTarget(hung.port, {}, { health_check_interval: 0.03, health_check_timeout: 0.05 });
    const monitor = disposeLater(
      createHealthMonitor({
        source: sourceOf([target]),
        probe: false,
        thresholds: { fall: 2 },
        unhealthyGraceMs: 150,
      }),
    );
    const transitions: HealthTransition[] = [];
    const restarts: RestartRequest[] = [];
    monitor.on('transition', (transition) => transitions.push(transition));
    monitor.on('restart', (request) => restarts.push(request));
    await monitor.start();
    await until(() => restarts.length > 0, 'a restart request');
    expect(transitions.map(({ to }) => to)).toEqual(['unhealthy']);
    const [request] = restarts;
    expect(request?.service_id).toBe(target.service_id);
    expect(request?.unhealthy_since).toBe(transitions[0]?.timestamp);
    expect(request?.reason).toContain('websocket: timed out: no WebSocket handshake');
    // The grace period runs from the verdict, so the request cannot come with it.
    expect(Date.parse(request?.result.timestamp ?? '')).toBeGreaterThan(
      Date.parse(request?.unhealthy_since ?? ''),
    );

    // While the registry restarts it (STARTING), nothing more is asked, however long it takes.
    target.status = 'starting';
    const results: string[] = [];
    monitor.on('result', (result) => results.push(result.status));
    const asked = restarts.length;
    await until(() => results.length >= 10, 'ten checks while starting');
    expect(restarts.length).toBe(asked);
    expect(new Set(results.slice(-5))).toEqual(new Set(['unknown']));
    // Back up but still hung: another grace period, another request.
    target.status = 'running';
    await until(() => restarts.length > asked, 'a second restart request');
    expect(transitions.map(({ to }) => to)).toEqual(['unhealthy']);
  });

  it('never asks while the service recovers within the grace period', async () => {
    const server = disposeLater(await startPingServer({ mode: 'silent' }));
    const target = makeTarget(server.port, {}, { health_check_timeout: 0.05 });
    const monitor = disposeLater(
      createHealthMonitor({
        source: sourceOf([target]),
        probe: false,
        thresholds: { rise: 1, fall: 1 },
        unhealthyGraceMs: 60_000,
      }),
    );
    const restarts: RestartRequest[] = [];
    monitor.on('restart', (request) => restarts.push(request));
    await monitor.checkService(target.service_id);
    expect(monitor.getState(target.service_id)?.status).toBe('unhealthy');
    server.mode = 'answer';
    target.config.health_check_timeout = 5;
    await monitor.checkService(target.service_id);
    expect(monitor.getState(target.service_id)?.status).toBe('healthy');
    expect(restarts).toEqual([]);
  });
});

describe('statuses', () => {
  it('does not open a socket to a starting service, and does not judge a stopped one', async () => {
    const server = disposeLater(await startPingServer());
    const starting = makeTarget(server.port, { status: 'starting' });
    const stopped = makeTarget(server.port, { status: 'stopped' });
    const monitor = disposeLater(
      createHealthMonitor({ source: sourceOf([starting, stopped]), probe: false, thresholds: { fall: 1 } }),
    );
    const transitions: HealthTransition[] = [];
    monitor.on('transition', (transition) => transitions.push(transition));

    const first = await monitor.checkService(starting.service_id);
    expect(first).toMatchObject({ status: 'unknown', error: null, response_time_ms: null });
    expect(first.checks.status).toEqual({ status: 'unknown', message: 'service is starting' });
    const second = await monitor.checkService(stopped.service_id);
    expect(second).toMatchObject({ status: 'unhealthy', error: 'status: service is stopped' });
    expect(server.pings).toBe(0);
    expect(transitions).toEqual([]);
    expect(monitor.getState(stopped.service_id)).toBeUndefined();
    expect(monitor.getState(starting.service_id)?.status).toBe('unknown');
  });

  it('produces results of the spec D3 shape', async () => {
    const server = disposeLater(await startPingServer());
    const hung = disposeLater(await startHangingServer());
    const targets = [
      makeTarget(server.port, { pid: process.pid }),
      makeTarget(hung.port, {}, { health_check_timeout: 0.05 }),
      makeTarget(server.port, { status: 'error' }),
    ];
    const monitor = disposeLater(createHealthMonitor({ source: sourceOf(targets) }));
    const results = await monitor.checkAll();
    expect(results.map((result) => result.status)).toEqual(['healthy', 'unhealthy', 'unhealthy']);
    for (const result of results) expect(parseOrThrow(HealthCheckResult, result)).toEqual(result);
    expect(Object.keys(results[0]?.checks ?? {}).sort()).toEqual(['resources', 'status', 'websocket']);
    expect(results[0]?.response_time_ms).toBeGreaterThan(0);
  });
});

describe('checks of many services', () => {
  it('run concurrently, at most `concurrency` at once', async () => {
    const server = disposeLater(await startPingServer({ delayMs: 60 }));
    const targets = Array.from({ length: 10 }, () =>
      makeTarget(server.port, {}, { health_check_timeout: 5 }),
    );
    const monitor = disposeLater(
      createHealthMonitor({ source: sourceOf(targets), probe: false, concurrency: 3 }),
    );
    const results = await monitor.checkAll();
    expect(results.every((result) => result.status === 'healthy')).toBe(true);
    expect(server.pings).toBe(10);
    expect(server.maxPending).toBe(3);
  });
});

describe('options and bad input', () => {
  it('refuses an unknown service and invalid options with coded errors', async () => {
    const monitor = createHealthMonitor({ source: sourceOf([]), probe: false });
    await expect(monitor.checkService('nope')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    await expect(monitor.getHistory('nope', 0)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    const source = sourceOf([]);
    expect(() => createHealthMonitor({ source, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => createHealthMonitor({ source, unhealthyGraceMs: -1 })).toThrow(/unhealthyGraceMs/);
    expect(() => createHealthMonitor({ source, thresholds: { rise: 0 } })).toThrow(/rise/);
    expect(() => createHealthMonitor({ source, thresholds: { fall: 1.5 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('turns a failing source into a coded error for direct calls', async () => {
    const monitor = createHealthMonitor({
      source: {
        list: () => {
          throw new Error('database is locked');
        },
      },
      probe: false,
    });
    await expect(monitor.checkAll()).rejects.toMatchObject({
      code: 'HEALTH_CHECK_FAILED',
      message: 'database is locked',
    });
    await expect(monitor.getSummary()).rejects.toMatchObject({ code: 'HEALTH_CHECK_FAILED' });
  });

  it('passes sinkKeep to the sink so stored history stays bounded', async () => {
    const server = disposeLater(await startPingServer());
    const target = makeTarget(server.port);
    const sink = arraySink();
    const monitor = createHealthMonitor({ source: sourceOf([target]), probe: false, sink, sinkKeep: 50 });
    await monitor.checkService(target.service_id);
    expect(sink.keeps).toEqual([50]);
  });
});
