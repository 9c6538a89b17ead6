import { connect } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { matchUpgrade, serveManagerPort, type UpgradeHandler } from './serve.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((port) => port.close()));
});

/** Sends a raw upgrade request and resolves with the status line of the answer. */
function upgrade(url: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\r\n')) {
        resolve(text.split('\r\n')[0] as string);
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

it('matches exact paths first, then the longest /* prefix, and nothing else', () => {
  const ws: UpgradeHandler = () => {};
  const traces: UpgradeHandler = () => {};
  const session: UpgradeHandler = () => {};
  const table = { '/ws': ws, '/ws/traces': traces, '/ws/traces/*': session, '/ws/*': ws };
  expect(matchUpgrade(table, '/ws')).toBe(ws);
  expect(matchUpgrade(table, '/ws/traces')).toBe(traces);
  expect(matchUpgrade(table, '/ws/traces/abc')).toBe(session);
  expect(matchUpgrade(table, '/ws/other')).toBe(ws);
  expect(matchUpgrade(table, '/ws/traces/')).toBe(ws);
  expect(matchUpgrade(table, '/')).toBeUndefined();
  expect(matchUpgrade(table, '/wsx')).toBeUndefined();
});

it('hands upgrades on its own paths to their handler and refuses every other path with 404', async () => {
  const seen: string[] = [];
  const port = await serveManagerPort({
    port: 0,
    onRequest: (_request, response) => response.end('http'),
    upgrades: {
      '/ws': (request, socket) => {
        seen.push(request.url ?? '');
        socket.end('HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n');
      },
    },
  });
  open.push(port);
  expect(port.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
  expect(await upgrade(port.url, '/ws?service=echo')).toBe('HTTP/1.1 418 Teapot');
  expect(seen).toEqual(['/ws?service=echo']);
  expect(await upgrade(port.url, '/anything')).toBe('HTTP/1.1 404 Not Found');
  expect(await (await fetch(port.url)).text()).toBe('http');
});

it('closes half-sent upgrade requests at the handshake deadline and keeps room for real clients', async () => {
  const port = await serveManagerPort({
    port: 0,
    onRequest: (_request, response) => response.end('http'),
    upgrades: { '/ws': (_request, socket) => socket.end('HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n') },
    guard: { handshakeTimeoutMs: 500, maxPendingHandshakes: 8 },
  });
  open.push(port);
  const { hostname, port: portNumber } = new URL(port.url);
  const closed: boolean[] = [];
  const sockets = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) =>
        new Promise<ReturnType<typeof connect>>((resolve) => {
          closed[i] = false;
          const socket = connect(Number(portNumber), hostname, () => {
            socket.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
            resolve(socket);
          });
          socket.on('error', () => {});
          socket.on('close', () => {
            closed[i] = true;
          });
        }),
    ),
  );
  // Past the cap of 8 waiting, the oldest went at once; a real client is served meanwhile.
  expect(await upgrade(port.url, '/ws')).toBe('HTTP/1.1 418 Teapot');
  expect(await (await fetch(port.url)).text()).toBe('http');
  await vi.waitFor(() => expect(closed.filter(Boolean)).toHaveLength(20), { timeout: 10_000 });
  for (const socket of sockets) socket.destroy();
});
