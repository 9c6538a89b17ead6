import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The web console at `/`: the SPA that Vite builds into dist/console, served from the installed package
// (no CDN, works offline). A path the console does not know falls back to its index.html, so that a
// reload of /services/echo keeps working; the API's own paths never do, so a mistyped API URL still gets
// the API's JSON 404 rather than a page of HTML.

/** Where `vite build` puts the console: src/ and dist/ both sit one folder below package.json. */
export const CONSOLE_DIR = fileURLToPath(new URL('../dist/console/', import.meta.url));

/** Paths that belong to the API, its docs and streams: never the console's, never its fallback. */
export const RESERVED_PREFIXES = [
  '/api',
  '/ws',
  '/docs',
  '/redoc',
  '/metrics',
  '/openapi.json',
  '/health',
] as const;

/** Options of {@link withConsole}. */
export interface ConsoleOptions {
  /** The built console. @default CONSOLE_DIR (apps/manager/dist/console) */
  dir?: string;
  /** Paths (and their sub-paths) handed to the wrapped fetch. @default RESERVED_PREFIXES */
  reserved?: readonly string[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

// Vite names every file under assets/ after a hash of its content: such a URL never changes meaning.
const IMMUTABLE = 'public, max-age=31536000, immutable';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // The console only talks to this origin (fetch, EventSource, WebSocket) and runs no inline script.
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MyAgent Manager: console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The console was not built</h1>
<p>This manager runs from a checkout whose web console has not been built yet. Run <code>pnpm build</code>
at the root of the repository (or <code>pnpm start</code>, which builds first), then reload.</p>
<p>The API works meanwhile: <a href="/docs">/docs</a>, <a href="/api/v1/services">/api/v1/services</a>.</p>
</body></html>
`;

function reservedPath(path: string, reserved: readonly string[]): boolean {
  return reserved.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

async function file(path: string): Promise<Buffer | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? await readFile(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wraps the manager's HTTP handler so that GET and HEAD of any path but the reserved ones serve the
 * console (a file of it, else its index.html); everything else goes to `fetch` unchanged.
 * @example serveManagerPort({ onRequest: getRequestListener(withConsole(app.fetch)), ... })
 */
export function withConsole<F extends (request: Request, ...rest: never[]) => Response | Promise<Response>>(
  fetch: F,
  options: ConsoleOptions = {},
): F {
  const dir = options.dir ?? CONSOLE_DIR;
  const reserved = options.reserved ?? RESERVED_PREFIXES;
  const wrapped = async (request: Request, ...rest: never[]): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return fetch(request, ...rest);
    const url = new URL(request.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return fetch(request, ...rest);
    }
    if (reservedPath(path, reserved)) return fetch(request, ...rest);
    const head = request.method === 'HEAD';
    const answer = (body: Buffer | string, status: number, headers: Record<string, string>) =>
      new Response(head ? null : body, { status, headers: { ...SECURITY_HEADERS, ...headers } });
    // normalize() folds `..`; a path that still leaves the folder (or names a NUL) is not a file of ours.
    const relative = normalize(path).replace(/^([/\\])+/u, '');
    const target = join(dir, relative);
    const inside = target.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`) && !relative.includes('\0');
    if (inside && relative !== '' && relative !== 'index.html') {
      const body = await file(target);
      if (body) {
        const type = TYPES[extname(target)] ?? 'application/octet-stream';
        const cache = relative.startsWith(`assets${sep}`) ? IMMUTABLE : 'no-cache';
        return answer(body, 200, { 'content-type': type, 'cache-control': cache });
      }
      // A missing asset is a 404, not the page: a stale tab asking for an old bundle must not get HTML.
      if (relative.startsWith(`assets${sep}`) || extname(relative) !== '') {
        return answer('Not found\n', 404, { 'content-type': 'text/plain; charset=utf-8' });
      }
    }
    const index = await file(join(dir, 'index.html'));
    if (!index) {
      return answer(NOT_BUILT, 503, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
    }
    // The page itself is revalidated each time, so a rebuilt console is picked up on the next load.
    return answer(index, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  };
  return wrapped as F;
}
