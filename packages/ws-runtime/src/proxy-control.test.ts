import { createHmac, randomBytes } from 'node:crypto';
import { TestClient, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime } from '../test/helpers.js';
import { verifyProxyMark } from './proxy-control.js';

// The proxy control channel against a real runtime on a loopback socket: snapshots on a marked
// connection, restore with the same session id on another runtime sharing the secret, and refusals.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A mark as the proxy makes it (its format is the protocol's, so the test writes it out). */
function mark(secret: string, at = Date.now()): string {
  const nonce = randomBytes(12).toString('hex');
  const mac = createHmac('sha256', secret).update(`myagent-proxy-mark.v1.${at}.${nonce}`).digest('hex');
  return `v1.${at}.${nonce}.${mac}`;
}

async function runtime(secret: string | undefined) {
  const server = await startRuntime(secret === undefined ? {} : { stateSecret: secret });
  cleanups.push(server.close);
  return server;
}

async function client(url: string, header?: string) {
  const connected = await TestClient.connect(
    url,
    header === undefined ? undefined : { headers: { 'x-myagent-proxy': header } },
  );
  cleanups.push(() => connected.close());
  return connected;
}

const states = (c: TestClient) =>
  c.messages.filter((m) => m.event === 'system.session_state') as unknown as Array<{
    session_id: string;
    phase: string;
    signed_state?: unknown;
  }>;

describe('the proxy mark', () => {
  it('holds only for the secret, a fresh time and an untouched value', () => {
    const good = mark('s');
    expect(verifyProxyMark('s', good)).toBe(true);
    expect(verifyProxyMark('other', good)).toBe(false);
    expect(verifyProxyMark('s', mark('s', Date.now() - 10 * 60 * 1000))).toBe(false);
    const tampered = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    expect(verifyProxyMark('s', tampered)).toBe(false);
    expect(verifyProxyMark('s', '1')).toBe(false);
    expect(verifyProxyMark('s', undefined)).toBe(false);
  });
});

describe('the proxy control channel', () => {
  it('snapshots a marked connection and restores the session, same id, on another runtime', async () => {
    const first = await runtime('shared');
    const proxy = await client(first.url, mark('shared'));
    const sessionId = await proxy.createSession();
    await until(() => states(proxy).find((s) => s.phase === 'created'), 'the created snapshot');
    await proxy.turn(sessionId, 'one');
    await proxy.turn(sessionId, 'two');
    const last = await until(
      () => states(proxy).filter((s) => s.phase === 'turn_end')[1],
      'the second turn_end snapshot',
    );
    expect(states(proxy).map((s) => s.phase)).toEqual([
      'created',
      'turn_start',
      'turn_end',
      'turn_start',
      'turn_end',
    ]);
    // Control frames are not stamped: the client's seq numbers have no holes.
    const seqs = proxy.messages.filter((m) => m.seq !== undefined).map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    const second = await runtime('shared');
    const next = await client(second.url, mark('shared'));
    next.send({ event: 'proxy.restore_session', session_id: sessionId, signed_state: last.signed_state });
    const restored = await next.waitEvent('system.proxy_restored');
    expect(restored).toMatchObject({ session_id: sessionId, ok: true, message_count: 4 });
    const answer = await next.turn(sessionId, 'runs');
    expect(answer.find((m) => m.event === 'agent.final_answer')?.content).toBe('runs=3 messages=5');
  });

  it('at shutdown hands proxied sessions over (no session_end, a cut turn flagged) and ends the others', async () => {
    const server = await startRuntime({ stateSecret: 'shared', killGraceMs: 200 });
    cleanups.push(server.close);
    const proxy = await client(server.url, mark('shared'));
    const plain = await client(server.url);
    const proxied = await proxy.createSession();
    const own = await plain.createSession();
    proxy.send({ event: 'user.message', session_id: proxied, content: 'wait' });
    await until(() => states(proxy).find((s) => s.phase === 'turn_start'), 'the turn to start');
    await server.runtime.drain(0);
    await until(() => proxy.closed && plain.closed, 'both closed');
    expect(proxy.closeCode).toBe(1001);
    expect(proxy.events(proxied)).not.toContain('agent.session_end');
    expect(states(proxy).at(-1)).toMatchObject({ phase: 'turn_end', interrupted: true });
    expect(plain.events(own)).toContain('agent.session_end');
  });

  it('refuses a state of another session, a forged one, and a session that exists', async () => {
    const server = await runtime('shared');
    const proxy = await client(server.url, mark('shared'));
    const sessionId = await proxy.createSession();
    const created = await until(() => states(proxy)[0], 'a snapshot');
    proxy.send({ event: 'proxy.restore_session', session_id: 'other', signed_state: created.signed_state });
    proxy.send({
      event: 'proxy.restore_session',
      session_id: 'forged',
      signed_state: {
        state: { session_id: 'forged' },
        timestamp: new Date().toISOString(),
        signature: 'ab',
        checksum: 'cd',
      },
    });
    proxy.send({ event: 'proxy.restore_session', session_id: sessionId, signed_state: created.signed_state });
    await until(
      () => proxy.messages.filter((m) => m.event === 'system.proxy_restored').length === 3,
      'three answers',
    );
    const answers = proxy.messages.filter((m) => m.event === 'system.proxy_restored') as unknown as Array<{
      ok: boolean;
      code: string;
    }>;
    expect(answers.map((a) => [a.ok, a.code])).toEqual([
      [false, 'INVALID_STATE'],
      [false, 'INVALID_STATE'],
      [false, 'INVALID_STATE'],
    ]);
  });

  it('is closed to a plain client and to a mark signed with another secret', async () => {
    const server = await runtime('shared');
    for (const header of [undefined, '1', mark('guess')]) {
      const plain = await client(server.url, header);
      const sessionId = await plain.createSession();
      await plain.turn(sessionId, 'hello');
      plain.send({ event: 'proxy.restore_session', session_id: 'x', signed_state: {} });
      const refused = await plain.waitEvent('system.error');
      expect(refused.metadata?.code).toBe('UNKNOWN_EVENT');
      expect(plain.events()).not.toContain('system.session_state');
      expect(plain.events()).not.toContain('system.proxy_restored');
    }
  });

  it('never opens without a configured secret, whatever the mark', async () => {
    const server = await runtime(undefined);
    const plain = await client(server.url, mark(''));
    await plain.createSession();
    plain.send({ event: 'proxy.restore_session', session_id: 'x', signed_state: {} });
    expect((await plain.waitEvent('system.error')).metadata?.code).toBe('UNKNOWN_EVENT');
    expect(plain.events()).not.toContain('system.session_state');
  });
});
