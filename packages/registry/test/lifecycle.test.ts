// Whole-process behaviour: a manager killed with SIGKILL leaves no child behind, a new manager on the same
// database brings its services back, and strays on a service's port are found and stopped.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { agentServerCommand, type Harness, openHarness } from './harness.js';
import { alive, fixture, tempDir, waitFor } from './helpers.js';

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

describe('a manager killed with SIGKILL', () => {
  it('leaves no child alive, and a new manager on the same database brings the services back', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const dbPath = join(temp.dir, 'manager.db');
    const basePort = 30_000 + Math.floor(Math.random() * 20_000);
    const manager = spawn(
      process.execPath,
      [
        '--conditions=@myagent/source',
        '--import',
        'tsx',
        fixture('manager-process.mts'),
        dbPath,
        String(basePort),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => killQuietly(manager.pid));
    const { pids } = JSON.parse(await lineWith(manager, 'pids')) as { pids: number[] };
    cleanups.push(() => pids.forEach(killQuietly));
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);

    manager.kill('SIGKILL');
    await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, 'the children to die with their manager');

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
      code: 'SERVICE_START_FAILED',
    });
  });
});

describe('reconcile', () => {
  it('stops a stray agent server on a service port (checked by its command line) and starts the service', async () => {
    const harness = await openHarness();
    cleanups.push(harness.close);
    const { registry, storage } = harness;
    const service = await registry.register({
      name: 'strayed',
      agent_factory_path: fixture('echo-agent.mjs'),
    });
    await storage.services.updateStatus(service.service_id, 'running');
    // A server a previous manager left behind: same command line, not watching any parent.
    const stray = spawn(
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
    cleanups.push(() => killQuietly(stray.pid));
    await lineWith(stray, 'listening');

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
