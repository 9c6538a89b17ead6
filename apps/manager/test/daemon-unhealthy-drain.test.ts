// The manager's own restart of an UNHEALTHY service, as a user meets it: the real daemon, a real myagent-ws
// child whose process is alive but whose health checks fail (SIGSTOP freezes it mid-turn), and a client at
// /ws. The restart drains the client first, as `POST /services/{id}/restart` does: it is told, its running
// turn finishes on the old process, and its session goes on on the new one.
import { join } from 'node:path';
import {
  alive,
  COUNTING_AGENT,
  type DaemonProcess,
  freePort,
  startDaemon,
  tempDir,
} from '@myagent/test-support';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { Json } from './api-helpers.js';
import { daemonApi } from './daemon-process.js';
import { servicePid } from './helpers.js';

const temp = tempDir();
let daemon: DaemonProcess;
let base: string;
let frozen: number | undefined;

const api = (path: string, init: RequestInit = {}) => daemonApi(base, path, init);
const service = async (name: string): Promise<Json> => (await api(`/services/${name}`)).body;

beforeAll(async () => {
  daemon = startDaemon([
    '--db',
    join(temp.dir, 'manager.db'),
    '--port',
    '0',
    '--health-interval',
    '0.5',
    // Short, so that the test waits seconds, not the default 30 s, for the restart.
    '--unhealthy-grace',
    '2',
    '--failover-wait',
    '30',
    '--in-process',
  ]);
  base = await daemon.url();
  const { status } = await api('/services', {
    method: 'POST',
    body: JSON.stringify({
      name: 'sick',
      agent_factory_path: COUNTING_AGENT,
      // From the kernel: the default range is shared with the other daemons that tests run at once.
      port: await freePort(),
      config: { environment: { FIXTURE_SLOW_MS: '1500' }, restart_delay: 1, health_check_timeout: 1 },
      auto_start: true,
    }),
  });
  expect(status).toBeLessThan(300);
  await vi.waitFor(
    async () => {
      const body = await service('sick');
      if (body.status !== 'running' || body.health?.status === 'unhealthy') throw new Error(body.status);
    },
    { timeout: 90_000, interval: 200 },
  );
}, 120_000);

afterAll(async () => {
  // A failed test may leave the child frozen: let it go on, so that the daemon can stop it.
  if (frozen !== undefined && alive(frozen)) process.kill(frozen, 'SIGCONT');
  expect(await daemon?.stop()).toBe(0);
  temp.cleanup();
});

it('drains the clients of an unhealthy service whose process is alive before it restarts it', async () => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws?service=sick`);
  const events: Json[] = [];
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  let closed: number | undefined;
  ws.on('close', (code) => {
    closed = code;
  });
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const nth = async (event: string, n = 0, timeout = 60_000): Promise<Json> =>
    vi.waitFor(
      () => {
        const found = events.filter((e) => e.event === event)[n];
        if (!found) throw new Error(`no ${event} #${n} yet: ${JSON.stringify(events.map((e) => e.event))}`);
        return found;
      },
      { timeout, interval: 50 },
    );
  const send = (message: Json) => ws.send(JSON.stringify(message));

  send({ event: 'user.create_session' });
  const session = (await nth('agent.session_created')).session_id;
  send({ event: 'user.message', session_id: session, content: 'one' });
  expect((await nth('agent.final_answer', 0)).content).toBe('one (message 1 of this session)');

  const pid = await servicePid(await service('sick'));
  send({ event: 'user.message', session_id: session, content: 'slow two' });
  await nth('agent.thinking', 1);
  // Alive but answering no health check: the monitor calls it unhealthy, then restarts it after the grace.
  process.kill(pid, 'SIGSTOP');
  frozen = pid;
  const notice = await nth('management_notification');
  expect(notice.data).toMatchObject({ type: 'service_restart', severity: 'warning' });
  expect(notice.data.message).toContain('unhealthy');
  // Woken up, the old process gets the restart's SIGTERM: it finishes the running turn, then closes (1001).
  process.kill(pid, 'SIGCONT');
  frozen = undefined;
  expect((await nth('agent.final_answer', 1)).content).toBe('slow two (message 2 of this session)');
  const switched = (await nth('service_switched')).data;
  expect(switched).toMatchObject({ from_service: 'sick', to_service: 'sick', session_preserved: true });
  // The drain's close (service_restart) and the proxy's own leaving of an unhealthy service once the turn
  // ended (service_unhealthy) race; either moves the session, which is what counts.
  expect(['service_restart', 'service_unhealthy']).toContain(switched.reason);
  send({ event: 'user.message', session_id: session, content: 'three' });
  expect((await nth('agent.final_answer', 2)).content).toBe('three (message 3 of this session)');
  expect(await servicePid(await service('sick'))).not.toBe(pid);
  expect(closed).toBeUndefined();
  expect(events.filter((e) => e.event === 'agent.error' || e.event === 'agent.session_end')).toEqual([]);
  ws.close();
}, 120_000);
