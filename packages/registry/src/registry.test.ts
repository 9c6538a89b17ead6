// The registry with the real `myagent-ws` binary serving the repository's echo agent.
import { createServer, type Server } from 'node:net';
import { alive, ECHO_AGENT, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { agentServerCommand, type Harness, openHarness } from '../test/harness.js';
import { fixture } from '../test/helpers.js';
import type { ExitEvent, RestartEvent } from './index.js';

let harness: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

async function real(): Promise<Harness> {
  harness = await openHarness({
    command: agentServerCommand(),
    serverArgs: ['--in-process'],
    readyTimeoutMs: 30_000,
  });
  return harness;
}

describe('register', () => {
  it('stores a valid service with its endpoint and an allocated port', async () => {
    const { registry, storage } = await real();
    const service = await registry.register({
      name: 'echo-1',
      agent_factory_path: ECHO_AGENT,
      tags: ['demo'],
      config: { restart_delay: 1 },
    });
    expect(service).toMatchObject({ name: 'echo-1', status: 'stopped', tags: ['demo'], host: '127.0.0.1' });
    expect(service.endpoint).toBe(`ws://127.0.0.1:${service.port}`);
    expect(service.config.restart_delay).toBe(1);
    expect(service.config.max_restart_count).toBe(3);
    expect(await storage.services.get(service.service_id)).toMatchObject({
      name: 'echo-1',
      port: service.port,
    });
  });

  it('refuses bad input with a coded error and stores nothing', async () => {
    const { registry, storage } = await real();
    const first = await registry.register({ name: 'taken', agent_factory_path: ECHO_AGENT });
    const busy = createServer();
    servers.push(busy);
    const busyPort = await new Promise<number>((done) =>
      busy.listen(0, '127.0.0.1', () => done((busy.address() as { port: number }).port)),
    );
    const cases: Array<[Parameters<typeof registry.register>[0], string, string]> = [
      [{ name: 'taken', agent_factory_path: ECHO_AGENT }, 'SERVICE_ALREADY_EXISTS', 'already exists'],
      [{ name: 'bad name!', agent_factory_path: ECHO_AGENT }, 'INVALID_REQUEST', 'name'],
      [{ name: 'missing', agent_factory_path: '/nope/agent.ts' }, 'INVALID_REQUEST', 'file not found'],
      [
        { name: 'no-agent', agent_factory_path: fixture('no-agent.mjs') },
        'INVALID_REQUEST',
        'exports no agent',
      ],
      [{ name: 'busy', agent_factory_path: ECHO_AGENT, port: busyPort }, 'PORT_IN_USE', 'in use'],
      [{ name: 'claimed', agent_factory_path: ECHO_AGENT, port: first.port }, 'PORT_IN_USE', "'taken'"],
      [
        { name: 'bad-config', agent_factory_path: ECHO_AGENT, config: { restart_delay: -1 } },
        'INVALID_REQUEST',
        'restart_delay',
      ],
    ];
    for (const [input, code, text] of cases) {
      await expect(registry.register(input), input.name).rejects.toMatchObject({
        code,
        message: expect.stringContaining(text),
      });
    }
    expect((await storage.services.list()).total).toBe(1);
  });

  it('never hands out the same port twice, even to concurrent registrations', async () => {
    const { registry } = await real();
    const services = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map((name) =>
        registry.register({ name, agent_factory_path: fixture('echo-agent.mjs') }),
      ),
    );
    expect(new Set(services.map((service) => service.port)).size).toBe(4);
  });
});

describe('lifecycle with the real agent server', () => {
  it('is RUNNING only once a ping is answered, captures its JSON logs, keeps stats, stops with SIGTERM', async () => {
    const { registry, storage } = await real();
    const statuses: string[] = [];
    registry.on('status', (event) => statuses.push(event.to));
    const exits: ExitEvent[] = [];
    registry.on('exit', (event) => exits.push(event));
    const service = await registry.register({ name: 'echo', agent_factory_path: ECHO_AGENT });
    const running = await registry.start(service.service_id);
    expect(running.status).toBe('running');
    expect(running.started_at).not.toBeNull();
    expect(statuses).toEqual(['starting', 'running']);
    // Starting again is a no-op.
    expect((await registry.start(service.service_id)).status).toBe('running');

    const stats = await registry.refreshStats(service.service_id);
    expect(stats.memory_usage_mb).toBeGreaterThan(0);
    // The readiness ping is a probe, not a client: no connection is counted yet.
    expect(stats.total_connections).toBe(0);
    expect(stats.last_updated).not.toBeNull();
    expect((await storage.services.get(service.service_id))?.stats.memory_usage_mb).toBe(
      stats.memory_usage_mb,
    );

    const logs = await until(async () => {
      const lines = await registry.logs(service.service_id);
      return lines.some((line) => line.message === 'listening') && lines;
    }, 'the condition');
    expect(logs.find((line) => line.message === 'listening')).toMatchObject({
      level: 'info',
      stream: 'stdout',
    });
    expect(await registry.searchLogs('listen', { service_id: service.service_id })).not.toHaveLength(0);

    const pid = registry.pid(service.service_id) as number;
    const stopped = await registry.stop(service.service_id);
    expect(stopped).toMatchObject({ status: 'stopped', started_at: null });
    expect(statuses).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(alive(pid)).toBe(false);
    expect(exits).toMatchObject([{ pid, expected: true, signal: null }]);
  });

  it('starts 10 services; one killed with SIGKILL is seen at once and RUNNING again', async () => {
    const { registry } = await real();
    const names = Array.from({ length: 10 }, (_, i) => `echo-${i}`);
    for (const name of names) {
      await registry.register({ name, agent_factory_path: ECHO_AGENT, config: { restart_delay: 0.5 } });
    }
    const started = await registry.startAll();
    // The message rides along so that a failure says why the service did not start.
    expect(
      started.map((result) => [result.name, result.status, result.success || result.error?.message]),
    ).toEqual(names.map((name) => [name, 'running', true]));
    const victim = started[3]?.service_id as string;
    const pid = registry.pid(victim) as number;
    const exit = new Promise<ExitEvent>((resolve) => registry.once('exit', resolve));
    process.kill(pid, 'SIGKILL');
    expect(await exit).toMatchObject({ pid, signal: 'SIGKILL', expected: false });
    await until(
      async () => {
        const now = registry.pid(victim);
        return now !== undefined && now !== pid && (await registry.get(victim)).status === 'running';
      },
      'the killed service to run again', // The real server's own start time under a loaded CI box is not ours to bound here: the fixture test
      // in lifecycle.test.ts holds the registry to restart_delay + 1 s.
      30_000,
    );
    const restarted = await registry.get(victim);
    expect(restarted.restart_count).toBe(1);

    const stopped = await registry.stopAll();
    expect(stopped.every((result) => result.success && result.status === 'stopped')).toBe(true);
    expect(stopped).toHaveLength(10);
  });

  it('restart, mark unhealthy and healthy, restartFailed and unregister', async () => {
    const { registry, storage } = await real();
    const service = await registry.register({
      name: 'cycle',
      agent_factory_path: ECHO_AGENT,
      config: { restart_delay: 0 },
    });
    await registry.start(service.service_id);
    const first = registry.pid(service.service_id) as number;
    expect((await registry.restart(service.service_id)).status).toBe('running');
    const second = registry.pid(service.service_id) as number;
    expect(second).not.toBe(first);
    expect(alive(first)).toBe(false);

    expect((await registry.markUnhealthy(service.service_id, 'ping timed out'))?.status).toBe('unhealthy');
    expect((await registry.markHealthy(service.service_id))?.status).toBe('running');
    await registry.markUnhealthy(service.service_id, 'ping timed out');
    const restarts: RestartEvent[] = [];
    registry.on('restart', (event) => restarts.push(event));
    await registry.restartFailed(service.service_id, 'unhealthy for too long');
    await until(async () => (await registry.get(service.service_id)).status === 'running', 'the condition');
    expect(restarts).toMatchObject([{ attempt: 1, reason: 'unhealthy for too long' }]);
    expect(alive(second)).toBe(false);

    const third = registry.pid(service.service_id) as number;
    expect(await registry.unregister(service.service_id)).toBe(true);
    expect(alive(third)).toBe(false);
    expect(await storage.services.get(service.service_id)).toBeUndefined();
    await expect(registry.start(service.service_id)).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
  });
});
