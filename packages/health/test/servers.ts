// Real loopback servers for the health tests: an agent-like ws server that answers ping, one that accepts TCP
// but never upgrades, and a port where nothing listens.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';

export type PingMode = 'answer' | 'silent' | 'close';

export interface PingServer {
  port: number;
  endpoint: string;
  /** answer: pong to every ping; silent: never answer; close: close the socket on the ping. */
  mode: PingMode;
  /** Delay before each pong. */
  delayMs: number;
  pings: number;
  /** Pings received and not yet answered, and the most there ever were at once. */
  pending: number;
  maxPending: number;
  /** Sockets open right now, and the close codes the server saw. */
  readonly open: number;
  closeCodes: number[];
  /** The upgrade request headers of every connection, in order. */
  upgradeHeaders: Array<Record<string, string | string[] | undefined>>;
  close(): Promise<void>;
}

export async function startPingServer(
  options: { mode?: PingMode; delayMs?: number } = {},
): Promise<PingServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const port = (wss.address() as AddressInfo).port;
  const timers = new Set<NodeJS.Timeout>();
  const server: PingServer = {
    port,
    endpoint: `ws://127.0.0.1:${port}`,
    mode: options.mode ?? 'answer',
    delayMs: options.delayMs ?? 0,
    pings: 0,
    pending: 0,
    maxPending: 0,
    get open() {
      return wss.clients.size;
    },
    closeCodes: [],
    upgradeHeaders: [],
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  wss.on('connection', (socket, request) => {
    server.upgradeHeaders.push(request.headers);
    socket.on('close', (code) => server.closeCodes.push(code));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { event?: string };
      if (message.event !== 'ping') return;
      server.pings++;
      if (server.mode === 'close') return socket.close(4000, 'go away');
      if (server.mode === 'silent') return;
      server.pending++;
      server.maxPending = Math.max(server.maxPending, server.pending);
      const timer = setTimeout(() => {
        timers.delete(timer);
        server.pending--;
        socket.send(JSON.stringify({ event: 'system.heartbeat', metadata: {} }));
        socket.send(JSON.stringify({ event: 'pong', timestamp: new Date().toISOString() }));
      }, server.delayMs);
      timers.add(timer);
    });
  });
  return server;
}

export interface TcpServer {
  port: number;
  endpoint: string;
  readonly open: number;
  accepted: number;
  close(): Promise<void>;
}

/** Accepts TCP connections and never answers: a hung agent server. */
export async function startHangingServer(): Promise<TcpServer> {
  const sockets = new Set<Socket>();
  const net: Server = createServer((socket) => {
    result.accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    // Read and drop the request, so the client's close is seen; never answer it.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve));
  const port = (net.address() as AddressInfo).port;
  const result: TcpServer = {
    port,
    endpoint: `ws://127.0.0.1:${port}`,
    get open() {
      return sockets.size;
    },
    accepted: 0,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => net.close(() => resolve()));
    },
  };
  return result;
}
