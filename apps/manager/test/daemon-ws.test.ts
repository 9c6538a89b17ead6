// The manager's /ws as a user reaches it: the real daemon process, the echo agent in a real myagent-ws
// child, and the seed clients (seed 000's Python client, seed 002's browser snippet) pointed at /ws.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStorage } from '@myagent/storage-kysely';
import { type DaemonProcess, ECHO_AGENT, startDaemon, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Json } from './api-helpers.js';
import { daemonApi } from './daemon-process.js';
import { ROOT } from './helpers.js';

const run = promisify(execFile);
const temp = tempDir();
const dbPath = join(temp.dir, 'manager.db');
const FIXTURES = join(ROOT, 'apps/agent-server/test/fixtures');
let daemon: DaemonProcess;
let base: string;
let wsUrl: string;

const api = (path: string, init: RequestInit = {}) => daemonApi(base, path, init);

/** A client that records every event; `opened` once the handshake is done. */
function connect(url: string) {
  const ws = new WebSocket(url);
  const events: Json[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, events, closed, opened };
}

beforeAll(async () => {
  daemon = startDaemon(['--db', dbPath, '--port', '0', '--health-interval', '0.5', '--register', ECHO_AGENT]);
  base = await daemon.url();
  wsUrl = `${base.replace('http', 'ws')}/ws`;
  // Routable once its first health checks passed.
  await until(
    async () => {
      const { body } = await api('/services');
      return body.services?.some((s: Json) => s.name === 'echo-agent' && s.status === 'running');
    },
    'the echo agent to run',
    60_000,
  );
}, 90_000);

afterAll(async () => {
  expect(await daemon?.stop()).toBe(0);
  temp.cleanup();
});

describe('the daemon serves /ws', () => {
  it('prints the /ws URL in its start banner', () => {
    expect(daemon.output()).toContain(`ws:      ${wsUrl}`);
  });

  it("runs seed 000's Python client, unchanged but for the URL", async () => {
    const seed = readFileSync(join(FIXTURES, 'seed-000-client.py'), 'utf8');
    const script = join(temp.dir, 'client.py');
    writeFileSync(script, seed.replace('ws://localhost:8081', wsUrl));
    const { stdout } = await run('/usr/bin/python3', [script], { timeout: 30_000 });
    expect(stdout).toContain("'event': 'agent.final_answer'");
    expect(stdout).toContain('使用greet工具问候Alice');
  });

  it("runs seed 002's browser snippet, unchanged but for the URL", async () => {
    const port = new URL(base).port;
    const { stdout } = await run(
      process.execPath,
      [join(FIXTURES, 'browser-runner.mjs'), join(FIXTURES, 'seed-002-browser.js.txt'), `${port}/ws`],
      { timeout: 30_000 },
    );
    expect(stdout).toContain('Connected!');
    expect(stdout).toContain("event: 'agent.session_created'");
    expect(stdout).toContain("event: 'agent.final_answer'");
  });

  it("takes the README tour's chat client to the echo agent", async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'examples/chat-client.ts'), `${wsUrl}?service=echo-agent`, 'hello'],
      { timeout: 30_000, cwd: ROOT },
    );
    expect(stdout).toMatch(/agent\.final_answer\s+.*hello/u);
  });

  it('serves other clients while one never finishes its upgrade, and does not count it as a connection', async () => {
    const { port } = new URL(base);
    const stalled = createConnection({ host: '127.0.0.1', port: Number(port) });
    await new Promise<void>((resolve, reject) => stalled.once('connect', resolve).once('error', reject));
    stalled.write('GET /ws?service=echo-agent HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    try {
      const before = (await api('/connections')).body.connections.length;
      const client = connect(`${wsUrl}?service=echo-agent`);
      await client.opened;
      client.ws.send(JSON.stringify({ event: 'user.create_session' }));
      await until(() => client.events.find((e) => e.event === 'agent.session_created'), 'a session', 15_000);
      const listed = await until(
        async () => {
          const { connections } = (await api('/connections')).body;
          return connections.length === before + 1 ? connections : undefined;
        },
        'only the finished client listed',
        15_000,
      );
      expect(listed).toHaveLength(before + 1);
      client.ws.close();
      await client.closed;
    } finally {
      stalled.destroy();
    }
  });

  it('carries a binary frame and a 2 MiB frame to the agent server, which answers each with its coded error', async () => {
    const client = connect(`${wsUrl}?service=echo-agent`);
    await client.opened;
    const coded = (code: string) =>
      client.events.find((e) => e.event === 'system.error' && JSON.stringify(e).includes(code));
    client.ws.send(Buffer.from([1, 2, 3]));
    await until(() => coded('UNSUPPORTED_FRAME'), 'UNSUPPORTED_FRAME', 15_000);
    client.ws.send(JSON.stringify({ event: 'user.create_session', pad: 'x'.repeat(2 * 1024 * 1024) }));
    await until(() => coded('PAYLOAD_TOO_LARGE'), 'PAYLOAD_TOO_LARGE', 15_000);
    // The connection survives both and still reaches the agent.
    client.ws.send(JSON.stringify({ event: 'user.create_session' }));
    await until(() => client.events.find((e) => e.event === 'agent.session_created'), 'a session', 15_000);
    client.ws.close();
    await client.closed;
  });

  it('refuses an unknown service with SERVICE_NOT_FOUND, then 1013', async () => {
    const client = connect(`${wsUrl}?service=nope`);
    const { code } = await client.closed;
    expect(code).toBe(1013);
    expect(client.events).toMatchObject([
      { event: 'error', data: { code: 'SERVICE_NOT_FOUND', recoverable: false } },
    ]);
  });

  it('lists a live connection with its session, disconnects it with a reason, and logs it', async () => {
    const client = connect(`${wsUrl}?service=echo-agent&events=routed`);
    await client.opened;
    client.ws.send(JSON.stringify({ event: 'user.create_session' }));
    await until(() => client.events.find((e) => e.event === 'agent.session_created'), 'a session', 15_000);
    const routed = client.events[0];
    expect(routed).toMatchObject({ event: 'connection_routed', data: { target_service: 'echo-agent' } });
    const session = client.events.find((e) => e.event === 'agent.session_created').session_id;
    const id = routed.data.connection_id;
    const listed = await until(
      async () => (await api('/connections')).body.connections?.find((c: Json) => c.connection_id === id),
      'the connection listed',
      15_000,
    );
    expect(listed).toMatchObject({ session_ids: [session], client_ip: '127.0.0.1', status: 'active' });
    expect((await api('/connections/stats')).body.active_connections).toBeGreaterThanOrEqual(1);
    const answer = await api(`/connections/${id}/disconnect`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'Maintenance', notify_client: true }),
    });
    expect(answer.status).toBe(200);
    expect(await client.closed).toEqual({ code: 1000, reason: 'Maintenance' });
    expect(client.events.at(-1)).toMatchObject({
      event: 'management_notification',
      data: { message: 'Maintenance', severity: 'warning' },
    });
    connectionId = id;
    sessionId = session;
    // The client sees the close before the proxy's close hook has unregistered the connection: wait for it.
    await until(
      async () => !(await api('/connections')).body.connections?.some((c: Json) => c.connection_id === id),
      'the connection unlisted',
      15_000,
    );
    expect((await api(`/connections/${id}/disconnect`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

let connectionId = '';
let sessionId = '';

describe('the connections log', () => {
  it('holds the closed connection after the daemon stopped', async () => {
    expect(await daemon.stop()).toBe(0);
    const storage = await openStorage({ path: dbPath });
    try {
      const record = await storage.connections.get(connectionId);
      expect(record).toMatchObject({
        status: 'disconnected',
        session_id: sessionId,
        client_ip: '127.0.0.1',
        routing_metadata: { session_ids: [sessionId], target_service: 'echo-agent' },
      });
      expect(record?.disconnected_at).not.toBeNull();
      expect(record?.bytes_received).toBeGreaterThan(0);
      expect(record?.bytes_sent).toBeGreaterThan(0);
      expect(record?.message_count).toBeGreaterThanOrEqual(2);
    } finally {
      await storage.close();
    }
  });
});
