// Failure cases against the fixture server (test/fixtures/fake-server.mjs): crashes, hangs, stubborn
// children, crash loops, log bounds and the child's environment.
import type { Service } from '@myagent/models';
import { alive, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, openHarness } from '../test/harness.js';
import { fixture } from '../test/helpers.js';
import type { ExitEvent, RegistryOptions, RestartEvent, RestartLimitEvent } from './index.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  delete process.env.REGISTRY_TEST_SECRET;
});

async function fake(
  environment: Record<string, string>,
  config: Record<string, unknown> = {},
  options: Partial<RegistryOptions> = {},
): Promise<{ harness: Harness; service: Service }> {
  harness = await openHarness(options);
  const service = await harness.registry.register({
    name: 'fake',
    agent_factory_path: fixture('echo-agent.mjs'),
    config: { ...config, environment },
  });
  return { harness, service };
}

function exitsOf(h: Harness): ExitEvent[] {
  const events: ExitEvent[] = [];
  h.registry.on('exit', (event) => events.push(event));
  return events;
}

function restartsOf(h: Harness): RestartEvent[] {
  const events: RestartEvent[] = [];
  h.registry.on('restart', (event) => events.push(event));
  return events;
}

describe('start failures', () => {
  it('a service that crashes at start is ERROR with its stderr', async () => {
    const { harness: h, service } = await fake({ FIXTURE_MODE: 'crash-start' });
    const error = await h.registry.start(service.service_id).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'SERVICE_START_FAILED',
      message: expect.stringContaining('boom at start'),
    });
    const stored = await h.registry.get(service.service_id);
    expect(stored.status).toBe('error');
    expect(stored.error_message).toContain('exited with code 1 before it was ready');
    expect(stored.error_message).toContain('Error: cannot load agent: boom at start');
    expect(h.registry.pid(service.service_id)).toBeUndefined();
  });

  it('a service that accepts TCP but never answers WebSocket is ERROR after the deadline, and killed', async () => {
    const { harness: h, service } = await fake({ FIXTURE_MODE: 'hang' }, {}, { readyTimeoutMs: 1_000 });
    const exits = exitsOf(h);
    await expect(h.registry.start(service.service_id)).rejects.toMatchObject({
      code: 'SERVICE_START_FAILED',
    });
    const stored = await h.registry.get(service.service_id);
    expect(stored.status).toBe('error');
    expect(stored.error_message).toContain('no answer to a WebSocket ping within 1 s');
    expect(exits).toHaveLength(1);
    expect(alive(exits[0]?.pid as number)).toBe(false);
  });

  it('refuses to start on a port someone took since registration', async () => {
    const { harness: h, service } = await fake({});
    const { createServer } = await import('node:net');
    const squatter = createServer();
    await new Promise<void>((done) => squatter.listen(service.port, '127.0.0.1', done));
    try {
      await expect(h.registry.start(service.service_id)).rejects.toMatchObject({ code: 'PORT_IN_USE' });
      expect((await h.registry.get(service.service_id)).status).toBe('error');
    } finally {
      await new Promise((done) => squatter.close(done));
    }
  });

  it('a spawn that fails (no such program) is ERROR with the reason', async () => {
    const { harness: h, service } = await fake(
      {},
      {},
      { command: { command: '/nonexistent/node', args: [] } },
    );
    await expect(h.registry.start(service.service_id)).rejects.toMatchObject({
      message: expect.stringContaining('could not spawn'),
    });
    expect((await h.registry.get(service.service_id)).status).toBe('error');
  });
});

describe('bad calls', () => {
  it('answer SERVICE_NOT_FOUND for an unknown id and leave nothing behind', async () => {
    harness = await openHarness();
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const call of [
      () => harness?.registry.start(unknown),
      () => harness?.registry.stop(unknown),
      () => harness?.registry.restart(unknown),
      () => harness?.registry.unregister(unknown),
      () => harness?.registry.refreshStats(unknown),
      () => harness?.registry.markUnhealthy(unknown, 'x'),
      () => harness?.registry.restartFailed(unknown, 'x'),
      () => harness?.registry.logs(unknown),
      () => harness?.registry.searchLogs('x', { service_id: unknown }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    }
    await expect(harness.registry.register({ name: 42 } as never)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
    expect(await harness.registry.stopAll()).toEqual([]);
  });
});

describe('stop', () => {
  it('sends SIGKILL after the grace to a child that ignores SIGTERM', async () => {
    const { harness: h, service } = await fake({ FIXTURE_IGNORE_TERM: '1' }, {}, { stopGraceMs: 300 });
    const exits = exitsOf(h);
    await h.registry.start(service.service_id);
    expect((await h.registry.stop(service.service_id)).status).toBe('stopped');
    expect(exits).toMatchObject([{ signal: 'SIGKILL', expected: true }]);
    const lines = await h.registry.logs(service.service_id);
    expect(lines.some((line) => line.message === 'ignoring SIGTERM' && line.level === 'warn')).toBe(true);
  });

  it('interrupts a start in progress', async () => {
    const { harness: h, service } = await fake({ FIXTURE_MODE: 'hang' }, {}, { readyTimeoutMs: 20_000 });
    const starting = h.registry.start(service.service_id).catch((thrown: unknown) => thrown);
    await until(async () => h.registry.pid(service.service_id), 'the condition');
    const pid = h.registry.pid(service.service_id) as number;
    expect((await h.registry.stop(service.service_id)).status).toBe('stopped');
    expect(await starting).toMatchObject({ message: expect.stringContaining('interrupted by a stop') });
    expect(alive(pid)).toBe(false);
  });
});

describe('exits and auto-restart', () => {
  it('sees an exit at once and restarts within restart_delay + 1 s', async () => {
    const { harness: h, service } = await fake({}, { restart_delay: 0.3 });
    await h.registry.start(service.service_id);
    const pid = h.registry.pid(service.service_id) as number;
    const exit = new Promise<ExitEvent>((resolve) => h.registry.once('exit', resolve));
    process.kill(pid, 'SIGKILL');
    expect(await exit).toMatchObject({ pid, signal: 'SIGKILL', expected: false });
    await until(
      async () => {
        const now = h.registry.pid(service.service_id);
        return (
          now !== undefined && now !== pid && (await h.registry.get(service.service_id)).status === 'running'
        );
      },
      'RUNNING again within restart_delay + 1 s',
      1_300,
    );
    expect((await h.registry.get(service.service_id)).restart_due_at).toBeNull();
  });

  it('stores when a pending restart is due; a stop or a start by hand clears it', async () => {
    const { harness: h, service } = await fake({}, { restart_delay: 600 });
    const crash = async () => {
      await h.registry.start(service.service_id);
      const crashedAt = Date.now();
      process.kill(h.registry.pid(service.service_id) as number, 'SIGKILL');
      const waiting = await until(async () => {
        const current = await h.registry.get(service.service_id);
        return current.restart_due_at !== null && current;
      }, 'the condition');
      const due = Date.parse(waiting.restart_due_at as string);
      expect(due).toBeGreaterThanOrEqual(crashedAt + 600_000);
      expect(due).toBeLessThanOrEqual(Date.now() + 600_000);
      expect(waiting.status).toBe('error');
    };
    await crash();
    const stopped = await h.registry.stop(service.service_id);
    expect([stopped.status, stopped.restart_due_at]).toEqual(['stopped', null]);
    await crash();
    const started = await h.registry.start(service.service_id);
    expect([started.status, started.restart_due_at]).toEqual(['running', null]);
  });

  it('without auto_restart a crash leaves ERROR with the exit code and stderr', async () => {
    const { harness: h, service } = await fake({ FIXTURE_MODE: 'crash-later' }, { auto_restart: false });
    const restarts = restartsOf(h);
    await h.registry.start(service.service_id);
    const stored = await until(async () => {
      const current = await h.registry.get(service.service_id);
      return current.status === 'error' && current;
    }, 'the condition');
    expect(stored.error_message).toContain('exited with code 3 unexpectedly');
    expect(stored.error_message).toContain('Error: crashed later');
    expect(restarts).toHaveLength(0);
  });

  it('a crash-looping service backs off and stops at max_restart_count with the reason', async () => {
    const { harness: h, service } = await fake(
      { FIXTURE_MODE: 'crash-later', FIXTURE_CRASH_MS: '150' },
      { restart_delay: 0.1, max_restart_count: 2 },
    );
    const restarts = restartsOf(h);
    const exits = exitsOf(h);
    const limits: RestartLimitEvent[] = [];
    h.registry.on('restart_limit', (event) => limits.push(event));
    await h.registry.start(service.service_id);
    const stored = await until(async () => {
      const current = await h.registry.get(service.service_id);
      return current.error_message?.includes('restart limit reached') && current;
    }, 'the condition');
    expect(limits).toEqual([
      {
        service_id: service.service_id,
        reason: expect.stringContaining('exited with code'),
        message: stored.error_message,
      },
    ]);
    expect(stored.status).toBe('error');
    expect(stored.error_message).toContain('2 restarts within 60 s');
    expect(stored.restart_count).toBe(2);
    expect(stored.restart_due_at).toBeNull();
    expect(restarts.map((event) => [event.attempt, event.delay_ms])).toEqual([
      [1, 100],
      [2, 200],
    ]);
    expect(exits).toHaveLength(3);
    expect(h.registry.pid(service.service_id)).toBeUndefined();
  });

  it('the restart count resets after a healthy stretch', async () => {
    const { harness: h, service } = await fake(
      { FIXTURE_MODE: 'crash-later', FIXTURE_CRASH_MS: '900' },
      { restart_delay: 0, max_restart_count: 1 },
      { restart: { healthyResetMs: 300 } },
    );
    const restarts = restartsOf(h);
    await h.registry.start(service.service_id);
    // With a cap of 1, a second restart happens only because the first was forgotten after 300 ms running.
    await until(() => restarts.length >= 2, 'two restarts', 10_000);
    expect(restarts.map((event) => event.attempt)).toEqual([1, 1]);
    await h.registry.stop(service.service_id);
  });
});

describe('stats', () => {
  it('are kept current for running services without being asked', async () => {
    const { harness: h, service } = await fake({}, {}, { statsIntervalMs: 100 });
    await h.registry.start(service.service_id);
    const stored = await until(async () => {
      const current = await h.storage.services.get(service.service_id);
      return current?.stats.last_updated && current.stats.memory_usage_mb > 0 && current;
    }, 'the condition');
    expect(stored.stats.total_connections).toBeGreaterThanOrEqual(1);
    expect(stored.stats.uptime_seconds).toBeGreaterThanOrEqual(0);
    await h.registry.stop(service.service_id);
    expect((await h.storage.services.get(service.service_id))?.stats).toMatchObject({
      memory_usage_mb: 0,
      uptime_seconds: 0,
    });
  });
});

describe('logs and environment', () => {
  it('captures lines with their level, bounded per service with the oldest pruned', async () => {
    const { harness: h, service } = await fake({ FIXTURE_LOG_LINES: '300' }, {}, { maxLogLines: 100 });
    await h.registry.start(service.service_id);
    await until(async () => (await h.registry.searchLogs('line 299')).length === 1, 'the condition');
    await h.registry.flushLogs();
    const lines = await h.registry.logs(service.service_id, { limit: 1_000 });
    expect(lines.length).toBeLessThanOrEqual(100);
    expect(lines.at(-1)?.message).toBe('listening');
    expect(lines.some((line) => line.message === 'line 0')).toBe(false);
    expect(lines.find((line) => line.message === 'line 299')).toMatchObject({
      level: 'warn',
      fields: { n: 299 },
    });
    const warnings = await h.registry.logs(service.service_id, { level: 'warn', limit: 1_000 });
    expect(warnings.every((line) => line.level === 'warn' || line.level === 'error')).toBe(true);
  });

  it("merges the service's environment over a clean base", async () => {
    process.env.REGISTRY_TEST_SECRET = 'must not leak';
    const { harness: h, service } = await fake({ FIXTURE_VALUE: 'from-config' });
    await h.registry.start(service.service_id);
    const [line] = await until(
      async () => h.registry.searchLogs('environment', { service_id: service.service_id }),
      'the condition',
    );
    const keys = line?.fields.keys as string[];
    expect(line?.fields.fixture_value).toBe('from-config');
    expect(keys).toContain('PATH');
    expect(keys).toContain('MYAGENT_SERVICE_ID');
    expect(keys).not.toContain('REGISTRY_TEST_SECRET');
  });
});
