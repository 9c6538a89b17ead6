import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectionGuardOptions, guardConnections } from '@myagent/ws-runtime';

// The manager's one port (8000 by default, as in the seeds): the HTTP side (API, /docs, /metrics, the
// console) and every WebSocket endpoint (/ws, /ws/traces) share it. Each part registers itself here by
// path; this file knows none of them.

/** Completes (or refuses) a WebSocket upgrade on one path of the manager's port. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Options of {@link serveManagerPort}. */
export interface ManagerPortOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 8000 */
  port?: number;
  /** The HTTP side. */
  onRequest: RequestListener;
  /**
   * Upgrade handlers by path: an exact pathname (`/ws`), or a prefix ending in `/*` (`/ws/traces/*` takes
   * `/ws/traces/abc`). Any other path is refused with 404: upgrades happen only on our own paths.
   */
  upgrades?: Record<string, UpgradeHandler>;
  /** node:http server options (timeouts on slow clients, header bounds). */
  server?: ServerOptions;
  /**
   * The handshake deadline and connection caps of ws-runtime's `guardConnections`, the same guard as the
   * agent servers'. Its defaults when unset.
   */
  guard?: ConnectionGuardOptions;
}

/** The listening port. */
export interface ManagerPort {
  readonly server: Server;
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops accepting, ends idle keep-alive sockets and resolves once the server is closed. */
  close(): Promise<void>;
}

/** The default port of the manager, as the seeds have it. */
export const DEFAULT_MANAGER_PORT = 8000;

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Picks the handler of a pathname: exact paths first, then the longest `/*` prefix. */
export function matchUpgrade(
  upgrades: Record<string, UpgradeHandler>,
  pathname: string,
): UpgradeHandler | undefined {
  const exact = upgrades[pathname];
  if (exact) return exact;
  let best: { length: number; handler: UpgradeHandler } | undefined;
  for (const [pattern, handler] of Object.entries(upgrades)) {
    if (!pattern.endsWith('/*')) continue;
    const prefix = pattern.slice(0, -1);
    if (pathname.startsWith(prefix) && pathname.length > prefix.length) {
      if (!best || prefix.length > best.length) best = { length: prefix.length, handler };
    }
  }
  return best?.handler;
}

/**
 * Listens on the manager's port and dispatches requests and upgrades.
 * @example const port = await serveManagerPort({ port: 0, onRequest: app, upgrades: { '/ws': proxy.handleUpgrade } });
 */
export async function serveManagerPort(options: ManagerPortOptions): Promise<ManagerPort> {
  const host = options.host ?? '127.0.0.1';
  const upgrades = options.upgrades ?? {};
  const server = createServer(options.server ?? {}, options.onRequest);
  guardConnections(server, options.guard);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    } catch {
      refuse(socket, '400 Bad Request');
      return;
    }
    const handler = matchUpgrade(upgrades, pathname);
    if (!handler) {
      refuse(socket, '404 Not Found');
      return;
    }
    handler(request, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_MANAGER_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
