// Service stats (B9) end to end: the real `myagent-ws` binary's GET /health feeds what the registry stores.

import { ECHO_AGENT, TestClient, until } from '@myagent/test-support';
import { afterEach, expect, it } from 'vitest';
import { agentServerCommand, type Harness, openHarness } from './harness.js';

let harness: Harness | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await harness?.close();
  harness = undefined;
});

async function connect(url: string): Promise<TestClient> {
  const client = await TestClient.connect(url);
  clients.push(client);
  return client;
}

it('stores the mean duration of ended sessions, and the peak of connections between two polls', async () => {
  harness = await openHarness({
    command: agentServerCommand(),
    serverArgs: ['--in-process'],
    readyTimeoutMs: 30_000,
  });
  const { registry, storage } = harness;
  const service = await registry.register({ name: 'sessions', agent_factory_path: ECHO_AGENT });
  await registry.start(service.service_id);
  const since = performance.now();

  const first = await connect(service.endpoint);
  const second = await connect(service.endpoint);
  const closed = await first.createSession();
  await first.turn(closed, 'hello');
  first.send({ event: 'user.close_session', session_id: closed });
  await first.waitEvent('agent.session_end', { session: closed });
  const dropped = await second.createSession();
  await second.turn(dropped, 'bye');
  await first.close();
  // Its socket goes away: the server ends the session without being asked.
  await second.close();

  const stats = await until(async () => {
    const current = await registry.refreshStats(service.service_id);
    return current.completed_sessions === 2 && current.active_connections === 0 && current;
  }, 'the condition');
  const elapsedSeconds = (performance.now() - since) / 1000;
  expect(stats).toMatchObject({ total_sessions: 2, active_sessions: 0 });
  expect(stats.avg_session_duration).toBeGreaterThan(0);
  // A mean of durations within the window cannot exceed the window.
  expect(stats.avg_session_duration).toBeLessThanOrEqual(elapsedSeconds);
  // Both clients had gone before the first poll: only the server's own peak saw them together.
  expect(stats.peak_connections).toBeGreaterThanOrEqual(2);
  expect((await storage.services.get(service.service_id))?.stats).toMatchObject({
    avg_session_duration: stats.avg_session_duration,
    peak_connections: stats.peak_connections,
  });
});

it('counts only clients (not its readiness ping), and keeps its totals across restarts of the child and of the registry', async () => {
  const options = { command: agentServerCommand(), serverArgs: ['--in-process'], readyTimeoutMs: 30_000 };
  const first = await openHarness(options);
  harness = first;
  const service = await first.registry.register({ name: 'totals', agent_factory_path: ECHO_AGENT });
  await first.registry.start(service.service_id);
  expect(await first.registry.refreshStats(service.service_id)).toMatchObject({
    total_connections: 0,
    peak_connections: 0,
  });

  const session = async () => {
    const client = await connect(service.endpoint);
    await client.turn(await client.createSession(), 'hello');
    await client.close();
  };
  const totalsReach = (registry: typeof first.registry, connections: number) =>
    until(async () => {
      const stats = await registry.refreshStats(service.service_id);
      return stats.total_connections === connections && stats.completed_sessions === connections && stats;
    }, 'the condition');
  await session();
  await totalsReach(first.registry, 1);

  // A restart starts a server that counts from zero: the stored totals go on from where they were.
  await first.registry.restart(service.service_id);
  expect(await first.registry.refreshStats(service.service_id)).toMatchObject({
    total_connections: 1,
    total_sessions: 1,
    completed_sessions: 1,
    peak_connections: 1,
  });
  await session();
  const before = await totalsReach(first.registry, 2);
  expect(before).toMatchObject({ total_sessions: 2, error_count: 0 });

  // So does a new manager on the same database.
  await first.registry.close({ preserveStatus: true });
  await first.storage.close();
  const second = await openHarness(options, first.dbPath);
  harness = {
    ...second,
    close: async () => {
      await second.close();
      await first.close();
    },
  };
  await second.registry.reconcile();
  expect(await second.registry.refreshStats(service.service_id)).toMatchObject({
    total_connections: 2,
    total_sessions: 2,
    completed_sessions: 2,
    avg_session_duration: before.avg_session_duration,
  });
});
