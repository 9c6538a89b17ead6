// Conformance suite, part 3: metric series with rollups, stat totals, the operation log, webhooks and
// their deliveries (migration 0005), on every dialect.
import { randomUUID } from 'node:crypto';
import { AppError } from '@myagent/models';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test/dialects.js';
import type { MetricTier, Storage } from './index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const TIERS: MetricTier[] = [
  { resolution: 0, keepMs: 2 * HOUR },
  { resolution: MIN, keepMs: 24 * HOUR },
  { resolution: HOUR, keepMs: 30 * 24 * HOUR },
];
const T0 = Date.parse('2025-01-01T00:00:00Z');

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(AppError.is(error)).toBe(true);
  return error as AppError;
}

for (const harness of DIALECTS) {
  describe.skipIf(!harness.available)(`metrics, totals, audit and webhooks on ${harness.dialect}`, () => {
    let storage: Storage;

    beforeEach(async () => {
      ({ storage } = await harness.open());
    });
    afterEach(() => storage.close());
    afterAll(() => harness.cleanup());

    it('buckets raw samples by interval, as averages or sums, per service and system-wide', async () => {
      const samples = Array.from({ length: 12 }, (_, i) => ({
        service_id: 'svc-a',
        metric: 'connections',
        value: i,
        ts: T0 + i * 10_000,
      }));
      await storage.metrics.append([
        ...samples,
        { service_id: null, metric: 'connections', value: 100, ts: T0 },
      ]);
      const now = T0 + 2 * MIN;
      const avg = await storage.metrics.query(
        {
          metric: 'connections',
          service_id: 'svc-a',
          from: T0,
          to: T0 + 2 * MIN,
          interval: MIN,
          aggregate: 'avg',
        },
        TIERS,
        now,
      );
      expect(avg).toEqual([
        { ts: T0, value: 2.5 },
        { ts: T0 + MIN, value: 8.5 },
      ]);
      const sum = await storage.metrics.query(
        {
          metric: 'connections',
          service_id: 'svc-a',
          from: T0,
          to: T0 + 2 * MIN,
          interval: 2 * MIN,
          aggregate: 'sum',
        },
        TIERS,
        now,
      );
      expect(sum).toEqual([{ ts: T0, value: 66 }]);
      const system = await storage.metrics.query(
        { metric: 'connections', service_id: null, from: T0, to: T0 + MIN, interval: MIN, aggregate: 'avg' },
        TIERS,
        now,
      );
      expect(system).toEqual([{ ts: T0, value: 100 }]);
    });

    it('rolls complete buckets up once, prunes each tier by age, and answers old periods from rollups', async () => {
      // Three hours of one sample a minute: raw keeps two hours, the 1-minute tier a day.
      const samples = Array.from({ length: 180 }, (_, i) => ({
        service_id: 'svc-b',
        metric: 'errors',
        value: 1,
        ts: T0 + i * MIN,
      }));
      await storage.metrics.append(samples);
      const now = T0 + 3 * HOUR;
      const first = await storage.metrics.maintain(TIERS, now);
      expect(first.rolled).toBe(180 + 3);
      expect(first.pruned).toBe(60);
      // A second run finds nothing new to roll.
      expect(await storage.metrics.maintain(TIERS, now)).toEqual({ rolled: 0, pruned: 0 });
      const hourly = await storage.metrics.query(
        { metric: 'errors', service_id: 'svc-b', from: T0, to: now, interval: HOUR, aggregate: 'sum' },
        TIERS,
        now,
      );
      expect(hourly).toEqual([
        { ts: T0, value: 60 },
        { ts: T0 + HOUR, value: 60 },
        { ts: T0 + 2 * HOUR, value: 60 },
      ]);
      // Samples after the last rollup still count: they come from the raw tier.
      await storage.metrics.append([{ service_id: 'svc-b', metric: 'errors', value: 5, ts: now + 1000 }]);
      const recent = await storage.metrics.query(
        { metric: 'errors', service_id: 'svc-b', from: T0, to: now + MIN, interval: HOUR, aggregate: 'sum' },
        TIERS,
        now + MIN,
      );
      expect(recent.at(-1)).toEqual({ ts: T0 + 3 * HOUR, value: 5 });
    });

    it('refuses a bad sample or query and stores nothing', async () => {
      expect(
        (await rejection(storage.metrics.append([{ service_id: 'x', metric: 'Bad Name', value: 1, ts: T0 }])))
          .code,
      ).toBe('INVALID_REQUEST');
      await rejection(
        storage.metrics.append([
          { service_id: 'x', metric: 'ok', value: 1, ts: T0 },
          { service_id: 'x', metric: 'ok', value: Number.NaN, ts: T0 },
        ]),
      );
      expect(
        await storage.metrics.query(
          { metric: 'ok', service_id: 'x', from: T0, to: T0 + MIN, interval: MIN, aggregate: 'sum' },
          TIERS,
          T0,
        ),
      ).toEqual([]);
      await rejection(
        storage.metrics.query(
          { metric: 'ok', service_id: 'x', from: T0, to: T0 + HOUR, interval: 1, aggregate: 'sum' },
          TIERS,
          T0,
        ),
      );
    });

    it('adds, raises and sets totals, which a second handle reads', async () => {
      await storage.totals.apply([
        { scope: 'svc-a', key: 'total_connections', value: 3, mode: 'add' },
        { scope: 'svc-a', key: 'peak_connections', value: 7, mode: 'max' },
      ]);
      await storage.totals.apply([
        { scope: 'svc-a', key: 'total_connections', value: 4, mode: 'add' },
        { scope: 'svc-a', key: 'peak_connections', value: 5, mode: 'max' },
        { scope: 'system', key: 'last_seen', value: 1, mode: 'set' },
      ]);
      expect(await storage.totals.get('svc-a')).toEqual({ total_connections: 7, peak_connections: 7 });
      expect(await storage.totals.all()).toEqual({
        'svc-a': { total_connections: 7, peak_connections: 7 },
        system: { last_seen: 1 },
      });
      await rejection(storage.totals.apply([{ scope: 'bad scope', key: 'k', value: 1, mode: 'add' }]));
    });

    it('records audit entries and lists them newest first by time and service, bounded by prune', async () => {
      const base = {
        actor: 'local',
        method: 'POST',
        path: '/api/v1/services',
        target_type: 'service',
        status_code: 200,
        result: 'success' as const,
        error_code: null,
        client_ip: '127.0.0.1',
      };
      for (let i = 0; i < 5; i++) {
        await storage.audit.append({
          ...base,
          action: `service.start`,
          target_id: `svc-${i % 2}`,
          service_id: `svc-${i % 2}`,
          timestamp: new Date(T0 + i * 1000).toISOString(),
        });
      }
      const all = await storage.audit.list();
      expect(all.total).toBe(5);
      expect(all.entries.map((e) => e.timestamp)).toEqual(
        [4, 3, 2, 1, 0].map((i) => new Date(T0 + i * 1000).toISOString()),
      );
      expect((await storage.audit.list({ service_id: 'svc-1' })).entries.map((e) => e.target_id)).toEqual([
        'svc-1',
        'svc-1',
      ]);
      const since = await storage.audit.list({ since: new Date(T0 + 3000).toISOString(), limit: 1 });
      expect([since.entries.length, since.total]).toEqual([1, 2]);
      expect(await storage.audit.prune(2)).toBe(3);
      expect((await storage.audit.list()).total).toBe(2);
      await rejection(storage.audit.append({ ...base, action: '', target_id: null, service_id: null }));
    });

    it('keeps webhooks with their secret and deliveries that go with them', async () => {
      const now = new Date(T0).toISOString();
      const hook = await storage.webhooks.save({
        webhook_id: randomUUID(),
        url: 'http://127.0.0.1:9/hook',
        events: ['health_transition', 'health_transition', 'routing_failed'],
        secret: 's3cret',
        enabled: true,
        description: '',
        created_at: now,
        updated_at: now,
      });
      expect(hook).toMatchObject({ events: ['health_transition', 'routing_failed'], has_secret: true });
      expect(await storage.webhooks.get(hook.webhook_id)).toEqual(hook);
      const delivery = (i: number) => ({
        delivery_id: randomUUID(),
        webhook_id: hook.webhook_id,
        event: 'test' as const,
        status: 'pending' as const,
        attempts: 0,
        response_status: null,
        error: null,
        payload: { i },
        created_at: new Date(T0 + i * 1000).toISOString(),
        updated_at: new Date(T0 + i * 1000).toISOString(),
      });
      const first = await storage.webhooks.addDelivery(delivery(0));
      for (const i of [1, 2]) await storage.webhooks.addDelivery(delivery(i));
      expect(
        await storage.webhooks.updateDelivery(first.delivery_id, {
          status: 'delivered',
          attempts: 1,
          response_status: 200,
        }),
      ).toMatchObject({ status: 'delivered', attempts: 1, response_status: 200 });
      const listed = await storage.webhooks.deliveries({ webhook_id: hook.webhook_id });
      expect(listed.deliveries.map((d) => d.payload.i)).toEqual([2, 1, 0]);
      expect(await storage.webhooks.pruneDeliveries(1)).toBe(2);
      expect(
        (await rejection(storage.webhooks.addDelivery({ ...delivery(3), webhook_id: randomUUID() }))).code,
      ).toBe('WEBHOOK_NOT_FOUND');
      expect(await storage.webhooks.delete(hook.webhook_id)).toBe(true);
      expect((await storage.webhooks.deliveries()).total).toBe(0);
      expect(await storage.webhooks.list()).toEqual([]);
    });
  });
}
