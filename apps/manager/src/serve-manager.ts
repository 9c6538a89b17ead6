import { isIP } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { type ApiEnv, type ApiToken, createApi, createTokenAuth, type TokenAuth } from '@myagent/api-hono';
import { AppError } from '@myagent/models';
import type { Hono } from 'hono';
import type { AgentManager } from './agent-manager.js';
import { createApiHost } from './api-host.js';
import { type ConsoleOptions, withConsole } from './console-static.js';
import { mountDocs } from './docs-page.js';
import { createManagerMetrics } from './metrics/prometheus.js';
import { DEFAULT_MANAGER_PORT, type ManagerPort, serveManagerPort, type UpgradeHandler } from './serve.js';

// The manager's one port, assembled: the HTTP API, /docs, /metrics, the web console at `/`, and
// the WebSocket endpoints of other parts (the proxy's `/ws`), every upgrade behind the API's token check.

/** Options of {@link serveManager}. Times in ms. */
export interface ServeManagerOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 8000 */
  port?: number;
  /** Bearer tokens; required for any bind that is not loopback. */
  tokens?: ApiToken[];
  /** Origins allowed by CORS; none by default. */
  corsOrigins?: string[];
  /** @default 1 MiB */
  maxBodyBytes?: number;
  /** The web console at `/` (where its build is, which paths stay the API's); `false` serves none. */
  console?: ConsoleOptions | false;
  /** WebSocket endpoints by path (`'/ws'`, `'/ws/traces/*'`), each wrapped in the token check. */
  upgrades?: Record<string, UpgradeHandler>;
  /** A client must have sent its headers within this. @default 10_000 */
  headersTimeoutMs?: number;
  /** A client must have sent its whole request within this (half a request is reaped). @default 30_000 */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. @default 5_000 */
  keepAliveTimeoutMs?: number;
  /** Connections waiting for their first request at once; past it the oldest is closed. @default 512 */
  maxPendingHandshakes?: number;
  /** Open connections per client address (API, console and /ws alike); 0 = unlimited. @default 0 */
  maxConnectionsPerIp?: number;
}

/** The served port, with the URLs to print. */
export interface ManagerServer extends ManagerPort {
  readonly urls: {
    console?: string;
    api: string;
    docs: string;
    metrics: string;
    events: string;
    health: string;
    ws?: string;
    traces?: string;
  };
}

/** True for an address only this machine reaches: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/gu, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}

/** Wraps an upgrade handler so that only a valid token (header, or `?token=` for browsers) reaches it. */
export function guardUpgrade(auth: TokenAuth, handler: UpgradeHandler): UpgradeHandler {
  return (request, socket, head) => {
    let token: string | null = null;
    try {
      token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    } catch {
      // serveManagerPort refuses unparsable URLs before any handler runs.
    }
    if (auth.identify(request.headers.authorization, token) === undefined) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nWWW-Authenticate: Bearer realm="myagent"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    handler(request, socket, head);
  };
}

/** The manager's HTTP app (API, /docs, /metrics) and what ends its streams and metrics listeners. */
export function createManagerApp(
  manager: AgentManager,
  options: Pick<ServeManagerOptions, 'tokens' | 'corsOrigins' | 'maxBodyBytes'> = {},
): { app: Hono<ApiEnv>; close: () => void } {
  const shutdown = new AbortController();
  const metrics = createManagerMetrics(manager);
  const app = createApi(createApiHost(manager), {
    tokens: options.tokens ?? [],
    corsOrigins: options.corsOrigins ?? [],
    ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
    signal: shutdown.signal,
    publicPaths: ['/docs', '/docs/*', '/redoc'],
    onResponse: (method, route, status, ms) => metrics.observeRequest(method, route, status, ms / 1000),
    onInternalError: (error, where) => manager.emit('error', new Error(`${where}: ${describe(error)}`)),
  });
  mountDocs(app);
  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );
  return {
    app,
    close: () => {
      shutdown.abort();
      metrics.close();
    },
  };
}

/**
 * Serves the manager's port. Refuses (INVALID_REQUEST) a bind that is not loopback without a token, and
 * answers PORT_IN_USE for a taken port.
 * @example const server = await serveManager(manager, { port: 8000 }); console.log(server.urls.docs);
 */
export async function serveManager(
  manager: AgentManager,
  options: ServeManagerOptions = {},
): Promise<ManagerServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_MANAGER_PORT;
  const tokens = options.tokens ?? [];
  if (!isLoopback(host) && tokens.length === 0) {
    throw new AppError(
      'INVALID_REQUEST',
      `Refusing to listen on ${host} without a token: anyone who reaches it could run programs. Set --token or MYAGENT_TOKEN, or bind 127.0.0.1`,
      { details: { host } },
    );
  }
  const { app, close } = createManagerApp(manager, options);
  const auth = createTokenAuth(tokens);
  const upgrades = Object.fromEntries(
    Object.entries(options.upgrades ?? {}).map(([path, handler]) => [path, guardUpgrade(auth, handler)]),
  );
  let served: ManagerPort;
  try {
    served = await serveManagerPort({
      host,
      port,
      onRequest: getRequestListener(
        options.console === false ? app.fetch : withConsole(app.fetch, options.console),
      ),
      upgrades,
      server: {
        headersTimeout: options.headersTimeoutMs ?? 10_000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
        // How often node checks the two timeouts above (its default, 30 s, would let a slow client linger).
        connectionsCheckingInterval: 1_000,
        maxHeaderSize: 16 * 1024,
      },
      guard: {
        // A new connection's first request, upgrades included, has the same deadline for its headers.
        handshakeTimeoutMs: options.headersTimeoutMs ?? 10_000,
        maxPendingHandshakes: options.maxPendingHandshakes,
        maxConnectionsPerIp: options.maxConnectionsPerIp,
      },
    });
  } catch (error) {
    close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new AppError('PORT_IN_USE', `Port ${port} on ${host} is in use: pick another with --port`);
    }
    throw new AppError('INVALID_REQUEST', `Cannot listen on ${host}:${port}: ${code ?? String(error)}`);
  }
  const base = served.url;
  return {
    ...served,
    urls: {
      ...(options.console !== false && { console: `${base}/` }),
      api: `${base}/api/v1`,
      docs: `${base}/docs`,
      metrics: `${base}/metrics`,
      events: `${base}/api/v1/events`,
      health: `${base}/health`,
      ...(upgrades['/ws'] && { ws: `${base.replace(/^http/u, 'ws')}/ws` }),
      ...(upgrades['/ws/traces'] && { traces: `${base.replace(/^http/u, 'ws')}/ws/traces` }),
    },
    close: async () => {
      // Event streams end first, so that closing the server does not wait on them.
      close();
      const closed = served.close();
      const timer = setTimeout(() => served.server.closeAllConnections(), 2_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
