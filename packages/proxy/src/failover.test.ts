import { COUNTING_AGENT, TestClient, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type Backend, candidate, childBackend, startProxy, TestSource } from '../test/harness.js';
import { connectUpstream, type UpstreamConnector } from './index.js';

// Failover against real agent servers: `myagent-ws` children sharing a state secret, killed with SIGKILL
// while the client's socket to the proxy stays open.
const SECRET = 'failover-test-secret-0123456789';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function backend(slowMs = 30_000): Promise<Backend> {
  const started = await childBackend({
    agent: COUNTING_AGENT,
    env: { MYAGENT_STATE_SECRET: SECRET, FIXTURE_SLOW_MS: String(slowMs) },
  });
  cleanups.push(() => started.stop());
  return started;
}

async function proxyOver(source: TestSource, failoverWaitMs = 15_000, connector = connectUpstream) {
  const proxied = await startProxy({
    source,
    stateSecret: SECRET,
    failoverWaitMs,
    connectUpstream: connector,
  });
  cleanups.push(() => proxied.stop());
  return proxied;
}

async function turn(client: TestClient, session: string, text: string): Promise<string> {
  const before = client.messages.filter(
    (e) => e.event === 'agent.final_answer' && e.session_id === session,
  ).length;
  client.send({ event: 'user.message', session_id: session, content: text });
  const answer = await client.waitEvent('agent.final_answer', { session, nth: before });
  return String(answer.content);
}

/** Two instances behind a proxy, a client on it with one session. */
async function pair(slowMs?: number) {
  const [a, b] = [await backend(slowMs), await backend(slowMs)];
  const source = new TestSource();
  source.set([candidate('a', a), candidate('b', b)]);
  const { proxy, url } = await proxyOver(source);
  const client = await TestClient.connect(url);
  cleanups.push(async () => client.close());
  const session = await client.createSession();
  return { a, b, source, proxy, client, session };
}

function kill(target: Backend): void {
  process.kill(target.pid as number, 'SIGKILL');
}

describe('failover', () => {
  it('moves the session to the other instance on kill -9 between turns: the next message is N+1', async () => {
    const [a, b] = [await backend(), await backend()];
    const source = new TestSource();
    source.set([candidate('a', a, { tags: ['pair'] }), candidate('b', b, { tags: ['pair'] })]);
    const { proxy, url } = await proxyOver(source);
    const client = await TestClient.connect(`${url}?tag=pair`);
    cleanups.push(async () => client.close());
    const session = await client.createSession();
    expect(await turn(client, session, 'one')).toContain('message 1 of this session');
    expect(await turn(client, session, 'two')).toContain('message 2 of this session');
    const on = proxy.connections()[0]?.target_service as string;
    // The source still says the killed one runs: failover must not go back to it.
    kill(on === 'a' ? a : b);
    const switched = await client.waitEvent('service_switched');
    expect(switched.data).toEqual({
      from_service: on,
      to_service: on === 'a' ? 'b' : 'a',
      reason: 'upstream_lost',
      session_preserved: true,
    });
    expect(await turn(client, session, 'three')).toContain('three (message 3 of this session)');
    expect(proxy.connections()[0]).toMatchObject({
      target_service: on === 'a' ? 'b' : 'a',
      session_ids: [session],
      status: 'active',
    });
    expect(client.closed).toBe(false);
  }, 60_000);

  it('leaves a service that turned unhealthy while its socket stays open, with the session', async () => {
    const { a, b, source, proxy, client, session } = await pair();
    expect(await turn(client, session, 'one')).toContain('message 1 of this session');
    const on = proxy.connections()[0]?.target_service;
    source.set([
      candidate('a', a, on === 'a' ? { status: 'unhealthy' } : {}),
      candidate('b', b, on === 'b' ? { healthy: false } : {}),
    ]);
    expect((await client.waitEvent('service_switched')).data).toEqual({
      from_service: on,
      to_service: on === 'a' ? 'b' : 'a',
      reason: 'service_unhealthy',
      session_preserved: true,
    });
    expect(await turn(client, session, 'two')).toContain('message 2 of this session');
  }, 60_000);

  it('lets a running turn finish on a service turned unhealthy, then leaves it', async () => {
    const { a, b, source, proxy, client, session } = await pair(1_000);
    client.send({ event: 'user.message', session_id: session, content: 'slow one' });
    await client.waitEvent('agent.thinking', { session });
    const on = proxy.connections()[0]?.target_service;
    source.set([candidate('a', a, { healthy: on !== 'a' }), candidate('b', b, { healthy: on !== 'b' })]);
    const answer = await client.waitEvent('agent.final_answer', { session });
    expect(String(answer.content)).toBe('slow one (message 1 of this session)');
    expect((await client.waitEvent('service_switched')).data).toMatchObject({
      from_service: on,
      reason: 'service_unhealthy',
      session_preserved: true,
    });
    expect(await turn(client, session, 'two')).toContain('message 2 of this session');
    expect(client.messages.some((e) => e.event === 'agent.error')).toBe(false);
  }, 60_000);

  it('ends a turn running at the kill with UPSTREAM_LOST, and delivers what the client sent meanwhile', async () => {
    const [a, b] = [await backend(), await backend()];
    const source = new TestSource();
    source.set([candidate('a', a), candidate('b', b)]);
    // The failover's leg opens only once the test lets it: the client's message is sent mid-switch.
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    let legs = 0;
    const held: UpstreamConnector = async (request) => {
      if (legs++ > 0) await opened;
      return connectUpstream(request);
    };
    const { proxy, url } = await proxyOver(source, 15_000, held);
    const client = await TestClient.connect(url);
    cleanups.push(async () => client.close());
    const session = await client.createSession();
    const other = await client.createSession();
    expect(await turn(client, session, 'one')).toContain('message 1');
    client.send({ event: 'user.message', session_id: session, content: 'slow two' });
    await client.waitEvent('agent.thinking', { session, nth: 1 });
    const on = proxy.connections()[0]?.target_service;
    kill(on === 'a' ? a : b);
    const lost = await client.waitEvent('agent.error', { session });
    expect(lost.metadata).toMatchObject({ code: 'UPSTREAM_LOST' });
    // Sent while the proxy switches: held, then delivered to the new agent server.
    client.send({ event: 'user.message', session_id: other, content: 'hello' });
    await until(() => proxy.stats().buffered_bytes > 0, 'the message held');
    open();
    expect((await client.waitEvent('service_switched')).data).toMatchObject({ session_preserved: true });
    expect(String((await client.waitEvent('agent.final_answer', { session: other })).content)).toBe(
      'hello (message 1 of this session)',
    );
    // The lost turn left no trace in the state restored: the next message is the second.
    expect(await turn(client, session, 'again')).toContain('again (message 2 of this session)');
    expect(client.messages.filter((e) => e.event === 'agent.error')).toHaveLength(1);
  }, 60_000);

  it('waits for the only instance to come back (a new process), then restores there', async () => {
    const first = await backend();
    const source = new TestSource();
    source.set([candidate('solo', first, { started_at: '2026-01-01T00:00:00.000Z' })]);
    const { url } = await proxyOver(source);
    const client = await TestClient.connect(`${url}?service=solo`);
    cleanups.push(async () => client.close());
    const session = await client.createSession();
    expect(await turn(client, session, 'one')).toContain('message 1');
    kill(first);
    source.set([candidate('solo', first, { status: 'error' })]);
    const second = await backend();
    source.set([candidate('solo', second, { started_at: '2026-01-01T00:00:05.000Z' })]);
    expect((await client.waitEvent('service_switched')).data).toMatchObject({
      from_service: 'solo',
      to_service: 'solo',
      session_preserved: true,
    });
    expect(await turn(client, session, 'two')).toContain('message 2 of this session');
  }, 60_000);

  it('past the wait with no instance: error recoverable:false, then close', async () => {
    const only = await backend();
    const source = new TestSource();
    source.set([candidate('solo', only)]);
    const { url } = await proxyOver(source, 1_000);
    const client = await TestClient.connect(url);
    cleanups.push(async () => client.close());
    await client.createSession();
    kill(only);
    expect(await client.waitClosed()).toBe(1011);
    expect(client.messages.at(-1)).toMatchObject({
      event: 'error',
      data: { code: 'UPSTREAM_LOST', recoverable: false },
    });
    expect(client.messages.some((e) => e.event === 'service_switched')).toBe(false);
  }, 60_000);

  it('refuses a client that sends proxy.restore_session itself, and never shows it the control frames', async () => {
    const only = await backend();
    const source = new TestSource();
    source.set([candidate('solo', only)]);
    const { url } = await proxyOver(source);
    const client = await TestClient.connect(url);
    cleanups.push(async () => client.close());
    const session = await client.createSession();
    await turn(client, session, 'one');
    client.send({ event: 'proxy.restore_session', session_id: 'x', signed_state: {} });
    expect((await client.waitEvent('error')).data).toMatchObject({ code: 'FORBIDDEN' });
    await until(() => client.messages.length >= 4, 'the events');
    expect(client.messages.map((e) => e.event)).not.toContain('system.session_state');
    expect(client.messages.map((e) => e.event)).not.toContain('system.proxy_restored');
  }, 60_000);
});
