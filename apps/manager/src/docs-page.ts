import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ApiEnv } from '@myagent/api-hono';
import type { Hono } from 'hono';

// The interactive API page at /docs: Swagger UI, its scripts served from the swagger-ui-dist package
// installed with the manager, never from a CDN, so the page works on a machine without internet.

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

// Its own file rather than an inline script, so a strict Content-Security-Policy can forbid inline code.
const INIT = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // Never send the document to the public validator: everything stays on this machine.
    validatorUrl: null,
    persistAuthorization: false,
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>MyAgent Manager API</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'",
  'x-content-type-options': 'nosniff',
};

/** The folder of the installed swagger-ui-dist. */
function swaggerUiDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

/** Adds `GET /docs` (and `/redoc`, the seed's other docs URL) and its assets under `/docs/assets/`. */
export function mountDocs(app: Hono<ApiEnv>): void {
  const cache = new Map<string, Promise<Buffer>>();
  const dir = swaggerUiDir();
  app.get('/docs', (c) => c.html(PAGE, 200, SECURITY_HEADERS));
  app.get('/redoc', (c) => c.redirect('/docs', 302));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (file === 'init.js') return c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' });
    const type = ASSETS[file];
    if (!type) return c.notFound();
    let body = cache.get(file);
    if (!body) {
      body = readFile(join(dir, file));
      cache.set(file, body);
      body.catch(() => cache.delete(file));
    }
    return c.body(new Uint8Array(await body), 200, {
      'content-type': type,
      'cache-control': 'public, max-age=86400',
    });
  });
}
