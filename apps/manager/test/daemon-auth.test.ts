// F9 security: loopback by default, no other bind without a token, bearer tokens on the API and on
// upgrades (header or ?token=), named tokens in the operation log, CORS only for configured origins, and
// slow clients reaped. The daemon process where the flag is the point; serveManager where a timeout is.
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startDaemon, tempDir, until } from '@myagent/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { type AgentManager, isLoopback, type ManagerServer, serveManager } from '../src/index.js';
import { startManager } from './api-helpers.js';

const temp = tempDir();
const TOKEN = 'a-long-enough-token-for-ops';
const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  temp.cleanup();
});

/** Sends raw bytes and resolves with everything the server answered until it closed the socket. */
function raw(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('the daemon', () => {
  it('refuses a bind other than loopback without a token, with one line', async () => {
    const daemon = startDaemon(['--db', join(temp.dir, 'open.db'), '--host', '0.0.0.0', '--port', '0']);
    const [code] = await once(daemon.child, 'exit');
    expect(code).toBe(1);
    expect(daemon.output().trim()).toMatch(
      /^myagent-manager-daemon: INVALID_REQUEST: Refusing to listen on 0\.0\.0\.0 without a token/u,
    );
    expect(
      isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost') && isLoopback('127.9.9.9'),
    ).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('192.168.1.10') || isLoopback('::')).toBe(false);
  });

  it('with a token (flag or MYAGENT_TOKEN) answers 401 without it or with a wrong one, and logs who', async () => {
    const daemon = startDaemon(
      ['--db', join(temp.dir, 'token.db'), '--port', '0', '--token', `ops:${TOKEN}`],
      {
        MYAGENT_TOKEN: 'ci:another-long-enough-token',
      },
    );
    stops.push(daemon.stop);
    const url = await daemon.url();
    expect(daemon.output()).toContain('bearer token required');
    const unauthorized = await fetch(`${url}/api/v1/services`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('www-authenticate')).toContain('Bearer');
    expect(await unauthorized.json()).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
    expect(
      (
        await fetch(`${url}/api/v1/services`, {
          headers: { authorization: 'Bearer wrong-token-wrong-token' },
        })
      ).status,
    ).toBe(401);
    // ?token= is for what a browser cannot give a header to (streams, upgrades), not for every call.
    expect((await fetch(`${url}/api/v1/services?token=${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${url}/docs`)).status).toBe(200);
    const ok = await fetch(`${url}/api/v1/services`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    const asCi = await fetch(`${url}/api/v1/routing/rules`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer another-long-enough-token',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'r1' }),
    });
    expect(asCi.status).toBe(200);
    await fetch(`${url}/api/v1/routing/rules`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    const events = await fetch(`${url}/api/v1/events?token=${TOKEN}`);
    expect(events.status).toBe(200);
    await events.body?.cancel();
    const audit = (await (
      await fetch(`${url}/api/v1/audit`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { entries: { actor: string; status_code: number }[] };
    expect(
      audit.entries.map((e: { actor: string; status_code: number }) => [e.actor, e.status_code]),
    ).toEqual([
      ['anonymous', 401],
      ['ci', 200],
    ]);
  });

  it('answers CORS preflights only for the configured origins', async () => {
    const daemon = startDaemon([
      '--db',
      join(temp.dir, 'cors.db'),
      '--port',
      '0',
      '--cors-origin',
      'http://console.test',
    ]);
    stops.push(daemon.stop);
    const url = await daemon.url();
    const preflight = (origin: string) =>
      fetch(`${url}/api/v1/services`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const allowed = await preflight('http://console.test');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://console.test');
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const other = await preflight('http://evil.test');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const plain = await fetch(`${url}/api/v1/services`, { headers: { origin: 'http://console.test' } });
    expect(plain.headers.get('access-control-allow-origin')).toBe('http://console.test');
  });

  it('sends no CORS headers at all by default', async () => {
    const daemon = startDaemon(['--db', join(temp.dir, 'nocors.db'), '--port', '0']);
    stops.push(daemon.stop);
    const url = await daemon.url();
    const response = await fetch(`${url}/api/v1/services`, {
      method: 'OPTIONS',
      headers: { origin: 'http://console.test', 'access-control-request-method': 'GET' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.status).toBe(405);
  });
});

describe('serveManager', () => {
  let manager: AgentManager;
  let server: ManagerServer;

  it('puts every upgrade behind the token (header or ?token=) and reaps a client that sends half a request', async () => {
    ({ manager } = await startManager({}, tempDir()));
    stops.push(() => manager.stop());
    server = await serveManager(manager, {
      port: 0,
      tokens: [{ name: 'ops', token: TOKEN }],
      headersTimeoutMs: 500,
      requestTimeoutMs: 1000,
      upgrades: {
        '/ws': (_request, socket) => socket.end('HTTP/1.1 418 Teapot\r\nContent-Length: 0\r\n\r\n'),
      },
    });
    stops.push(() => server.close());
    expect(server.urls.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/u);
    const upgrade = (path: string, extra = '') =>
      raw(
        server.url,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
      );
    expect((await upgrade('/ws')).split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect((await upgrade('/ws?token=wrong-wrong-wrong-wrong')).split('\r\n')[0]).toBe(
      'HTTP/1.1 401 Unauthorized',
    );
    expect((await upgrade(`/ws?token=${TOKEN}`)).split('\r\n')[0]).toBe('HTTP/1.1 418 Teapot');
    expect((await upgrade('/ws', `Authorization: Bearer ${TOKEN}\r\n`)).split('\r\n')[0]).toBe(
      'HTTP/1.1 418 Teapot',
    );
    expect((await upgrade('/elsewhere', `Authorization: Bearer ${TOKEN}\r\n`)).split('\r\n')[0]).toBe(
      'HTTP/1.1 404 Not Found',
    );

    // Half a request: the headers never end. The connection guard closes it at the handshake deadline.
    const { hostname, port } = new URL(server.url);
    const slow = connect(Number(port), hostname, () =>
      slow.write('GET /api/v1/services HTTP/1.1\r\nHost: x\r\n'),
    );
    let closed = false;
    slow.on('close', () => {
      closed = true;
    });
    await until(() => closed, 'the server to close the slow socket', 15_000);
    expect(closed).toBe(true);
  });
});
