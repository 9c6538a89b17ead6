import { TestClient, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime } from '../test/helpers.js';

// Bad input, housekeeping (ping, heartbeat, dead peers), signed state and replay.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Parameters<typeof startRuntime>[0] = {}) {
  const server = await startRuntime(options);
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  return { server, client };
}

describe('bad input', () => {
  it('answers every bad frame with its coded system.error and goes on', async () => {
    const { client } = await setup({ maxMessageBytes: 1024 });
    const sessionId = await client.createSession();
    client.send('{not json');
    client.send('[1,2]');
    client.send({ event: 'user.fly' });
    client.send({ event: 'user.message', session_id: sessionId });
    client.send({ event: 'user.message', session_id: sessionId, content: '' });
    client.send({ event: 'user.message', session_id: sessionId, content: 'x'.repeat(2000) });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    client.send({ event: 'user.message', session_id: 'nope', content: 'hi' });
    client.send({
      event: 'user.response',
      session_id: sessionId,
      step_id: 'confirm_00000000_x',
      content: { confirmed: true },
    });
    await until(() => client.messages.filter((m) => m.event === 'system.error').length === 9, 'nine errors');
    expect(client.messages.filter((m) => m.event === 'system.error').map((m) => m.metadata?.code)).toEqual([
      'INVALID_JSON',
      'INVALID_MESSAGE',
      'UNKNOWN_EVENT',
      'INVALID_MESSAGE',
      'INVALID_MESSAGE',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_FRAME',
      'SESSION_NOT_FOUND',
      'INVALID_MESSAGE',
    ]);
    expect(client.closed).toBe(false);
    expect((await client.turn(sessionId, 'still here')).at(-1)?.content).toBe('Echo: still here');
  });

  it('closes with 1009 only frames far past the limit, which ws cannot skip', async () => {
    const { client } = await setup({ maxMessageBytes: 1024 });
    client.send('x'.repeat(5 * 1024 * 1024));
    await until(() => client.closed, 'the close');
    expect(client.closeCode).toBe(1009);
  });
});

describe('housekeeping', () => {
  it('answers ping events in both shapes, and sends nothing before the client speaks', async () => {
    const { client } = await setup({ heartbeatIntervalMs: 50 });
    let pings = 0;
    client.ws.on('ping', () => pings++);
    await until(() => pings >= 3, 'three heartbeat periods'); // heartbeats would have come by now
    expect(client.messages).toEqual([]);
    client.send({ event: 'ping' });
    client.send({ type: 'ping' });
    await until(() => client.messages.filter((m) => m.event === 'pong').length === 2, 'two pongs');
    const heartbeat = await client.waitEvent('system.heartbeat');
    expect(heartbeat.metadata).toMatchObject({ active_sessions: 0 });
    expect(heartbeat.metadata?.uptime).toBeTypeOf('number');
  });

  it('keeps a session id the client proposes when it is sane and free, otherwise draws one', async () => {
    const { client } = await setup();
    client.send({ event: 'user.create_session', session_id: 'my-session.1' });
    client.send({ event: 'user.create_session', session_id: 'my-session.1' });
    client.send({ event: 'user.create_session', session_id: 'x'.repeat(500) });
    await client.waitEvent('agent.session_created', { nth: 2 });
    const ids = client.messages.filter((m) => m.event === 'agent.session_created').map((m) => m.session_id);
    expect(ids[0]).toBe('my-session.1');
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[2]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('greets on connect only when asked', async () => {
    const { server } = await setup();
    const greeted = await TestClient.connect(`${server.url}/?greeting=1`);
    cleanups.push(() => greeted.close());
    const hello = await greeted.waitEvent('system.connected');
    expect(hello.metadata?.connection_id).toBe(hello.connection_id);
  });

  it('closes a peer that stops answering WebSocket pings and releases its sessions', async () => {
    const { server } = await setup({ heartbeatIntervalMs: 100 });
    // autoPong: false makes this peer deaf to pings, like a dead network path.
    const deaf = await TestClient.connect(server.url, { autoPong: false });
    cleanups.push(() => deaf.close());
    await deaf.createSession();
    expect(server.runtime.stats().active_sessions).toBe(1);
    await until(() => deaf.closed, 'the dead peer to be closed');
    await until(() => server.runtime.stats().active_sessions === 0, 'its session to be released');
  });

  it('keeps a live peer that answers pings', async () => {
    const { client, server } = await setup({ heartbeatIntervalMs: 50 });
    await client.createSession();
    await until(
      () => client.messages.filter((m) => m.event === 'system.heartbeat').length >= 6,
      'heartbeats',
    );
    expect(client.closed).toBe(false);
    expect(server.runtime.stats().active_sessions).toBe(1);
  });
});

describe('signed state, replay and ack', () => {
  it('exports a signed state that another runtime with the same secret restores, replaying events', async () => {
    const first = await setup({ stateSecret: 'shared-secret' });
    const sessionId = await first.client.createSession();
    await first.client.turn(sessionId, 'remember me');
    first.client.send({ event: 'user.request_state', session_id: sessionId });
    const exported = await first.client.waitEvent('agent.state_exported');
    const signed = exported.metadata?.signed_state as Record<string, unknown>;
    expect(signed).toMatchObject({ version: '1.0' });
    expect(exported.metadata).toMatchObject({ message_count: 2, current_step: 1 });
    expect(exported.metadata?.state_size).toBeGreaterThan(100);

    // Same runtime, new connection: the old connection's events come back.
    await first.client.close();
    const again = await TestClient.connect(first.server.url);
    cleanups.push(() => again.close());
    again.send({ event: 'user.reconnect_with_state', signed_state: signed });
    const restored = await again.waitEvent('agent.state_restored');
    expect(restored.session_id).not.toBe(sessionId);
    expect(restored.metadata).toMatchObject({
      original_session_id: sessionId,
      message_count: 2,
      warnings: [],
    });
    const notice = await again.waitEvent('system.notice');
    expect(notice.content).toBe('Replay completed');
    const replayed = again.messages.filter((m) => m.metadata?.replayed === true);
    expect(replayed.map((m) => m.event)).toContain('agent.final_answer');
    expect(notice.metadata?.replayed).toBe(replayed.length);
    const runs = await again.turn(restored.session_id as string, 'runs');
    expect(runs.at(-1)?.content).toBe('runs=2 messages=3');

    // Another runtime, same secret: restored too (the failover case); the content shape works as well.
    const second = await setup({ stateSecret: 'shared-secret' });
    second.client.send({ event: 'user.reconnect_with_state', content: { signed_state: signed } });
    expect((await second.client.waitEvent('agent.state_restored')).metadata?.original_session_id).toBe(
      sessionId,
    );

    // A different secret, or a tampered state, is refused with INVALID_STATE.
    const stranger = await setup({ stateSecret: 'other' });
    stranger.client.send({ event: 'user.reconnect_with_state', signed_state: signed });
    const tampered = { ...signed, state: { ...(signed.state as object), current_step: 99 } };
    stranger.client.send({ event: 'user.reconnect_with_state', signed_state: tampered });
    await until(
      () => stranger.client.messages.filter((m) => m.event === 'system.error').length === 2,
      'errors',
    );
    expect(stranger.client.messages.map((m) => m.metadata?.code)).toEqual(['INVALID_STATE', 'INVALID_STATE']);
  });

  it('prunes the replay buffer with user.ack', async () => {
    const { client, server } = await setup({ stateSecret: 's' });
    const sessionId = await client.createSession();
    const events = await client.turn(sessionId, 'hello');
    const last = events.at(-1)?.seq as number;
    client.send({ event: 'user.ack', content: { last_seq: last } });
    client.send({ event: 'user.request_state', session_id: sessionId });
    const exported = await client.waitEvent('agent.state_exported');
    await client.close();
    const again = await TestClient.connect(server.url);
    cleanups.push(() => again.close());
    again.send({ event: 'user.reconnect_with_state', signed_state: exported.metadata?.signed_state });
    const notice = await again.waitEvent('system.notice');
    // Everything up to the final answer was acknowledged: only the export itself is left to replay.
    const replayed = again.messages.filter((m) => m.metadata?.replayed === true).map((m) => m.event);
    expect(replayed).toEqual(['agent.state_exported']);
    expect(notice.metadata?.replayed).toBe(1);
  });
});

describe('drain', () => {
  it('lets a running turn finish, ends sessions and refuses new connections', async () => {
    const { client, server } = await setup();
    const sessionId = await client.createSession();
    client.send({ event: 'user.message', session_id: sessionId, content: 'slow' });
    await client.waitEvent('agent.thinking');
    const drained = server.runtime.drain(10_000);
    await expect(TestClient.connect(server.url)).rejects.toThrow();
    await drained;
    expect(client.events(sessionId).slice(-2)).toEqual(['agent.final_answer', 'agent.session_end']);
    await until(() => client.closed, 'the socket to close');
    expect(client.closeCode).toBe(1001);
  });

  it('stops a turn that outlasts the grace period', async () => {
    const { client, server } = await setup({ killGraceMs: 100 });
    const sessionId = await client.createSession();
    client.send({ event: 'user.message', session_id: sessionId, content: 'hang' });
    await client.waitEvent('agent.thinking');
    await server.runtime.drain(100);
    expect(client.events(sessionId).at(-1)).toBe('agent.session_end');
    expect(server.runtime.stats().active_runs).toBe(0);
  });
});

it('exports exactly its public surface', async () => {
  const mod = await import('./index.js');
  expect(Object.keys(mod).sort()).toMatchInlineSnapshot(`
    [
      "CONNECTION_GUARD_DEFAULTS",
      "SIGNED_STATE_TTL_MS",
      "createAgentRuntime",
      "createStateSigner",
      "guardConnections",
      "loadAgentModule",
      "resolveAgent",
      "resolveGuardOptions",
    ]
  `);
});
