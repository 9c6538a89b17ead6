import { AppError, type AuditEntryInput } from '@myagent/models';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { generateSpecs } from 'hono-openapi';
import { createTokenAuth } from './auth.js';
import { jsonBody } from './body.js';
import type { ApiEnv } from './env.js';
import { errorResponse, notFoundHandler, toAppError } from './errors.js';
import type { ApiHost } from './host.js';
import { type ApiOptionsInput, resolveApiOptions } from './options.js';
import { alertRoutes } from './routes/alerts.js';
import { connectionRoutes } from './routes/connections.js';
import { healthRoutes } from './routes/health.js';
import { logRoutes } from './routes/logs.js';
import { routingRoutes } from './routes/routing.js';
import { serviceRoutes } from './routes/services.js';
import { systemRoutes } from './routes/system.js';
import { traceRoutes } from './routes/traces.js';
import { StreamGate, type StreamSettings } from './sse.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Paths that answer without a token: the manager's health (load balancers), the API description. */
const ALWAYS_PUBLIC = ['/health', '/openapi.json'];
/** GET streams a browser opens with EventSource, which cannot set headers: `?token=` is read there. */
const STREAMS = /^\/api\/v1\/(?:events|logs\/follow|logs\/services\/[^/]+\/follow)$/u;

/** Options of {@link createApi}: the API's own, plus the paths the host serves without a token. */
export type CreateApiOptions = ApiOptionsInput & {
  /** Exact paths, or prefixes ending in `/*`, that need no token (the manager's `/docs/*`). */
  publicPaths?: readonly string[];
};

function isPublic(path: string, publicPaths: readonly string[]): boolean {
  return publicPaths.some((entry) =>
    entry.endsWith('/*')
      ? path === entry.slice(0, -2) || path.startsWith(entry.slice(0, -1))
      : path === entry,
  );
}

function clientIp(env: unknown): string | null {
  const address = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
    ?.socket?.remoteAddress;
  return address ? address.slice(0, 64) : null;
}

/**
 * The HTTP API of the manager (spec F1-F9, H3, H4; seeds 000 and 003) as a Hono app over an {@link ApiHost}:
 * `/health`, `/api/v1/*`, the OpenAPI 3.1 document at `/openapi.json`. Serve it with @hono/node-server.
 * @example
 * const app = createApi(host, { tokens: [{ name: 'ops', token: process.env.MYAGENT_TOKEN }] });
 * const response = await app.request('/api/v1/services');
 */
export function createApi(host: ApiHost, options: CreateApiOptions = {}): Hono<ApiEnv> {
  const { publicPaths = [], ...apiOptions } = options;
  const o = resolveApiOptions(apiOptions);
  const log =
    o.onInternalError ??
    ((error: unknown, where: string) => console.error(`[api] ${where}: internal error`, error));
  const auth = createTokenAuth(o.tokens);
  const open = [...ALWAYS_PUBLIC, ...publicPaths];
  const streams: StreamSettings = {
    gate: new StreamGate(o.sseMaxStreams),
    heartbeatMs: o.sseHeartbeatMs,
    maxBufferedBytes: o.sseMaxBufferedBytes,
    signal: o.signal,
  };
  const app = new Hono<ApiEnv>();
  app.onError((error, c) => errorResponse(c, error, log));
  app.notFound(notFoundHandler(app));

  if (o.onResponse) {
    const observe = o.onResponse;
    app.use('*', async (c, next) => {
      const started = performance.now();
      await next();
      const route = c.req.matchedRoutes.find((r) => r.method !== 'ALL')?.path ?? 'unmatched';
      observe(c.req.method, route, c.res.status, performance.now() - started);
    });
  }

  if (o.corsOrigins.length > 0) {
    const any = o.corsOrigins.includes('*');
    app.use(
      '*',
      cors({
        origin: any ? '*' : o.corsOrigins,
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
        allowHeaders: ['Authorization', 'Content-Type'],
        maxAge: 600,
      }),
    );
  }

  // The operation log: every mutating call on a route of ours, whatever its outcome (refusals included).
  app.use('*', async (c, next) => {
    await next();
    if (!MUTATING.has(c.req.method)) return;
    const route = c.req.matchedRoutes.find((r) => r.method !== 'ALL');
    const target = c.get('audit');
    if (!route && !target && c.res.status !== 401) return;
    const status = c.res.status;
    const entry: AuditEntryInput = {
      actor: c.get('actor') ?? 'anonymous',
      action: target?.action ?? `${c.req.method} ${route?.path ?? c.req.path.slice(0, 200)}`,
      method: c.req.method,
      path: c.req.path.slice(0, 2048),
      target_type: target?.target_type ?? null,
      target_id: target?.target_id?.slice(0, 256) ?? null,
      service_id: target?.service_id ?? null,
      status_code: status,
      result: status < 400 ? 'success' : 'failure',
      error_code: c.get('errorCode') ?? null,
      client_ip: clientIp(c.env),
    };
    try {
      await host.recordAudit(entry);
    } catch (error) {
      log(toAppError(error), 'audit');
    }
  });

  app.use('*', async (c, next) => {
    if (isPublic(c.req.path, open)) {
      c.set('actor', auth.required ? 'anonymous' : 'local');
      return next();
    }
    const queryToken = c.req.method === 'GET' && STREAMS.test(c.req.path) ? c.req.query('token') : undefined;
    const actor = auth.identify(c.req.header('authorization'), queryToken);
    if (actor === undefined) {
      throw new AppError('UNAUTHORIZED', 'A valid bearer token is required: Authorization: Bearer <token>');
    }
    c.set('actor', actor);
    return next();
  });

  app.use('/api/v1/*', jsonBody(o.maxBodyBytes));

  app.route('/', systemRoutes(host, streams, auth.required));
  for (const routes of [
    serviceRoutes(host),
    healthRoutes(host),
    connectionRoutes(host),
    routingRoutes(host),
    logRoutes(host, streams),
    alertRoutes(host),
    traceRoutes(host),
  ]) {
    app.route('/api/v1', routes);
  }

  let document: Promise<unknown> | undefined;
  app.get('/openapi.json', async (c) => {
    document ??= (async () =>
      generateSpecs(app, {
        documentation: {
          openapi: '3.1.0',
          info: {
            title: 'MyAgent Manager API',
            version: (await host.info()).version,
            description:
              'Run AI agents as WebSocket services: register, start, route, watch. Errors are `{success: false, error: {code, message, details}}`.',
          },
          components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
          security: auth.required ? [{ bearer: [] }] : [],
        },
        exclude: ['/openapi.json'],
      }))();
    document.catch(() => {
      document = undefined;
    });
    return c.json(await document);
  });

  return app;
}
