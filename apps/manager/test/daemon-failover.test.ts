// Failover and drain at /ws as a user meets them: the real daemon process, agents in real myagent-ws
// children it started, kill -9 of a child, and restarts through the HTTP API, while the client's socket to
// the manager stays open and its sessions go on counting.
import { join } from 'node:path';
import {
  alive,
  COUNTING_AGENT,
  type DaemonProcess,
  startDaemon,
  tempDir,
  until,
} from '@myagent/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Json } from './api-helpers.js';
import { daemonApi } from './daemon-process.js';
import { servicePid } from './helpers.js';

const temp = tempDir();
let daemon: DaemonProcess;
let base: string;
let wsUrl: string;

const api = (path: string, init: RequestInit = {}) => daemonApi(base, path, init);

/** A recording client of /ws. */
async function connect(query: string) {
  const ws = new WebSocket(`${wsUrl}?${query}`);
  const events: Json[] = [];
  let closed: { code: number } | undefined;
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  ws.on('close', (code) => {
    closed = { code };
  });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const nth = (event: string, session: string | undefined, n: number) =>
    events.filter((e) => e.event === event && (session === undefined || e.session_id === session))[n];
  return {
    ws,
    events,
    closed: () => closed,
    send: (message: Json) => ws.send(JSON.stringify(message)),
    event: (event: string, session?: string, n = 0, timeoutMs = 30_000) =>
      until(() => nth(event, session, n), `${event} #${n}`, timeoutMs),
    async session(): Promise<string> {
      const n = events.filter((e) => e.event === 'agent.session_created').length;
      ws.send(JSON.stringify({ event: 'user.create_session' }));
      return (await until(() => nth('agent.session_created', undefined, n), 'a session', 30_000)).session_id;
    },
    /** Sends a message and resolves with its answer. */
    async turn(session: string, content: string): Promise<string> {
      const n = events.filter((e) => e.event === 'agent.final_answer' && e.session_id === session).length;
      ws.send(JSON.stringify({ event: 'user.message', session_id: session, content }));
      return String((await until(() => nth('agent.final_answer', session, n), content, 30_000)).content);
    },
  };
}

async function service(name: string): Promise<Json> {
  return (await api(`/services/${name}`)).body;
}

/** The service a client's connection runs on now. */
async function targetOf(sessionId: string): Promise<string> {
  const { connections } = (await api('/connections')).body;
  return connections.find((c: Json) => c.session_ids.includes(sessionId)).routing_metadata.target_service;
}

async function routable(name: string): Promise<boolean> {
  const body = await service(name);
  return body.status === 'running' && body.health?.status !== 'unhealthy';
}

/** Waits for a killed service to be routable again (restart_delay 1 s); says why not on a timeout. */
async function back(name: string): Promise<void> {
  await until(() => routable(name), `${name} back`, 60_000).catch(async (error) => {
    throw new Error(`${error}: ${JSON.stringify(await service(name))}\n${daemon.output().slice(-4000)}`);
  });
}

beforeAll(async () => {
  daemon = startDaemon([
    '--db',
    join(temp.dir, 'manager.db'),
    '--port',
    '0',
    '--health-interval',
    '0.5',
    '--failover-wait',
    '20',
    '--in-process',
  ]);
  base = await daemon.url();
  wsUrl = `${base.replace('http', 'ws')}/ws`;
  const config = { environment: { FIXTURE_SLOW_MS: '1500' }, restart_delay: 1 };
  for (const [name, tags] of [
    ['pair-a', ['pair']],
    ['pair-b', ['pair']],
    ['solo', ['solo']],
  ] as const) {
    const { status } = await api('/services', {
      method: 'POST',
      body: JSON.stringify({ name, agent_factory_path: COUNTING_AGENT, tags, config, auto_start: true }),
    });
    expect(status).toBeLessThan(300);
  }
  await until(
    async () => (await Promise.all(['pair-a', 'pair-b', 'solo'].map(routable))).every(Boolean),
    'three services routable',
    90_000,
  ).catch(async (error) => {
    throw new Error(
      `${error}: ${JSON.stringify((await api('/services')).body)}\n${daemon.output().slice(-3000)}`,
    );
  });
}, 150_000);

afterEach((context) => {
  // What the daemon saw (status changes, restarts), to tell a slow machine from a bug.
  if (context.task.result?.state === 'fail') console.log(daemon.output().slice(-6000));
});

afterAll(async () => {
  expect(await daemon?.stop()).toBe(0);
  temp.cleanup();
});

describe('failover at /ws', () => {
  it('kill -9 between turns: the session goes on at the other instance, its next message N+1', async () => {
    const client = await connect('tag=pair');
    const session = await client.session();
    expect(await client.turn(session, 'one')).toBe('one (message 1 of this session)');
    expect(await client.turn(session, 'two')).toBe('two (message 2 of this session)');
    const from = await targetOf(session);
    const pid = await servicePid(await service(from));
    process.kill(pid, 'SIGKILL');
    const switched = await client.event('service_switched');
    expect(switched.data).toEqual({
      from_service: from,
      to_service: from === 'pair-a' ? 'pair-b' : 'pair-a',
      // A loaded machine may see its health checks fail first, and leave it as unhealthy: as good.
      reason: expect.stringMatching(/^(upstream_lost|service_unhealthy)$/u),
      session_preserved: true,
    });
    expect(await client.turn(session, 'three')).toBe('three (message 3 of this session)');
    expect(await targetOf(session)).toBe(from === 'pair-a' ? 'pair-b' : 'pair-a');
    expect(client.closed()).toBeUndefined();
    client.ws.close();
    // The killed one comes back (restart_delay 1 s) for the next test.
    await back(from);
    expect(alive(pid)).toBe(false);
  }, 120_000);

  it('kill -9 mid-turn: the turn ends with UPSTREAM_LOST, the session goes on', async () => {
    const client = await connect('tag=pair');
    const session = await client.session();
    expect(await client.turn(session, 'one')).toBe('one (message 1 of this session)');
    client.send({ event: 'user.message', session_id: session, content: 'slow two' });
    await client.event('agent.thinking', session, 1);
    const from = await targetOf(session);
    process.kill(await servicePid(await service(from)), 'SIGKILL');
    const lost = await client.event('agent.error', session);
    expect(lost.metadata).toMatchObject({ code: 'UPSTREAM_LOST' });
    expect((await client.event('service_switched')).data).toMatchObject({
      from_service: from,
      session_preserved: true,
    });
    // The lost turn never completed, so it is not in the restored history: this is message 2.
    expect(await client.turn(session, 'again')).toBe('again (message 2 of this session)');
    client.ws.close();
    await back(from);
  }, 120_000);

  it('no other instance: waits for the restart of the killed one, and restores there', async () => {
    const client = await connect('service=solo');
    const session = await client.session();
    expect(await client.turn(session, 'one')).toBe('one (message 1 of this session)');
    process.kill(await servicePid(await service('solo')), 'SIGKILL');
    const switched = await client.event('service_switched');
    expect(switched.data).toMatchObject({
      from_service: 'solo',
      to_service: 'solo',
      session_preserved: true,
    });
    expect(await client.turn(session, 'two')).toBe('two (message 2 of this session)');
    client.ws.close();
  }, 120_000);

  it('refuses a forged restore: through /ws (FORBIDDEN) and straight at the agent server (UNKNOWN_EVENT)', async () => {
    const client = await connect('service=solo');
    client.send({ event: 'proxy.restore_session', session_id: 'x', signed_state: {} });
    expect((await client.event('error')).data).toMatchObject({ code: 'FORBIDDEN' });
    client.ws.close();
    const { port } = await service('solo');
    const direct = new WebSocket(`ws://127.0.0.1:${port}`, { headers: { 'x-myagent-proxy': '1' } });
    const events: Json[] = [];
    direct.on('message', (data) => events.push(JSON.parse(String(data))));
    await new Promise((resolve) => direct.once('open', resolve));
    direct.send(JSON.stringify({ event: 'user.create_session' }));
    direct.send(JSON.stringify({ event: 'proxy.restore_session', session_id: 'x', signed_state: {} }));
    const refused = await until(() => events.find((e) => e.event === 'system.error'), 'refusal', 15_000);
    expect(refused.metadata.code).toBe('UNKNOWN_EVENT');
    expect(events.map((e) => e.event)).not.toContain('system.session_state');
    direct.close();
  }, 60_000);
});

describe('draining at /ws', () => {
  it('restarts a service with live clients: no socket, no turn and no message lost', async () => {
    await until(() => routable('solo'), 'solo routable', 60_000);
    const busy = await connect('service=solo');
    const idle = await connect('service=solo');
    const session = await busy.session();
    const quiet = await idle.session();
    expect(await busy.turn(session, 'one')).toBe('one (message 1 of this session)');
    expect(await idle.turn(quiet, 'hi')).toBe('hi (message 1 of this session)');
    const pid = await servicePid(await service('solo'));
    busy.send({ event: 'user.message', session_id: session, content: 'slow two' });
    await busy.event('agent.thinking', session, 1);
    const restarted = api('/services/solo/restart?countdown=1', { method: 'POST' });
    const notice = await busy.event('management_notification');
    expect(notice.data).toMatchObject({ type: 'service_restart', severity: 'warning', countdown_seconds: 1 });
    // The running turn finishes on the old process.
    expect(String((await busy.event('agent.final_answer', session, 1)).content)).toBe(
      'slow two (message 2 of this session)',
    );
    // Sent during the restart: held by the manager, answered by the new process.
    await idle.event('management_notification');
    idle.send({ event: 'user.message', session_id: quiet, content: 'during' });
    expect((await restarted).status).toBe(200);
    for (const client of [busy, idle]) {
      expect((await client.event('service_switched')).data).toEqual({
        from_service: 'solo',
        to_service: 'solo',
        reason: 'service_restart',
        session_preserved: true,
      });
    }
    expect(String((await idle.event('agent.final_answer', quiet, 1)).content)).toBe(
      'during (message 2 of this session)',
    );
    expect(await busy.turn(session, 'three')).toBe('three (message 3 of this session)');
    expect(await servicePid(await service('solo'))).not.toBe(pid);
    for (const client of [busy, idle]) {
      expect(client.closed()).toBeUndefined();
      expect(
        client.events.filter((e) => e.event === 'agent.error' || e.event === 'agent.session_end'),
      ).toEqual([]);
      client.ws.close();
    }
  }, 120_000);

  it('stops one of two instances: its client moves to the other with its session', async () => {
    const client = await connect('tag=pair');
    const session = await client.session();
    expect(await client.turn(session, 'one')).toBe('one (message 1 of this session)');
    const from = await targetOf(session);
    expect((await api(`/services/${from}/stop`, { method: 'POST' })).status).toBe(200);
    expect((await client.event('service_switched')).data).toMatchObject({
      from_service: from,
      reason: 'service_stop',
      session_preserved: true,
    });
    expect(await client.turn(session, 'two')).toBe('two (message 2 of this session)');
    client.ws.close();
  }, 120_000);
});
