import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@myagent/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { RESERVED_PREFIXES, withConsole } from './console-static.js';

// The console's static serving over a real folder of files, in front of a stand-in for the API that says
// which requests reached it.

const temp = tempDir('myagent-console-');
const root = temp.dir;
const built = join(root, 'built');
mkdirSync(join(built, 'assets'), { recursive: true });
writeFileSync(join(built, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(join(built, 'assets', 'index-AbC123.js'), 'console.log(1)');
writeFileSync(join(built, 'assets', 'index-AbC123.css'), 'body{}');
writeFileSync(join(root, 'secret.txt'), 'outside the console folder');
afterAll(temp.cleanup);

const api = (request: Request) =>
  Response.json(
    { reached: 'api', path: new URL(request.url).pathname, method: request.method },
    { status: 404 },
  );
const served = withConsole(api, { dir: built });
const get = (path: string, method = 'GET') => served(new Request(`http://127.0.0.1${path}`, { method }));

describe('withConsole', () => {
  it('serves index.html at / and for any page path (SPA fallback), revalidated each time', async () => {
    for (const path of ['/', '/services', '/services/echo-agent', '/routing?x=1']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toContain('<title>console</title>');
    }
  });

  it('serves hashed assets as immutable with their type', async () => {
    const js = await get('/assets/index-AbC123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await get('/assets/index-AbC123.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect(js.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('answers a missing asset 404, never the page', async () => {
    const response = await get('/assets/index-Old999.js');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await get('/favicon.png')).status).toBe(404);
  });

  it('hands every reserved path to the API, even unknown ones', async () => {
    for (const prefix of RESERVED_PREFIXES) {
      for (const path of [prefix, `${prefix}/nothing-here`]) {
        const response = await get(path);
        expect(await response.json(), path).toEqual({ reached: 'api', path, method: 'GET' });
      }
    }
    // A path that only starts like a reserved one is the console's.
    expect((await get('/apis')).headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it('hands every method but GET and HEAD to the API', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      expect(await (await get('/services', method)).json()).toMatchObject({ reached: 'api', method });
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await get('/assets/index-AbC123.js', 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect(await response.text()).toBe('');
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) {
      const response = await get(path);
      expect(await response.text(), path).not.toContain('outside the console folder');
    }
    expect((await get('/%E0%A4%A')).status).toBe(404);
  });

  it('answers 503 with a page that says how to build it when the console was not built', async () => {
    const bare = withConsole(api, { dir: join(root, 'missing') });
    const response = await bare(new Request('http://127.0.0.1/services'));
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('pnpm build');
    // The API is unaffected.
    expect(await (await bare(new Request('http://127.0.0.1/api/v1/services'))).json()).toMatchObject({
      reached: 'api',
    });
  });
});
