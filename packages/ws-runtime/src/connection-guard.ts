import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

// Half-sent requests (slowloris) hold a descriptor each for as long as the peer likes: node's own header
// timeout is only checked every `connectionsCheckingInterval` and not at all on a server made without one.
// This guard gives every new connection a deadline for its first request or upgrade, bounds how many
// connections may be waiting for one, and optionally how many one address may hold open.

/** Options of {@link guardConnections}. Milliseconds; 0 turns a limit off. */
export interface ConnectionGuardOptions {
  /**
   * A new connection must have sent the headers of its first request (or WebSocket upgrade) within this;
   * otherwise it is closed. @default 10000
   */
  handshakeTimeoutMs?: number;
  /**
   * Connections waiting for their first request's headers at once. Past it the oldest waiting one is
   * closed: a real client sends its headers at once, so what is old is what is stalling. @default 512
   */
  maxPendingHandshakes?: number;
  /** Open connections per remote address (HTTP and WebSocket alike); 0 = unlimited. @default 0 */
  maxConnectionsPerIp?: number;
}

/** The guard's defaults. */
export const CONNECTION_GUARD_DEFAULTS: Required<ConnectionGuardOptions> = {
  handshakeTimeoutMs: 10_000,
  maxPendingHandshakes: 512,
  maxConnectionsPerIp: 0,
};

/** What {@link guardConnections} returns: live counts, and a way to take the guard off. */
export interface ConnectionGuard {
  /** Connections that have not yet sent their first request's headers. */
  readonly pending: number;
  /** Connections refused or closed by the guard since it started, by reason. */
  readonly dropped: { handshakeTimeout: number; pendingCap: number; perIpCap: number };
  /** Removes the listeners and timers (open connections stay as they are). */
  dispose(): void;
}

function limit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
  return value;
}

/** Checks the options and fills in the defaults (a bad value throws RangeError naming it). */
export function resolveGuardOptions(options: ConnectionGuardOptions = {}): Required<ConnectionGuardOptions> {
  const d = CONNECTION_GUARD_DEFAULTS;
  return {
    handshakeTimeoutMs: limit('handshakeTimeoutMs', options.handshakeTimeoutMs, d.handshakeTimeoutMs),
    maxPendingHandshakes: limit('maxPendingHandshakes', options.maxPendingHandshakes, d.maxPendingHandshakes),
    maxConnectionsPerIp: limit('maxConnectionsPerIp', options.maxConnectionsPerIp, d.maxConnectionsPerIp),
  };
}

/**
 * Puts a handshake deadline, a cap on waiting handshakes and an optional per-address cap on `server`
 * (a node:http server; its upgrades count as first requests).
 * @example const guard = guardConnections(server, { handshakeTimeoutMs: 5_000, maxConnectionsPerIp: 64 });
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions = {}): ConnectionGuard {
  const opts = resolveGuardOptions(options);
  // Insertion order is age order: the first entry is the oldest waiting connection.
  const pending = new Map<Socket, NodeJS.Timeout | undefined>();
  const perIp = new Map<string, number>();
  const dropped = { handshakeTimeout: 0, pendingCap: 0, perIpCap: 0 };

  const settle = (socket: Socket) => {
    const timer = pending.get(socket);
    if (timer) clearTimeout(timer);
    pending.delete(socket);
  };

  const onConnection = (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (opts.maxConnectionsPerIp > 0) {
      const open = perIp.get(address) ?? 0;
      if (open >= opts.maxConnectionsPerIp) {
        dropped.perIpCap++;
        refuse(socket);
        return;
      }
      perIp.set(address, open + 1);
      socket.once('close', () => {
        const left = (perIp.get(address) ?? 1) - 1;
        if (left > 0) perIp.set(address, left);
        else perIp.delete(address);
      });
    }
    if (opts.maxPendingHandshakes > 0 && pending.size >= opts.maxPendingHandshakes) {
      const [oldest] = pending.keys();
      if (oldest) {
        dropped.pendingCap++;
        settle(oldest);
        oldest.destroy();
      }
    }
    const timer =
      opts.handshakeTimeoutMs > 0
        ? setTimeout(() => {
            if (!pending.has(socket)) return;
            dropped.handshakeTimeout++;
            settle(socket);
            socket.destroy();
          }, opts.handshakeTimeoutMs).unref()
        : undefined;
    pending.set(socket, timer);
    socket.once('close', () => settle(socket));
  };
  const onRequest = (request: { socket: Socket }) => settle(request.socket);
  const onUpgrade = (_request: unknown, socket: Duplex) => {
    settle(socket as Socket);
    // Our listener alone makes node hand upgrades over; with no one else to take them, refuse them.
    if (server.listenerCount('upgrade') === 1) socket.destroy();
  };

  // prependListener: the caps act before node's own connection handling starts parsing.
  server.prependListener('connection', onConnection);
  server.prependListener('request', onRequest);
  server.prependListener('upgrade', onUpgrade);
  return {
    get pending() {
      return pending.size;
    },
    dropped,
    dispose() {
      server.off('connection', onConnection);
      server.off('request', onRequest);
      server.off('upgrade', onUpgrade);
      for (const timer of pending.values()) if (timer) clearTimeout(timer);
      pending.clear();
    },
  };
}

/** Answers 429 and closes; destroyed anyway shortly after, should the peer never read. */
function refuse(socket: Socket): void {
  socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  setTimeout(() => socket.destroy(), 1_000).unref();
}
