import { AppError, type ErrorCode } from '@myagent/models';
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ApiEnv } from './env.js';

// Every answer that is not a success has the catalogue's shape `{success: false, error: {code, message,
// details}}`, whatever produced it: a host's AppError, hono itself, or a bug (500, cause logged, not sent).

const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** The AppError a thrown value means to a client: hono's HTTPExceptions keep their status as a code. */
export function toAppError(error: unknown): AppError {
  if (AppError.is(error)) return AppError.from(error);
  if (error instanceof HTTPException) {
    const code = BY_STATUS[error.status];
    if (code) return new AppError(code, error.message || code);
  }
  return AppError.from(error, 'INTERNAL_ERROR');
}

/** Answers an error in the catalogue's shape; causes of unexposed errors go to `log`, never to the client. */
export function errorResponse(
  c: Context<ApiEnv>,
  error: unknown,
  log: (error: unknown, where: string) => void,
) {
  const appError = toAppError(error);
  if (!appError.expose || appError.status >= 500) {
    log(
      AppError.is(error) && error.cause !== undefined ? error.cause : error,
      `${c.req.method} ${c.req.path}`,
    );
  }
  c.set('errorCode', appError.expose ? appError.code : 'INTERNAL_ERROR');
  const status = appError.expose ? appError.status : 500;
  if (appError.code === 'UNAUTHORIZED') c.header('WWW-Authenticate', 'Bearer realm="myagent"');
  return c.json(appError.toPublicJSON(), status as 400);
}

/** A compiled route path (`/api/v1/services/:id`) and the methods registered on it. */
interface PathMethods {
  pattern: RegExp;
  methods: Set<string>;
}

function compile(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) =>
      part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}/?$`, 'u');
}

/**
 * The not-found handler: 405 METHOD_NOT_ALLOWED (with `Allow`) when the path exists under another method,
 * else 404 NOT_FOUND. Reads the app's routes at the first miss, so routes added after createApi count.
 */
export function notFoundHandler(app: Hono<ApiEnv>) {
  let table: PathMethods[] | undefined;
  let seen = -1;
  const routesTable = () => {
    if (table && seen === app.routes.length) return table;
    const byPath = new Map<string, Set<string>>();
    for (const route of app.routes) {
      if (route.method === 'ALL') continue;
      const methods = byPath.get(route.path) ?? new Set<string>();
      methods.add(route.method);
      if (route.method === 'GET') methods.add('HEAD');
      byPath.set(route.path, methods);
    }
    table = [...byPath].map(([path, methods]) => ({ pattern: compile(path), methods }));
    seen = app.routes.length;
    return table;
  };
  return (c: Context<ApiEnv>) => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of routesTable()) {
      if (pattern.test(c.req.path)) for (const method of methods) allowed.add(method);
    }
    const path = c.req.path.length > 200 ? `${c.req.path.slice(0, 200)}…` : c.req.path;
    if (allowed.size > 0) {
      c.header('Allow', [...allowed].sort().join(', '));
      return errorResponse(
        c,
        new AppError('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${path}`, {
          details: { allowed: [...allowed].sort() },
        }),
        () => {},
      );
    }
    return errorResponse(c, new AppError('NOT_FOUND', `No route for ${c.req.method} ${path}`), () => {});
  };
}
