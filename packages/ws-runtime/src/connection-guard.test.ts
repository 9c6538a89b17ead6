import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { startRuntime } from '../test/helpers.js';
import { guardConnections, resolveGuardOptions } from './index.js';

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function open(port: number, first: string): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolve) => {
    let closed = false;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(first);
      resolve({ socket, closed: () => closed });
    });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
    });
  });
}

it('checks its options and names a bad one', () => {
  expect(resolveGuardOptions()).toEqual({
    handshakeTimeoutMs: 10_000,
    maxPendingHandshakes: 512,
    maxConnectionsPerIp: 0,
  });
  expect(() => resolveGuardOptions({ maxPendingHandshakes: -1 })).toThrow(/maxPendingHandshakes must be/u);
  expect(() => resolveGuardOptions({ handshakeTimeoutMs: Number.NaN })).toThrow(/handshakeTimeoutMs/u);
});

it('times out silent and half-sent connections, closes the oldest past the pending cap, counts why', async () => {
  const server = createServer((_request, response) => response.end('ok'));
  const guard = guardConnections(server, { handshakeTimeoutMs: 400, maxPendingHandshakes: 3 });
  const port = await listen(server);
  const silent = await open(port, '');
  const half = await Promise.all([1, 2, 3].map(() => open(port, 'GET / HTTP/1.1\r\nHost: x\r\n')));
  // Four waiting with a cap of three: the oldest (the silent one) went first.
  await vi.waitFor(() => expect(silent.closed()).toBe(true));
  expect(guard.dropped.pendingCap).toBe(1);
  await vi.waitFor(() => expect(half.every((h) => h.closed())).toBe(true), { timeout: 5_000 });
  expect(guard.dropped.handshakeTimeout).toBe(3);
  expect(guard.pending).toBe(0);
  // A whole request is not pending: it is answered, and its keep-alive socket is not reaped by the guard.
  expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
  guard.dispose();
});

it('refuses an upgrade nobody else handles instead of leaving the socket hanging', async () => {
  const server = createServer();
  guardConnections(server);
  const port = await listen(server);
  const upgrade = await open(
    port,
    'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  );
  await vi.waitFor(() => expect(upgrade.closed()).toBe(true));
});

it('runtime.attach upgrades only on its own paths: any other gets 404 and the socket closed', async () => {
  const served = await startRuntime();
  try {
    const port = Number(new URL(served.url).port);
    const request = (path: string) =>
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    for (const path of ['/other', '/%zz']) {
      const other = await open(port, request(path));
      let text = '';
      other.socket.on('data', (chunk) => {
        text += chunk;
      });
      await vi.waitFor(() => expect(other.closed()).toBe(true));
      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    }
    const own = await open(port, request('/?greeting=1'));
    let answer = '';
    own.socket.on('data', (chunk) => {
      answer += chunk;
    });
    await vi.waitFor(() => expect(answer).toMatch(/^HTTP\/1\.1 101 /u));
  } finally {
    await served.close();
  }
});
