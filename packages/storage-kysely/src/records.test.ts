// Conformance suite, part 2: health history, connection records and log lines, on every dialect.
import { AppError, type Service } from '@myagent/models';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test/dialects.js';
import { sampleConnection, sampleHealth, sampleLog, sampleService } from '../test/samples.js';
import type { Storage } from './index.js';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const MISSING = '00000000-0000-4000-8000-000000000000';

for (const harness of DIALECTS) {
  describe.skipIf(!harness.available)(`health, connections and logs on ${harness.dialect}`, () => {
    let storage: Storage;
    let svc: Service;
    let other: Service;

    beforeEach(async () => {
      ({ storage } = await harness.open());
      svc = await storage.services.save(sampleService());
      other = await storage.services.save(sampleService());
    });
    afterEach(() => storage.close());
    afterAll(() => harness.cleanup());

    it('appends health results and reads them newest first', async () => {
      for (const second of [3, 1, 2]) await storage.health.append(sampleHealth(svc.service_id, second));
      await storage.health.append(sampleHealth(other.service_id, 9, { status: 'unhealthy', error: 'down' }));
      const recent = await storage.health.recent(svc.service_id);
      expect(recent.map((r) => r.timestamp.slice(17, 19))).toEqual(['03', '02', '01']);
      expect(recent[0]).toEqual({
        service_id: svc.service_id,
        status: 'healthy',
        response_time_ms: 1.5,
        timestamp: '2025-01-01T00:00:03.000Z',
        checks: { websocket: { status: 'healthy', message: 'pong' } },
        error: null,
      });
      expect(await storage.health.recent(svc.service_id, 2)).toEqual(recent.slice(0, 2));
      expect(await storage.health.latest(other.service_id)).toMatchObject({
        status: 'unhealthy',
        error: 'down',
      });
      expect(await storage.health.latest(MISSING)).toBeUndefined();
    });

    it('prunes health history to a bound, also on append', async () => {
      expect(
        await storage.health.appendMany(
          Array.from({ length: 10 }, (_, i) => sampleHealth(svc.service_id, i)),
        ),
      ).toBe(10);
      await storage.health.append(sampleHealth(other.service_id, 1));
      expect(await storage.health.prune(svc.service_id, 4)).toBe(6);
      const kept = await storage.health.recent(svc.service_id);
      expect(kept.map((r) => r.timestamp.slice(17, 19))).toEqual(['09', '08', '07', '06']);
      await storage.health.append(sampleHealth(svc.service_id, 20), { keep: 2 });
      expect((await storage.health.recent(svc.service_id)).map((r) => r.timestamp.slice(17, 19))).toEqual([
        '20',
        '09',
      ]);
      expect(await storage.health.recent(other.service_id)).toHaveLength(1);
      expect(await storage.health.prune(svc.service_id, 0)).toBe(2);
      expect((await rejection(storage.health.prune(svc.service_id, -1))).code).toBe('INVALID_REQUEST');
    });

    it('refuses health results of unknown services and bad results, storing nothing', async () => {
      expect((await rejection(storage.health.append(sampleHealth(MISSING, 1)))).code).toBe(
        'SERVICE_NOT_FOUND',
      );
      const bad = await rejection(
        storage.health.append(sampleHealth(svc.service_id, 1, { status: 'fine' as never })),
      );
      expect(bad.code).toBe('INVALID_REQUEST');
      const batch = [sampleHealth(svc.service_id, 1), sampleHealth(MISSING, 2)];
      expect((await rejection(storage.health.appendMany(batch))).code).toBe('SERVICE_NOT_FOUND');
      const invalid = [
        sampleHealth(svc.service_id, 1),
        sampleHealth(svc.service_id, 2, { response_time_ms: -1 }),
      ];
      expect((await rejection(storage.health.appendMany(invalid))).code).toBe('INVALID_REQUEST');
      expect(await storage.health.recent(svc.service_id)).toEqual([]);
    });

    it('records a connection, updates it, counts traffic and closes it', async () => {
      const opened = await storage.connections.open(sampleConnection(svc.service_id, { client_port: 5555 }));
      expect(opened).toMatchObject({ status: 'connected', bytes_sent: 0, routing_metadata: {} });
      expect(await storage.connections.get(opened.connection_id)).toEqual(opened);
      const active = await storage.connections.update(opened.connection_id, {
        status: 'active',
        session_id: 'sess-1',
        routing_strategy: 'round_robin',
        routing_metadata: { rule: 'vip' },
      });
      expect(active).toMatchObject({
        status: 'active',
        session_id: 'sess-1',
        routing_metadata: { rule: 'vip' },
      });
      await Promise.all(
        Array.from({ length: 10 }, () =>
          storage.connections.addCounters(opened.connection_id, {
            bytes_sent: 100,
            bytes_received: 7,
            message_count: 1,
          }),
        ),
      );
      expect(await storage.connections.get(opened.connection_id)).toMatchObject({
        bytes_sent: 1000,
        bytes_received: 70,
        message_count: 10,
      });
      const closed = await storage.connections.close(
        opened.connection_id,
        'disconnected',
        '2025-06-01T00:00:00Z',
      );
      expect(closed).toMatchObject({ status: 'disconnected', disconnected_at: '2025-06-01T00:00:00.000Z' });
      expect(await storage.connections.update(MISSING, { status: 'idle' })).toBeUndefined();
      expect(await storage.connections.addCounters(MISSING, { bytes_sent: 1 })).toBeUndefined();
      expect(await storage.connections.close(MISSING)).toBeUndefined();
    });

    it('refuses bad connection records and patches, changing nothing', async () => {
      const opened = await storage.connections.open(sampleConnection(svc.service_id));
      const again = await rejection(
        storage.connections.open({
          ...sampleConnection(svc.service_id),
          connection_id: opened.connection_id,
        }),
      );
      expect(again.code).toBe('INVALID_REQUEST');
      expect(
        (await rejection(storage.connections.open(sampleConnection(svc.service_id, { client_port: 70_000 }))))
          .code,
      ).toBe('INVALID_REQUEST');
      expect(
        (await rejection(storage.connections.update(opened.connection_id, { status: 'gone' as never }))).code,
      ).toBe('INVALID_REQUEST');
      expect(
        (await rejection(storage.connections.addCounters(opened.connection_id, { bytes_sent: -5 }))).code,
      ).toBe('INVALID_REQUEST');
      expect((await rejection(storage.connections.close(opened.connection_id, 'active' as never))).code).toBe(
        'INVALID_REQUEST',
      );
      expect(await storage.connections.get(opened.connection_id)).toEqual(opened);
    });

    it('lists connections with filters and totals, and sums them up', async () => {
      const a = await storage.connections.open(sampleConnection(svc.service_id));
      const b = await storage.connections.open(sampleConnection(svc.service_id, { status: 'active' }));
      const c = await storage.connections.open(sampleConnection(other.service_id));
      await storage.connections.addCounters(b.connection_id, { bytes_sent: 10, message_count: 2 });
      await storage.connections.close(a.connection_id, 'error');

      const page = await storage.connections.list({ service_id: svc.service_id });
      expect(page.total).toBe(2);
      expect(page.connections.map((x) => x.connection_id)).toEqual([b.connection_id, a.connection_id]);
      expect((await storage.connections.list({ status: ['connected', 'active'] })).total).toBe(2);
      const second = await storage.connections.list({ limit: 1, offset: 1 });
      expect(second).toMatchObject({ total: 3, connections: [{ connection_id: b.connection_id }] });

      const stats = await storage.connections.stats();
      expect(stats).toMatchObject({ total: 3, open: 2, bytes_sent: 10, bytes_received: 0, message_count: 2 });
      expect(stats.by_status).toMatchObject({ connected: 1, active: 1, error: 1, idle: 0 });
      expect(stats.open_by_service).toEqual({ [svc.service_id]: 1, [other.service_id]: 1 });

      expect(await storage.connections.pruneClosed('2000-01-01T00:00:00Z')).toBe(0);
      expect(await storage.connections.pruneClosed(new Date(Date.now() + 60_000).toISOString())).toBe(1);
      expect(await storage.connections.get(a.connection_id)).toBeUndefined();
      expect(await storage.connections.get(c.connection_id)).toEqual(c);
    });

    it('appends log lines and lists the newest, oldest first, by level, time and id', async () => {
      const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s)).toISOString();
      await storage.logs.append([
        sampleLog(svc.service_id, 'boot', { level: 'debug', timestamp: at(1) }),
        sampleLog(svc.service_id, 'ready', { level: 'info', timestamp: at(2), fields: { port: 8081 } }),
        sampleLog(svc.service_id, 'slow', { level: 'warn', timestamp: at(3), stream: 'stderr' }),
        sampleLog(svc.service_id, 'crash', { level: 'error', timestamp: at(4), stream: 'stderr' }),
        sampleLog(other.service_id, 'other', { timestamp: at(5) }),
      ]);
      const all = await storage.logs.list(svc.service_id);
      expect(all.map((l) => l.message)).toEqual(['boot', 'ready', 'slow', 'crash']);
      expect(all[1]).toMatchObject({ level: 'info', stream: 'stdout', fields: { port: 8081 } });
      expect(all[0]?.fields).toEqual({});
      expect((await storage.logs.list(svc.service_id, { level: 'warn' })).map((l) => l.message)).toEqual([
        'slow',
        'crash',
      ]);
      expect((await storage.logs.list(svc.service_id, { since: at(3) })).map((l) => l.message)).toEqual([
        'slow',
        'crash',
      ]);
      expect((await storage.logs.list(svc.service_id, { limit: 2 })).map((l) => l.message)).toEqual([
        'slow',
        'crash',
      ]);
      const after = await storage.logs.list(svc.service_id, { afterId: all[2]?.id });
      expect(after.map((l) => l.message)).toEqual(['crash']);
      expect((await rejection(storage.logs.list(svc.service_id, { level: 'loud' as never }))).code).toBe(
        'INVALID_REQUEST',
      );
      expect((await rejection(storage.logs.list(svc.service_id, { since: 'soon' }))).code).toBe(
        'INVALID_REQUEST',
      );
    });

    it('searches log messages case-insensitively, with % and _ taken literally', async () => {
      await storage.logs.append([
        sampleLog(svc.service_id, 'Connection REFUSED by peer'),
        sampleLog(svc.service_id, '100% done'),
        sampleLog(svc.service_id, '1000 done'),
        sampleLog(svc.service_id, 'snake_case here'),
        sampleLog(svc.service_id, 'snakeXcase here'),
        sampleLog(other.service_id, 'connection refused too', { level: 'error' }),
      ]);
      const messages = (lines: { message: string }[]) => lines.map((l) => l.message);
      expect(messages(await storage.logs.search('connection refused'))).toEqual([
        'Connection REFUSED by peer',
        'connection refused too',
      ]);
      expect(messages(await storage.logs.search('refused', { service_id: other.service_id }))).toEqual([
        'connection refused too',
      ]);
      expect(messages(await storage.logs.search('refused', { level: 'error' }))).toEqual([
        'connection refused too',
      ]);
      expect(messages(await storage.logs.search('100%'))).toEqual(['100% done']);
      expect(messages(await storage.logs.search('snake_case'))).toEqual(['snake_case here']);
      expect(await storage.logs.search('refused', { limit: 1 })).toHaveLength(1);
      expect((await rejection(storage.logs.search(''))).code).toBe('INVALID_REQUEST');
    });

    it('keeps log lines bounded per service and appends all or nothing', async () => {
      await storage.logs.append(
        Array.from({ length: 1200 }, (_, i) => sampleLog(svc.service_id, `line ${i}`)),
      );
      await storage.logs.append([sampleLog(other.service_id, 'kept')]);
      expect(await storage.logs.prune(svc.service_id, 100)).toBe(1100);
      const kept = await storage.logs.list(svc.service_id, { limit: 1000 });
      expect(kept).toHaveLength(100);
      expect(kept[0]?.message).toBe('line 1100');
      expect(await storage.logs.prune(svc.service_id, 100)).toBe(0);
      expect(await storage.logs.list(other.service_id)).toHaveLength(1);

      const before = await storage.logs.list(svc.service_id, { limit: 1000 });
      const badBatch = [sampleLog(svc.service_id, 'ok'), sampleLog(svc.service_id, 'x'.repeat(20_000))];
      expect((await rejection(storage.logs.append(badBatch))).code).toBe('INVALID_REQUEST');
      const orphan = [sampleLog(svc.service_id, 'ok'), sampleLog(MISSING, 'nobody')];
      expect((await rejection(storage.logs.append(orphan))).code).toBe('SERVICE_NOT_FOUND');
      expect(await storage.logs.list(svc.service_id, { limit: 1000 })).toEqual(before);
    });
  });
}
