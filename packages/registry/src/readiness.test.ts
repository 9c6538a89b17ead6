import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { pingOnce, waitUntilReady } from './readiness.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function wsServer(answer: boolean): Promise<number> {
  return new Promise((resolve) => {
    const wss: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () =>
      resolve((wss.address() as { port: number }).port),
    );
    wss.on('connection', (socket: WebSocket) => {
      socket.send(JSON.stringify({ event: 'system.connected' }));
      socket.on('message', () => {
        if (answer) socket.send(JSON.stringify({ event: 'pong' }));
      });
    });
    closers.push(
      () =>
        new Promise((done) => {
          for (const client of wss.clients) client.terminate();
          wss.close(() => done());
        }),
    );
  });
}

describe('readiness', () => {
  it('resolves once a ping is answered with pong, ignoring other events', async () => {
    const port = await wsServer(true);
    expect(await pingOnce(`ws://127.0.0.1:${port}`, 2_000)).toBeGreaterThanOrEqual(0);
    expect(await waitUntilReady(`ws://127.0.0.1:${port}`, { timeoutMs: 2_000 })).toBeGreaterThanOrEqual(0);
  });

  it('fails at the deadline when the socket opens but pong never comes', async () => {
    const port = await wsServer(false);
    await expect(waitUntilReady(`ws://127.0.0.1:${port}`, { timeoutMs: 300 })).rejects.toThrow(/no pong/u);
  });

  it('fails at the deadline against a TCP listener that never upgrades', async () => {
    const held = new Set<Socket>();
    const server: Server = createServer((socket) => held.add(socket));
    const port = await new Promise<number>((done) =>
      server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)),
    );
    closers.push(
      () =>
        new Promise((done) => {
          for (const socket of held) socket.destroy();
          server.close(() => done());
        }),
    );
    await expect(waitUntilReady(`ws://127.0.0.1:${port}`, { timeoutMs: 300 })).rejects.toThrow(
      /no answer to a WebSocket ping within 0.3 s/u,
    );
  });

  it('keeps trying while the port refuses, and stops when aborted', async () => {
    const controller = new AbortController();
    const waiting = waitUntilReady('ws://127.0.0.1:1', { timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toThrow(/aborted/u);
  });
});
