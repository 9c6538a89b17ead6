import { createConnection } from 'node:net';
import { TestClient, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  candidate,
  frameEchoBackend,
  inProcessBackend,
  startProxy,
  TestSource,
} from '../test/harness.js';

// Frame-level behaviour against a plain ws echo server (it answers binary too), routing inputs and bad
// handshakes against the echo agent.
let echo: Awaited<ReturnType<typeof frameEchoBackend>>;
let agent: Backend;
let proxied: Awaited<ReturnType<typeof startProxy>>;
const source = new TestSource();
const failures: unknown[] = [];
/** Connections as the close hook heard of them. */
const closedInfos: Array<{ connection_id: string; close_reason?: string }> = [];

beforeAll(async () => {
  echo = await frameEchoBackend();
  agent = await inProcessBackend();
  source.set([
    candidate('frames', echo, { tags: ['raw'] }),
    candidate('agent', agent, { tags: ['agent', 'eu'] }),
    candidate('stopped', agent, { status: 'stopped', tags: ['off'] }),
  ]);
  proxied = await startProxy({
    source,
    onRoutingFailed: (f) => failures.push(f),
    hooks: { close: (info) => void closedInfos.push(info) },
    maxBufferedBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await proxied?.stop();
  await echo?.stop();
  await agent?.stop();
});

describe('relay', () => {
  it('relays text and binary frames unchanged, in order, and 1 MiB frames both ways', async () => {
    const client = await TestClient.connect(`${proxied.url}?service=frames`);
    const big = Buffer.alloc(1024 * 1024, 7);
    big[12345] = 1;
    for (let i = 0; i < 200; i++) client.send(Buffer.from([i & 255, 1, 2, 3]));
    client.send(big);
    client.send('{"not":"an event"}');
    await until(() => client.binary.length === 201 && client.texts.length === 1, 'echoes');
    expect(client.binary.slice(0, 200).map((b) => b[0])).toEqual([...Array(200).keys()].map((i) => i & 255));
    expect(client.binary[200]?.equals(big)).toBe(true);
    expect(client.texts).toEqual(['{"not":"an event"}']);
    const id = proxied.proxy.connections().at(-1)?.connection_id;
    client.ws.close(4001, 'bye now');
    expect(await client.waitClosed()).toBe(4001);
    expect(client.closeReason).toBe('bye now');
    // The proxy read the reason itself, unmasking the client's close frame.
    await until(() => closedInfos.find((c) => c.connection_id === id), 'the close hook');
    expect(closedInfos.find((c) => c.connection_id === id)?.close_reason).toBe('bye now');
  });

  it('marks the upstream handshake, strips the probe header and the token, forwards the query', async () => {
    const before = echo.headers.length;
    const client = await TestClient.connect(`${proxied.url}?service=frames&token=secret&x=1`, {
      headers: { 'x-myagent-probe': '1', authorization: 'Bearer secret', 'x-user': 'u1' },
    });
    // The client's socket opens before the upstream leg does.
    const seen = (await until(() => echo.headers[before], 'the upstream handshake')) as Record<
      string,
      string
    >;
    expect(seen['x-myagent-proxy']).toBe('1');
    expect(seen['x-myagent-probe']).toBeUndefined();
    expect(seen.authorization).toBeUndefined();
    expect(seen['x-user']).toBe('u1');
    expect(seen['x-forwarded-for']).toContain('127.0.0.1');
    expect(seen.url).toContain('x=1');
    expect(seen.url).not.toContain('secret');
    client.close();
  });

  it("drops a client's own proxy.* messages, however they are spelt", async () => {
    const client = await TestClient.connect(`${proxied.url}?service=frames`);
    client.send({ type: 'proxy.restore_session', session_id: 's' });
    client.send('{"session_id":"s","event":"\\u0070roxy.restore_session"}');
    client.send({ event: 'user.message', content: 'proxy. is fine in content' });
    await until(() => client.texts.length === 3, 'answers');
    expect(client.messages.filter((e) => e.event === 'error')).toHaveLength(2);
    expect(client.messages[0]).toMatchObject({
      event: 'error',
      data: { code: 'FORBIDDEN', recoverable: true },
    });
    expect(client.messages[2]).toMatchObject({ event: 'user.message' });
    client.close();
  });

  it('drops a proxy.* message sent in fragments, and relays a fragmented one that is not', async () => {
    const client = await TestClient.connect(`${proxied.url}?service=frames`);
    const parts = ['{"type":"pro', 'xy.restore_session",', '"session_id":"s"}'];
    for (const [i, part] of parts.entries()) client.ws.send(part, { fin: i === parts.length - 1 });
    const fine = ['{"event":"user.message",', '"content":"proxy"}'];
    for (const [i, part] of fine.entries()) client.ws.send(part, { fin: i === fine.length - 1 });
    await until(() => client.texts.length === 2, 'answers');
    expect(client.messages[0]).toMatchObject({ event: 'error', data: { code: 'FORBIDDEN' } });
    expect(client.messages[1]).toMatchObject({ event: 'user.message', content: 'proxy' });
    client.close();
  });

  it('pauses the upstream for a client that stops reading: memory stays bounded', async () => {
    const client = await TestClient.connect(`${proxied.url}?service=frames`);
    const chunk = Buffer.alloc(256 * 1024, 1);
    // The client stops reading its socket; the echo server keeps answering what it sent.
    (client.ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    for (let i = 0; i < 64; i++) client.send(chunk);
    // 16 MiB were sent; the proxy holds at most its bound plus a read per side.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(proxied.proxy.stats().buffered_bytes).toBeLessThan(4 * 1024 * 1024);
    (client.ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
    await until(() => client.binary.length === 64, 'every echo, after all', 30_000);
    expect(client.binary.every((b) => b.equals(chunk))).toBe(true);
    client.close();
  });
});

describe('routing inputs', () => {
  it('routes by service name or id, tag (query or header), and sends connection_routed when asked', async () => {
    for (const [url, headers, want] of [
      [`${proxied.url}?service=id-agent&events=routed`, {}, 'agent'],
      [`${proxied.url}?tag=raw&events=routed`, {}, 'frames'],
      [`${proxied.url}?tag=agent,eu&events=routed`, {}, 'agent'],
      [proxied.url, { 'x-myagent-tag': 'raw', 'x-myagent-events': 'routed' }, 'frames'],
      [proxied.url, { 'x-myagent-service': 'agent', 'x-myagent-events': 'routed' }, 'agent'],
      [`${proxied.url}?service=agent&routing_hint=least_connections&events=routed`, {}, 'agent'],
    ] as const) {
      const client = await TestClient.connect(url, { headers });
      const routed = await client.waitEvent('connection_routed');
      expect(routed.data).toMatchObject({ target_service: want });
      client.close();
    }
  });

  it('keeps a session on its service (affinity) and lists its id', async () => {
    const first = await TestClient.connect(`${proxied.url}?tag=agent`);
    const session = await first.createSession();
    await until(() => proxied.proxy.connections().find((c) => c.session_ids.includes(session)), 'listed');
    first.close();
    const again = await TestClient.connect(`${proxied.url}?session_id=${session}&events=routed`);
    expect((await again.waitEvent('connection_routed')).data).toMatchObject({ target_service: 'agent' });
    again.close();
  });

  it('sends nothing before the session reply unless asked', async () => {
    const client = await TestClient.connect(`${proxied.url}?service=agent`);
    await client.createSession();
    expect(client.messages[0]?.event).toBe('agent.session_created');
    client.close();
  });
});

describe('bad handshakes', () => {
  it('answers ROUTING_FAILED (recoverable) or SERVICE_NOT_FOUND with an error event, then 1013', async () => {
    const none = await TestClient.connect(`${proxied.url}?tag=off`);
    expect(await none.waitClosed()).toBe(1013);
    expect(none.messages).toMatchObject([
      { event: 'error', data: { code: 'ROUTING_FAILED', recoverable: true } },
    ]);
    const unknown = await TestClient.connect(`${proxied.url}?service=nope`);
    expect(await unknown.waitClosed()).toBe(1013);
    expect(unknown.messages).toMatchObject([
      { event: 'error', data: { code: 'SERVICE_NOT_FOUND', recoverable: false } },
    ]);
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'ROUTING_FAILED' }),
        expect.objectContaining({ code: 'SERVICE_NOT_FOUND', service: 'nope' }),
      ]),
    );
  });

  it('refuses malformed routing inputs with INVALID_REQUEST, then 1008', async () => {
    for (const query of [
      'service=a&service=b',
      'routing_hint=fastest',
      `service=${'x'.repeat(200)}`,
      'session_id=',
    ]) {
      const client = await TestClient.connect(`${proxied.url}?${query}`);
      expect(await client.waitClosed()).toBe(1008);
      expect(client.messages[0]).toMatchObject({ event: 'error', data: { code: 'INVALID_REQUEST' } });
    }
  });

  it('answers a request that is no WebSocket handshake with 400, a wrong version with 426', async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve) => {
        const socket = createConnection(proxied.port, '127.0.0.1', () => socket.write(request));
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk;
        });
        socket.on('close', () => resolve(text));
      });
    expect(
      await raw(
        'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n',
      ),
    ).toMatch(/^HTTP\/1.1 400/u);
    expect(
      await raw(
        'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n',
      ),
    ).toMatch(/^HTTP\/1.1 426/u);
  });

  it('closes 1002 on an unmasked client frame, and stays up for others', async () => {
    const text = await new Promise<string>((resolve) => {
      const socket = createConnection(proxied.port, '127.0.0.1', () =>
        socket.write(
          'GET /ws?service=frames HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      let seen = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        seen = Buffer.concat([seen, chunk]);
        if (seen.includes('\r\n\r\n') && !socket.writableEnded)
          socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
      });
      socket.on('close', () => resolve(seen.toString('latin1')));
    });
    expect(text).toContain('101 Switching Protocols');
    // The close frame: 0x88, length, then 1002 (0x03ea).
    expect(text).toContain('\x88');
    expect(text).toContain('\x03\xea');
    const client = await TestClient.connect(`${proxied.url}?service=frames`);
    client.send('still here');
    await until(() => client.texts.length === 1, 'an echo');
    client.close();
  });

  it('lets go of the upstream leg and the connection when the agent server never answers', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const slow = await startProxy({
      source: {
        list: () => [candidate('silent', { endpoint: `ws://127.0.0.1:${port}` })],
        subscribe: () => () => {},
      },
      connectTimeoutMs: 300,
    });
    const client = await TestClient.connect(slow.url);
    expect(await client.waitClosed()).toBe(1011);
    expect(client.messages).toMatchObject([
      { event: 'error', data: { code: 'UPSTREAM_TIMEOUT', recoverable: false } },
    ]);
    expect(slow.proxy.stats()).toMatchObject({ connections: 0, pending_handshakes: 0 });
    await slow.stop();
    silent.close();
  });
});

describe('management', () => {
  it('notifies the clients of one service, and disconnects one with a reason', async () => {
    const a = await TestClient.connect(`${proxied.url}?service=frames`);
    const b = await TestClient.connect(`${proxied.url}?service=agent`);
    await until(() => proxied.proxy.connections().length >= 2, 'both live');
    const count = proxied.proxy.notify(
      {
        type: 'maintenance_window',
        message: 'restart in 5 minutes',
        severity: 'warning',
        countdown_seconds: 300,
      },
      { service_id: 'id-frames' },
    );
    expect(count).toBeGreaterThanOrEqual(1);
    expect((await a.waitEvent('management_notification')).data).toMatchObject({ countdown_seconds: 300 });
    expect(b.messages.some((e) => e.event === 'management_notification')).toBe(false);
    const id = proxied.proxy.connections({ service_id: 'id-agent' })[0]?.connection_id as string;
    expect(proxied.proxy.disconnect(id, { reason: 'Administrative disconnect' })).toEqual({ notified: true });
    expect(await b.waitClosed()).toBe(1000);
    expect(b.closeReason).toBe('Administrative disconnect');
    expect(() => proxied.proxy.disconnect(id)).toThrow(/not found/u);
    a.close();
  });
});
