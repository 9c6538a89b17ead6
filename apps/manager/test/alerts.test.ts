// Alert webhooks (spec D6) against a real HTTP receiver of our own: CRUD through the API, signed bodies,
// retries with backoff, alerts from real restarts, crash-loop give-ups, health transitions and routing
// failures, and a bounded queue that never blocks.
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { openStorage } from '@myagent/storage-kysely';
import { freePort, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentManager, Alerts } from '../src/index.js';
import { appOf, call, type Json, startManager } from './api-helpers.js';
import { FIXTURE_AGENT } from './helpers.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  json: { event: string; delivery_id: string; data: Record<string, Json> };
}

/** An HTTP receiver that records every POST and answers `status()` (or never, when it returns 0). */
async function receiver(status: (n: number) => number = () => 200) {
  const received: Received[] = [];
  let count = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body, json: JSON.parse(body) });
      const answer = status(++count);
      if (answer > 0) response.writeHead(answer).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const sign = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let manager: AgentManager;
let app: ReturnType<typeof appOf>['app'];
let closeApp: () => void;
let cleanup: () => void;
const receivers: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  const started = await startManager({
    alerts: { backoffMs: 50, timeoutMs: 2000 },
    restart: { maxDelayMs: 500 },
    unhealthyGraceMs: 60_000,
  });
  manager = started.manager;
  cleanup = started.dir.cleanup;
  ({ app, close: closeApp } = appOf(manager));
});

afterAll(async () => {
  closeApp?.();
  await manager?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  cleanup?.();
});

describe('webhooks through the API', () => {
  it('creates, shows (never the secret), updates, lists deliveries and deletes', async () => {
    const created = await call(app, 'POST', '/api/v1/alerts/webhooks', {
      url: 'http://127.0.0.1:9/never',
      events: ['health_transition', 'routing_failed'],
      secret: 'a-secret',
    });
    expect(created.status).toBe(200);
    const hook = created.body.webhook;
    expect(hook).toMatchObject({
      has_secret: true,
      enabled: true,
      events: ['health_transition', 'routing_failed'],
    });
    expect(JSON.stringify(created.body)).not.toContain('a-secret');
    const id = hook.webhook_id as string;
    expect((await call(app, 'GET', `/api/v1/alerts/webhooks/${id}`)).body).toEqual(hook);
    const updated = await call(app, 'PUT', `/api/v1/alerts/webhooks/${id}`, { secret: null, enabled: false });
    expect(updated.body.webhook).toMatchObject({ has_secret: false, enabled: false });
    expect((await call(app, 'GET', '/api/v1/alerts/webhooks')).body.total).toBe(1);
    expect((await call(app, 'GET', `/api/v1/alerts/webhooks/${id}/deliveries`)).body).toEqual({
      deliveries: [],
      total: 0,
    });
    for (const bad of [
      { url: 'ftp://x/y' },
      { url: 'not a url' },
      { url: 'http://x/y', events: ['nope'] },
      { url: 'http://x', events: [] },
    ]) {
      expect((await call(app, 'POST', '/api/v1/alerts/webhooks', bad)).body.error.code).toBe(
        'INVALID_REQUEST',
      );
    }
    expect((await call(app, 'DELETE', `/api/v1/alerts/webhooks/${id}`)).body.success).toBe(true);
    expect((await call(app, 'GET', `/api/v1/alerts/webhooks/${id}`)).body.error.code).toBe(
      'WEBHOOK_NOT_FOUND',
    );
    expect((await call(app, 'POST', `/api/v1/alerts/webhooks/${id}/test`)).status).toBe(404);
  });

  it('signs the body with HMAC-SHA256 and retries with backoff until the receiver takes it', async () => {
    const hookReceiver = await receiver((n) => (n <= 2 ? 500 : 200));
    receivers.push(hookReceiver);
    const { body } = await call(app, 'POST', '/api/v1/alerts/webhooks', {
      url: hookReceiver.url,
      secret: 's3cret',
      events: ['*'],
    });
    const id = body.webhook_id as string;
    const queued = await call(app, 'POST', `/api/v1/alerts/webhooks/${id}/test`);
    expect(queued.body).toMatchObject({ status: 'pending', event: 'test', webhook_id: id });
    const delivered = await until(
      async () => {
        const { deliveries } = (await call(app, 'GET', `/api/v1/alerts/webhooks/${id}/deliveries`)).body;
        return deliveries[0]?.status === 'delivered' && deliveries[0];
      },
      'the delivery',
      10_000,
    );
    expect(delivered).toMatchObject({ attempts: 3, response_status: 200, error: null });
    expect(hookReceiver.received).toHaveLength(3);
    for (const got of hookReceiver.received) {
      expect(got.headers['x-myagent-signature']).toBe(sign('s3cret', got.body));
      expect(got.headers['x-myagent-event']).toBe('test');
      expect(got.json).toMatchObject({ event: 'test', delivery_id: delivered.delivery_id });
    }
    await call(app, 'DELETE', `/api/v1/alerts/webhooks/${id}`);
  });
});

describe('alerts from what happens', () => {
  it('posts restarts and the crash-loop give-up of a real crashing service', async () => {
    const hookReceiver = await receiver();
    receivers.push(hookReceiver);
    await manager.alerts.create({
      url: hookReceiver.url,
      events: ['service_restart', 'restart_limit_reached'],
    });
    const service = await manager.registerService({
      name: 'crasher',
      agent_factory_path: FIXTURE_AGENT,
      port: await freePort(),
      config: {
        restart_delay: 0.1,
        max_restart_count: 1,
        environment: { FIXTURE_MODE: 'crash-after', FIXTURE_AFTER_MS: '300' },
      },
    });
    await manager.startService(service.service_id);
    await until(
      () => hookReceiver.received.some((r) => r.json.event === 'restart_limit_reached'),
      'the give-up alert',
      30_000,
    );
    const events = hookReceiver.received.map((r) => r.json.event);
    expect(events).toContain('service_restart');
    const giveUp = hookReceiver.received.find((r) => r.json.event === 'restart_limit_reached');
    expect(giveUp?.json.data).toMatchObject({
      service_id: service.service_id,
      message: expect.stringContaining('restart limit reached'),
    });
    await manager.unregisterService(service.service_id);
  });

  it('posts a health transition and a routing failure', async () => {
    const hookReceiver = await receiver();
    receivers.push(hookReceiver);
    await manager.alerts.create({ url: hookReceiver.url, events: ['health_transition', 'routing_failed'] });
    // No service runs: routing fails, and is reported.
    await expect(manager.routeConnection({ client_ip: '10.1.2.3' })).rejects.toMatchObject({
      code: 'ROUTING_FAILED',
    });
    await until(
      () => hookReceiver.received.some((r) => r.json.event === 'routing_failed'),
      'the routing alert',
      10_000,
    );
    expect(hookReceiver.received.find((r) => r.json.event === 'routing_failed')?.json.data).toMatchObject({
      code: 'ROUTING_FAILED',
      client_ip: '10.1.2.3',
    });
    const service = await manager.registerService({
      name: 'hanger',
      agent_factory_path: FIXTURE_AGENT,
      port: await freePort(),
      config: { auto_restart: false, environment: { FIXTURE_MODE: 'hang-after', FIXTURE_AFTER_MS: '1500' } },
      auto_start: true,
    });
    await until(
      () =>
        hookReceiver.received.some(
          (r) => r.json.event === 'health_transition' && r.json.data.to === 'unhealthy',
        ),
      'the unhealthy alert',
      30_000,
    );
    const unhealthy = hookReceiver.received.find(
      (r) => r.json.event === 'health_transition' && r.json.data.to === 'unhealthy',
    );
    expect(unhealthy?.json.data).toMatchObject({
      service_id: service.service_id,
      to: 'unhealthy',
    });
    const recorded = await manager.alerts.deliveries({ limit: 100 });
    expect(recorded.deliveries.some((d) => d.event === 'health_transition' && d.status === 'delivered')).toBe(
      true,
    );
    await manager.stopService(service.service_id);
  });
});

describe('the delivery queue', () => {
  it('is bounded: past maxQueue alerts are dropped, and notify never waits', async () => {
    const silent = await receiver(() => 0);
    receivers.push(silent);
    const dir = tempDir();
    const storage = await openStorage({ path: join(dir.dir, 'alerts.db') });
    const errors: unknown[] = [];
    const alerts = new Alerts(storage.webhooks, (error) => errors.push(error), {
      maxQueue: 3,
      attempts: 1,
      timeoutMs: 300,
      concurrency: 1,
    });
    try {
      await alerts.create({ url: silent.url, events: ['*'] });
      for (let i = 0; i < 10; i++) expect(alerts.notify('test', { i })).toBeUndefined();
      await until(() => alerts.dropped === 7, 'seven drops', 5_000);
      await alerts.idle();
      const { deliveries } = await alerts.deliveries({ limit: 100 });
      expect(deliveries).toHaveLength(3);
      expect(deliveries.every((d) => d.status === 'failed' && d.attempts === 1)).toBe(true);
      expect(String(errors[0])).toContain('alert queue full');
    } finally {
      await alerts.close();
      await storage.close();
      dir.cleanup();
    }
  });
});
