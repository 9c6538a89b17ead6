// Service stats (B9) end to end: the real `myagent-ws` binary's GET /health feeds what the registry stores.
import { afterEach, expect, it } from 'vitest';
import { TestClient } from '../../ws-runtime/test/helpers.js';
import { agentServerCommand, echoAgentPath, type Harness, openHarness } from './harness.js';
import { waitFor } from './helpers.js';

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
  const service = await registry.register({ name: 'sessions', agent_factory_path: echoAgentPath });
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

  const stats = await waitFor(async () => {
    const current = await registry.refreshStats(service.service_id);
    return current.completed_sessions === 2 && current.active_connections === 0 && current;
  });
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
