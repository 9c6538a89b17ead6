// Whole-process behaviour: a manager killed with SIGKILL leaves no child behind, a new manager on the same
// database brings its services back (and the auto-restarts that were pending), and strays on a service's
// port are found and stopped.
import { type ChildProcess, spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Service } from '@myagent/models';
import { alive, freePortRange, tempDir, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { RestartEvent } from '../src/index.js';
import { agentServerCommand, type Harness, openHarness } from './harness.js';
import { fixture } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function killQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** The first line of the child's stdout that contains `text`. */
async function lineWith(child: ChildProcess, text: string): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  try {
    for await (const line of lines) if (line.includes(text)) return line;
  } finally {
    lines.close();
  }
  throw new Error(`the process ended without a line containing ${text}`);
}

/** The fixture server with the service's own command line, watching no parent, once it listens. */
async function serverOf(service: Service): Promise<ChildProcess> {
  const server = spawn(
    process.execPath,
    [
      fixture('fake-server.mjs'),
      'server',
      service.config.agent_factory_path,
      '--host',
      '127.0.0.1',
      '--port',
      String(service.port),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, FIXTURE_NO_PARENT_WATCH: '1' } },
  );
  cleanups.push(() => killQuietly(server.pid));
  await lineWith(server, 'listening');
  return server;
}

describe('a manager killed with SIGKILL', () => {
  it('leaves no child alive, and a new manager on the same database brings the services back', async () => {
    const temp = tempDir('myagent-registry-');
    cleanups.push(temp.cleanup);
    const dbPath = join(temp.dir, 'manager.db');
    const ports = await freePortRange(10);
    const manager = spawn(
      process.execPath,
      [
        '--conditions=@myagent/source',
        '--import',
        'tsx',
        fixture('manager-process.mts'),
        dbPath,
        String(ports.from),
        String(ports.to),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => killQuietly(manager.pid));
    const { pids } = JSON.parse(await lineWith(manager, 'pids')) as { pids: number[] };
    cleanups.push(() => pids.forEach(killQuietly));
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);

    manager.kill('SIGKILL');
    await until(() => pids.every((pid) => !alive(pid)), 'the children to die with their manager', 10_000);

    const harness: Harness = await openHarness(
      { command: agentServerCommand(), serverArgs: ['--in-process'], readyTimeoutMs: 30_000 },
      dbPath,
    );
    cleanups.push(harness.close);
    const before = await harness.storage.services.list();
    expect(before.services.map((service) => service.status)).toEqual(['running', 'running']);
    const report = await harness.registry.reconcile();
    expect(report.strays).toEqual([]);
    expect(report.started.map((result) => [result.name, result.success, result.status])).toEqual([
      ['orphan-a', true, 'running'],
      ['orphan-b', true, 'running'],
    ]);
    for (const service of before.services)
      expect(harness.registry.pid(service.service_id)).toBeGreaterThan(0);
  });
});

describe('a graceful close', () => {
  it('with preserveStatus stops the children but leaves them to be started by the next manager', async () => {
    const first = await openHarness();
    const service = await first.registry.register({
      name: 'kept',
      agent_factory_path: fixture('echo-agent.mjs'),
    });
    await first.registry.start(service.service_id);
    const pid = first.registry.pid(service.service_id) as number;
    await first.registry.close({ preserveStatus: true });
    expect(alive(pid)).toBe(false);
    expect((await first.storage.services.get(service.service_id))?.status).toBe('running');
    await first.storage.close();

    const second = await openHarness({}, first.dbPath);
    cleanups.push(async () => {
      await second.close();
      await first.close();
    });
    const report = await second.registry.reconcile();
    expect(report.started).toMatchObject([
      { service_id: service.service_id, success: true, status: 'running' },
    ]);
  });

  it('by default records every service as stopped', async () => {
    const harness = await openHarness();
    cleanups.push(harness.close);
    const service = await harness.registry.register({
      name: 'done',
      agent_factory_path: fixture('echo-agent.mjs'),
    });
    await harness.registry.start(service.service_id);
    await harness.registry.close();
    expect((await harness.storage.services.get(service.service_id))?.status).toBe('stopped');
    await expect(harness.registry.start(service.service_id)).rejects.toMatchObject({
      code: 'REGISTRY_CLOSED',
    });
  });
});

describe('reconcile', () => {
  it('stops a stray agent server the store recorded (checked by its command line) and starts the service', async () => {
    const harness = await openHarness();
    cleanups.push(harness.close);
    const { registry, storage } = harness;
    const service = await registry.register({
      name: 'strayed',
      agent_factory_path: fixture('echo-agent.mjs'),
    });
    await storage.services.updateStatus(service.service_id, 'running');
    // A server a previous manager left behind: same command line, not watching any parent.
    const stray = await serverOf(service);
    await storage.services.setProcess(service.service_id, { pid: stray.pid as number, host: hostname() });

    const strays: number[] = [];
    registry.on('stray', (event) => strays.push(event.pid));
    const report = await registry.reconcile();
    expect(report.strays).toEqual([{ service_id: service.service_id, pid: stray.pid, port: service.port }]);
    expect(strays).toEqual([stray.pid]);
    expect(alive(stray.pid as number)).toBe(false);
    expect(report.started).toMatchObject([
      { service_id: service.service_id, success: true, status: 'running' },
    ]);
    expect(registry.pid(service.service_id)).not.toBe(stray.pid);
    expect(await storage.services.listProcesses()).toEqual([
      { service_id: service.service_id, pid: registry.pid(service.service_id), host: hostname() },
    ]);
  });

  it('never kills the agent server of a service that the store did not record (another manager’s)', async () => {
    const harness = await openHarness();
    cleanups.push(harness.close);
    const { registry, storage } = harness;
    const service = await registry.register({
      name: 'theirs',
      agent_factory_path: fixture('echo-agent.mjs'),
    });
    await storage.services.updateStatus(service.service_id, 'running');
    // The same command line, but started by a manager of another database: the store has no record of it.
    const foreign = await serverOf(service);
    // A record of a pid that is gone is only forgotten.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((done) => gone.once('exit', done));
    await storage.services.setProcess(service.service_id, { pid: gone.pid as number, host: hostname() });

    const report = await registry.reconcile();
    expect(report.strays).toEqual([]);
    expect(alive(foreign.pid as number)).toBe(true);
    expect(report.started).toMatchObject([
      { success: false, status: 'error', error: { code: 'PORT_IN_USE' } },
    ]);
    expect(await storage.services.listProcesses()).toEqual([]);
  });

  it('never kills a process on the port whose command line is not the service', async () => {
    const harness = await openHarness();
    cleanups.push(harness.close);
    const { registry, storage } = harness;
    const service = await registry.register({
      name: 'squatted',
      agent_factory_path: fixture('echo-agent.mjs'),
    });
    await storage.services.updateStatus(service.service_id, 'running');
    const other = spawn(
      process.execPath,
      [fixture('fake-server.mjs'), 'server', fixture('no-agent.mjs'), '--port', String(service.port)],
      { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, FIXTURE_NO_PARENT_WATCH: '1' } },
    );
    cleanups.push(() => killQuietly(other.pid));
    await lineWith(other, 'listening');
    const report = await registry.reconcile();
    expect(report.strays).toEqual([]);
    expect(alive(other.pid as number)).toBe(true);
    expect(report.started).toMatchObject([
      { success: false, status: 'error', error: { code: 'PORT_IN_USE' } },
    ]);
  });

  it('settles a status a dead manager left mid-way and leaves stopped services alone', async () => {
    const harness = await openHarness();
    cleanups.push(harness.close);
    const { registry, storage } = harness;
    const halted = await registry.register({ name: 'halted', agent_factory_path: fixture('echo-agent.mjs') });
    const idle = await registry.register({ name: 'idle', agent_factory_path: fixture('echo-agent.mjs') });
    await storage.services.updateStatus(halted.service_id, 'stopping');
    const report = await registry.reconcile();
    expect(report.started).toEqual([]);
    expect((await registry.get(halted.service_id)).status).toBe('stopped');
    expect((await registry.get(idle.service_id)).status).toBe('stopped');
  });
});

describe('reconcile after a manager went away while services were in ERROR', () => {
  /** Closes a manager as a crash would leave its database: statuses and pending restarts as they were. */
  async function leave(harness: Harness): Promise<void> {
    await harness.registry.close({ preserveStatus: true });
    await harness.storage.close();
  }

  async function errorWith(harness: Harness, serviceId: string, text: string) {
    return until(
      async () => {
        const current = await harness.storage.services.get(serviceId);
        return current?.status === 'error' && current.error_message?.includes(text) && current;
      },
      `ERROR with "${text}"`,
      10_000,
    );
  }

  /**
   * A service whose manager went away while its auto-restart (restart 1 of 1, due in 600 s) was pending,
   * and a second manager on the same database, not reconciled yet.
   */
  async function leftWaiting(name: string) {
    const first = await openHarness();
    const service = await first.registry.register({
      name,
      agent_factory_path: fixture('echo-agent.mjs'),
      // A long delay: the restart is still pending when the manager goes away.
      config: { restart_delay: 600, max_restart_count: 1 },
    });
    await first.registry.start(service.service_id);
    process.kill(first.registry.pid(service.service_id) as number, 'SIGKILL');
    const waiting = await errorWith(first, service.service_id, 'restart 1 of 1 in 600 s');
    expect(waiting.restart_count).toBe(1);
    expect(waiting.restart_due_at).not.toBeNull();
    await leave(first);
    const second = await openHarness({}, first.dbPath);
    cleanups.push(async () => {
      await second.close();
      await first.close();
    });
    const restarts: RestartEvent[] = [];
    second.registry.on('restart', (event) => restarts.push(event));
    /** Moves the stored due time, as if the manager had been down for a while. */
    const dueIn = (ms: number) =>
      second.storage.services.updateStatus(service.service_id, 'error', {
        restart_due_at: new Date(Date.now() + ms).toISOString(),
        expected: ['error'],
      });
    return { service, second, restarts, dueIn };
  }

  it('makes at once a pending auto-restart already due, and the restarts counted before still count', async () => {
    const { service, second, restarts, dueIn } = await leftWaiting('overdue');
    await dueIn(-1_000);
    const report = await second.registry.reconcile();
    expect(report.started).toEqual([]);
    expect(report.resumed).toMatchObject([
      { service_id: service.service_id, success: true, status: 'running' },
    ]);
    expect((await second.registry.get(service.service_id)).restart_due_at).toBeNull();
    const pid = second.registry.pid(service.service_id) as number;
    expect(alive(pid)).toBe(true);

    // max_restart_count 1 was spent by the first manager: this crash is past the cap.
    process.kill(pid, 'SIGKILL');
    const gaveUp = await errorWith(second, service.service_id, 'restart limit reached');
    expect(gaveUp.error_message).toContain('1 restarts within');
    expect(gaveUp.restart_due_at).toBeNull();
    expect(restarts).toEqual([]);
    expect(second.registry.pid(service.service_id)).toBeUndefined();
  });

  it('waits out the rest of the delay of a pending auto-restart not yet due', async () => {
    const { service, second, restarts, dueIn } = await leftWaiting('not-yet');
    // Well ahead, so that a loaded machine still reconciles before it is due.
    await dueIn(3_000);
    const report = await second.registry.reconcile();
    expect(report.resumed).toMatchObject([
      { service_id: service.service_id, success: true, status: 'error' },
    ]);
    expect(second.registry.pid(service.service_id)).toBeUndefined();
    const waiting = await second.registry.get(service.service_id);
    expect(waiting.status).toBe('error');
    expect(waiting.restart_due_at).not.toBeNull();

    const running = await until(
      async () => {
        const current = await second.registry.get(service.service_id);
        return current.status === 'running' && current;
      },
      'RUNNING once the restart is due',
      15_000,
    );
    expect(running.restart_due_at).toBeNull();
    expect(alive(second.registry.pid(service.service_id) as number)).toBe(true);
    // A second reconcile neither restarts it again nor counts it twice.
    expect((await second.registry.reconcile()).resumed).toEqual([]);
    expect(restarts).toEqual([]);
  });

  it('leaves in ERROR a service that hit max_restart_count and one whose first start failed', async () => {
    const first = await openHarness();
    const capped = await first.registry.register({
      name: 'capped',
      agent_factory_path: fixture('echo-agent.mjs'),
      config: {
        restart_delay: 0,
        max_restart_count: 1,
        environment: { FIXTURE_MODE: 'crash-later', FIXTURE_CRASH_MS: '150' },
      },
    });
    const broken = await first.registry.register({
      name: 'broken',
      agent_factory_path: fixture('echo-agent.mjs'),
      config: { environment: { FIXTURE_MODE: 'crash-start' } },
    });
    await first.registry.start(capped.service_id);
    await expect(first.registry.start(broken.service_id)).rejects.toMatchObject({
      code: 'SERVICE_START_FAILED',
    });
    await errorWith(first, capped.service_id, 'restart limit reached');
    const before = await Promise.all(
      [capped, broken].map(async (s) => first.storage.services.get(s.service_id)),
    );
    // Within the cap by the count alone: no restart due tells that it gave up.
    expect(before.map((s) => [s?.status, s?.restart_count, s?.restart_due_at])).toEqual([
      ['error', 1, null],
      ['error', 0, null],
    ]);
    await leave(first);

    const second = await openHarness({}, first.dbPath);
    cleanups.push(async () => {
      await second.close();
      await first.close();
    });
    const report = await second.registry.reconcile();
    expect(report).toMatchObject({ started: [], resumed: [], strays: [] });
    for (const stored of before) {
      const after = await second.registry.get(stored?.service_id as string);
      expect([after.status, after.error_message]).toEqual(['error', stored?.error_message]);
      expect(second.registry.pid(after.service_id)).toBeUndefined();
    }
  });
});
