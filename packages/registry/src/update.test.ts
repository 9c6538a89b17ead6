// ServiceRegistry.update: the patch rules, against real storage and a real running echo service.
import { createServer, type Server } from 'node:net';
import { ECHO_AGENT } from '@myagent/test-support';
import { afterEach, expect, it } from 'vitest';
import { agentServerCommand, type Harness, openHarness } from '../test/harness.js';
import { fixture } from '../test/helpers.js';

let harness: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code?: string }) => error.code,
  );

it('applies manager-side fields at once, lists start-time fields as pending while it runs, and refuses bad patches', async () => {
  harness = await openHarness({ command: agentServerCommand(), serverArgs: ['--in-process'] });
  const { registry, storage } = harness;
  const service = await registry.register({ name: 'upd', agent_factory_path: ECHO_AGENT, tags: ['a'] });
  const other = await registry.register({ name: 'other', agent_factory_path: ECHO_AGENT });

  // Stopped: everything applies, nothing waits.
  const stopped = await registry.update(service.service_id, {
    description: 'd',
    config: { max_sessions: 5 },
  });
  expect([stopped.changed, stopped.pendingRestart]).toEqual([['description', 'config.max_sessions'], []]);
  expect((await storage.services.get(service.service_id))?.config.max_sessions).toBe(5);
  expect((await registry.update(service.service_id, { description: 'd' })).changed).toEqual([]);

  await registry.start(service.service_id);
  const live = await registry.update(service.service_id, {
    tags: ['a', 'b'],
    config: { auto_restart: false, session_timeout: 60 },
  });
  expect(live.changed).toEqual(['tags', 'config.session_timeout', 'config.auto_restart']);
  expect(live.pendingRestart).toEqual(['config.session_timeout']);
  expect(live.service.config).toMatchObject({ auto_restart: false, session_timeout: 60, max_sessions: 5 });

  const busy = createServer();
  servers.push(busy);
  const busyPort = await new Promise<number>((done) =>
    busy.listen(0, '127.0.0.1', () => done((busy.address() as { port: number }).port)),
  );
  expect(await code(registry.update(service.service_id, { port: busyPort }))).toBe('SERVICE_RUNNING');
  expect(await code(registry.update(service.service_id, { name: 'other' }))).toBe('SERVICE_ALREADY_EXISTS');
  expect(await code(registry.update(service.service_id, { config: { max_sessions: -1 } }))).toBe(
    'INVALID_REQUEST',
  );
  expect(await code(registry.update(service.service_id, { bogus: 1 } as never))).toBe('INVALID_REQUEST');
  expect(
    await code(
      registry.update(service.service_id, { config: { agent_factory_path: fixture('no-agent.mjs') } }),
    ),
  ).toBe('INVALID_REQUEST');
  expect(await code(registry.update(other.service_id, { port: busyPort }))).toBe('PORT_IN_USE');
  expect(await code(registry.update(other.service_id, { port: service.port }))).toBe('PORT_IN_USE');
  expect(await code(registry.update('00000000-0000-4000-8000-000000000000', { description: 'x' }))).toBe(
    'SERVICE_NOT_FOUND',
  );
  // None of the refused patches left a trace.
  expect(await storage.services.get(service.service_id)).toMatchObject({
    name: 'upd',
    port: service.port,
    config: { max_sessions: 5, agent_factory_path: ECHO_AGENT },
  });

  await registry.stop(service.service_id);
  busy.close();
  const moved = await registry.update(other.service_id, { port: busyPort, name: 'renamed' });
  expect(moved.service).toMatchObject({
    name: 'renamed',
    port: busyPort,
    endpoint: `ws://127.0.0.1:${busyPort}`,
  });
});
