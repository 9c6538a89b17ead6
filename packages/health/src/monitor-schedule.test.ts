import type { HealthCheckResult } from '@myagent/models';
import { until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startHangingServer, startPingServer } from '../test/servers.js';
import { arraySink, countResults, makeTarget, sourceOf } from '../test/targets.js';
import { createHealthMonitor, type HealthMonitor } from './monitor.js';
import type { HealthMonitorError } from './types.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
function disposeLater<T extends { close(): Promise<void> } | HealthMonitor>(thing: T): T {
  cleanups.push(() => ('stop' in thing ? thing.stop() : thing.close()));
  return thing;
}
function collect(monitor: HealthMonitor): HealthCheckResult[] {
  const results: HealthCheckResult[] = [];
  monitor.on('result', (result) => results.push(result));
  return results;
}
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('scheduling', () => {
  it('checks each service at its own interval and skips disabled ones', async () => {
    const server = disposeLater(await startPingServer());
    const fast = makeTarget(server.port, {}, { health_check_interval: 0.04 });
    const slow = makeTarget(server.port, {}, { health_check_interval: 2 });
    const disabled = makeTarget(
      server.port,
      {},
      { health_check_interval: 0.04, health_check_enabled: false },
    );
    const monitor = disposeLater(
      createHealthMonitor({ source: sourceOf([fast, slow, disabled]), probe: false }),
    );
    const results = collect(monitor);
    await monitor.start();
    await until(() => countResults(results, fast.service_id) >= 8, 'eight checks of the fast service');
    expect(countResults(results, slow.service_id)).toBeGreaterThanOrEqual(1);
    expect(countResults(results, slow.service_id)).toBeLessThan(countResults(results, fast.service_id));
    expect(countResults(results, disabled.service_id)).toBe(0);
  });

  it('falls back to the defaults for intervals and timeouts that are not positive numbers', async () => {
    const server = disposeLater(await startPingServer({ delayMs: 5 }));
    const fast = makeTarget(server.port, {}, { health_check_interval: 0.02 });
    const broken = makeTarget(
      server.port,
      {},
      { health_check_interval: Number.NaN, health_check_timeout: -1 },
    );
    const monitor = disposeLater(createHealthMonitor({ source: sourceOf([fast, broken]), probe: false }));
    const results = collect(monitor);
    await monitor.start();
    await until(() => countResults(results, fast.service_id) >= 8, 'eight checks of the fast service');
    // A NaN interval would have been a 1 ms loop, a negative timeout an instant failure.
    expect(results.filter((result) => result.service_id === broken.service_id).map((r) => r.status)).toEqual([
      'healthy',
    ]);
  });

  it('picks up added, removed, disabled and re-enabled services on sync', async () => {
    const server = disposeLater(await startPingServer());
    const first = makeTarget(server.port);
    const source = sourceOf([first]);
    const monitor = disposeLater(createHealthMonitor({ source, probe: false, syncIntervalMs: 60_000 }));
    const results = collect(monitor);
    await monitor.start();
    await until(() => countResults(results, first.service_id) >= 2, 'the first service is checked');

    const second = makeTarget(server.port);
    source.targets = [first, second];
    await monitor.sync();
    await until(() => countResults(results, second.service_id) >= 2, 'the added service is checked');

    // Disabled: its next tick sees the config and drops the schedule; a mark shows no check follows.
    first.config.health_check_enabled = false;
    const stopMark = results.length;
    await until(
      () => countResults(results.slice(stopMark), second.service_id) >= 3,
      'more checks of the second',
    );
    const lateFirst = countResults(results.slice(stopMark), first.service_id);
    expect(lateFirst).toBeLessThanOrEqual(1); // at most the one already under way

    first.config.health_check_enabled = true;
    source.targets = [first];
    await monitor.sync();
    const mark = results.length;
    await until(() => countResults(results.slice(mark), first.service_id) >= 2, 'the re-enabled service');
    const afterRemoval = results.length;
    await until(() => countResults(results.slice(afterRemoval), first.service_id) >= 3, 'the first goes on');
    expect(countResults(results.slice(afterRemoval), second.service_id)).toBe(0);
    // What the monitor knew of the removed service went with it.
    expect(monitor.getState(second.service_id)).toBeUndefined();
    expect(await monitor.getHistory(second.service_id)).toEqual([]);
    expect((await monitor.getHistory(first.service_id)).length).toBeGreaterThan(0);
  });
});

describe('summary and history', () => {
  it('counts services by verdict', async () => {
    const server = disposeLater(await startPingServer());
    const hung = disposeLater(await startHangingServer());
    const targets = [
      makeTarget(server.port),
      makeTarget(server.port, { pid: process.pid }, { memory_limit_mb: 1 }),
      makeTarget(hung.port, {}, { health_check_timeout: 0.05 }),
      makeTarget(server.port, { status: 'error' }),
      makeTarget(server.port, { status: 'starting' }),
      makeTarget(server.port, { status: 'stopped' }),
    ];
    const monitor = disposeLater(
      createHealthMonitor({ source: sourceOf(targets), thresholds: { rise: 1, fall: 1 } }),
    );
    expect(await monitor.getSummary()).toEqual({
      total_services: 6,
      total: 6,
      healthy: 0,
      unhealthy: 1,
      degraded: 0,
      unknown: 5,
      last_check: null,
    });
    const results = await monitor.checkAll();
    expect(results[1]?.checks.resources?.status).toBe('degraded');
    const summary = await monitor.getSummary();
    expect(summary).toMatchObject({
      total_services: 6,
      total: 6,
      healthy: 1,
      degraded: 1,
      unhealthy: 2,
      unknown: 2,
    });
    expect(summary.last_check).toBe(
      results
        .map((result) => result.timestamp)
        .sort()
        .at(-1),
    );
  });

  it('keeps a bounded history in memory, newest first', async () => {
    const server = disposeLater(await startPingServer());
    const target = makeTarget(server.port);
    const monitor = createHealthMonitor({ source: sourceOf([target]), probe: false, historyLimit: 3 });
    const results: HealthCheckResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await monitor.checkService(target.service_id));
    expect(await monitor.getHistory(target.service_id)).toEqual(results.slice(2).reverse());
    expect(await monitor.getHistory(target.service_id, 2)).toEqual(results.slice(3).reverse());
    expect(await monitor.getHistory('unknown-service')).toEqual([]);
    monitor.forget(target.service_id);
    expect(await monitor.getHistory(target.service_id)).toEqual([]);
    expect(monitor.getState(target.service_id)).toBeUndefined();
  });

  it('reads history from a sink that can read', async () => {
    const server = disposeLater(await startPingServer());
    const target = makeTarget(server.port);
    const sink = arraySink();
    const monitor = createHealthMonitor({ source: sourceOf([target]), probe: false, sink, historyLimit: 1 });
    for (let i = 0; i < 3; i++) await monitor.checkService(target.service_id);
    expect(sink.results).toHaveLength(3);
    expect(await monitor.getHistory(target.service_id, 10)).toEqual([...sink.results].reverse());
  });
});

describe('robustness', () => {
  it('never throws out of the loop when the source, sink, probe or a listener fails', async () => {
    const server = disposeLater(await startPingServer());
    const target = makeTarget(server.port, { pid: process.pid });
    let reads = 0;
    const monitor = disposeLater(
      createHealthMonitor({
        source: {
          list: () => [target],
          get: () => {
            if (++reads % 2 === 0) throw new Error('source hiccup');
            return target;
          },
        },
        sink: {
          append: async () => {
            throw new Error('disk full');
          },
        },
        probe: {
          sample: () => {
            throw new Error('procfs gone');
          },
        },
      }),
    );
    const errors: HealthMonitorError[] = [];
    monitor.on('error', (error) => errors.push(error));
    monitor.on('result', () => {
      throw new Error('listener bug');
    });
    const results = collect(monitor);
    await monitor.start();
    await until(() => results.length >= 3, 'three results despite every failure');
    const stages = new Set(errors.map((error) => error.stage));
    expect([...stages].sort()).toEqual(['listener', 'probe', 'sink', 'source']);
    expect(results[0]?.checks.resources).toEqual({
      status: 'unknown',
      message: 'resource probe failed: procfs gone',
    });
    expect(results[0]?.status).toBe('healthy');
    // The failing sink leaves history readable from memory.
    expect(await monitor.getHistory(target.service_id)).toHaveLength(results.length);
  });

  it('stop() clears every timer and socket, including checks under way', async () => {
    const baseline = timers();
    const server = disposeLater(await startPingServer());
    const hung = disposeLater(await startHangingServer());
    const targets = [
      makeTarget(server.port, {}, { health_check_interval: 0.02 }),
      makeTarget(hung.port, {}, { health_check_interval: 0.02, health_check_timeout: 30 }),
    ];
    const monitor = createHealthMonitor({ source: sourceOf(targets), probe: false, closeGraceMs: 30_000 });
    const results = collect(monitor);
    await monitor.start();
    await until(
      () => hung.open === 1 && results.length >= 3,
      'a check stuck in the handshake and some results',
    );
    expect(monitor.running).toBe(true);
    await monitor.stop();
    expect(monitor.running).toBe(false);
    // The hung check cut short by stop() says nothing about the service, so it is not recorded.
    expect(results.filter((result) => result.checks.websocket?.message === 'check aborted')).toEqual([]);
    expect(results.filter((result) => result.service_id === targets[1]?.service_id)).toEqual([]);
    // Sockets are destroyed by stop(); ws clears its own close timers when their 'close' event lands. Left
    // running, the schedules (and the 30 s close grace) would keep timers above the baseline for good; at or
    // below it, since a timer counted in the baseline (not ours) may have run out meanwhile.
    await until(() => timers() <= baseline, 'no timer left');
    await until(() => hung.open === 0 && server.open === 0, 'every socket closed');
    const after = results.length;
    // Starting again resumes; stopping again is clean again.
    await monitor.start();
    await until(() => results.length > after, 'checks resume after a restart of the monitor');
    await monitor[Symbol.asyncDispose]();
    await until(() => timers() <= baseline, 'no timer left after dispose');
  });
});
