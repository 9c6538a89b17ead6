// Conformance suite, part 1: services, routing rules and the store's lifecycle, on every dialect.
import { AppError } from '@myagent/models';
import { type Kysely, Migrator } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test/dialects.js';
import { sampleHealth, sampleLog, sampleRule, sampleService } from '../test/samples.js';
import { createMigrationProvider, type Database, type Storage } from './index.js';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

for (const harness of DIALECTS) {
  if (!harness.available) {
    console.warn(`storage-kysely: ${harness.dialect} suite skipped: set MYAGENT_TEST_DATABASE_URL to run it`);
  }

  describe.skipIf(!harness.available)(`services and rules on ${harness.dialect}`, () => {
    let storage: Storage;
    let reopen: () => Promise<Storage>;

    beforeEach(async () => {
      ({ storage, reopen } = await harness.open());
    });
    afterEach(() => storage.close());
    afterAll(() => harness.cleanup());

    it('saves a service with defaults applied and reads it back by id and name', async () => {
      const input = sampleService({ tags: ['gpu', 'eu'], created_at: '2025-01-01T00:00:00Z' });
      const saved = await storage.services.save(input);
      expect(saved).toMatchObject({ status: 'stopped', restart_count: 0, agent_type: 'myagent' });
      expect(saved.config).toMatchObject({ max_sessions: 0, session_timeout: 1800, auto_restart: true });
      expect(saved.created_at).toBe('2025-01-01T00:00:00.000Z');
      expect(await storage.services.get(saved.service_id)).toEqual(saved);
      expect(await storage.services.getByName(saved.name)).toEqual(saved);
      expect(await storage.services.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
      expect(await storage.services.getByName('nope')).toBeUndefined();
    });

    it('replaces a saved service, tags included', async () => {
      const first = await storage.services.save(sampleService({ tags: ['old'] }));
      await storage.services.save({ ...first, tags: ['new'], description: 'changed' });
      expect(await storage.services.get(first.service_id)).toMatchObject({
        tags: ['new'],
        description: 'changed',
      });
      expect((await storage.services.list({ tags: ['old'] })).total).toBe(0);
      expect((await storage.services.list({ tags: ['new'] })).total).toBe(1);
    });

    it('refuses a second service with a taken name, storing nothing', async () => {
      const first = await storage.services.save(sampleService({ name: 'alpha', tags: ['a'] }));
      const error = await rejection(storage.services.save(sampleService({ name: 'alpha', tags: ['b'] })));
      expect(error.code).toBe('SERVICE_ALREADY_EXISTS');
      const { services, total } = await storage.services.list();
      expect(total).toBe(1);
      expect(services[0]?.service_id).toBe(first.service_id);
      expect((await storage.services.list({ tags: ['b'] })).total).toBe(0);
    });

    it('rejects a row that breaks the schema with INVALID_REQUEST and stores nothing', async () => {
      for (const bad of [
        sampleService({ port: 70_000 }),
        sampleService({ name: 'has space' }),
        sampleService({ service_id: 'not-a-uuid' }),
        sampleService({ tags: ['ok', 'bad,tag'] }),
        { ...sampleService(), config: { max_sessions: 1 } },
        sampleService({ created_at: 'yesterday' }),
      ]) {
        const error = await rejection(storage.services.save(bad as never));
        expect(error.code).toBe('INVALID_REQUEST');
        expect(error.message).toMatch(/^Invalid service/);
      }
      expect((await storage.services.list()).total).toBe(0);
    });

    it('lists with status, tags (all of them), limit, offset and a total', async () => {
      const a = await storage.services.save(sampleService({ tags: ['gpu', 'eu'], status: 'running' }));
      const b = await storage.services.save(sampleService({ tags: ['gpu'], status: 'running' }));
      const c = await storage.services.save(sampleService({ tags: ['eu', 'gpu', 'big'], status: 'stopped' }));
      await storage.services.save(sampleService({ tags: [], status: 'error' }));

      const ids = (page: { services: { service_id: string }[] }) => page.services.map((s) => s.service_id);
      expect(ids(await storage.services.list({ tags: ['gpu', 'eu'] }))).toEqual([a.service_id, c.service_id]);
      expect(ids(await storage.services.list({ tags: ['gpu'], status: 'running' }))).toEqual([
        a.service_id,
        b.service_id,
      ]);
      expect((await storage.services.list({ status: ['running', 'error'] })).total).toBe(3);
      expect((await storage.services.list({ tags: ['gpu', 'missing'] })).total).toBe(0);
      const paged = await storage.services.list({ tags: ['gpu'], limit: 1, offset: 1 });
      expect(ids(paged)).toEqual([b.service_id]);
      expect(paged.total).toBe(3);
      expect((await storage.services.list({ limit: 0 })).services).toEqual([]);
      // The total, whether the first page came back short (no count query) or full (a count query).
      expect((await storage.services.list({ tags: ['gpu'] })).total).toBe(3);
      expect(await storage.services.list({ limit: 2 })).toMatchObject({ total: 4, services: [a, b] });
      expect((await storage.services.list({ limit: 4 })).total).toBe(4);
      expect((await storage.services.list({ offset: 10 })).total).toBe(4);
    });

    it('rejects bad list filters with INVALID_REQUEST', async () => {
      for (const options of [
        { limit: -1 },
        { limit: 10_001 },
        { offset: 1.5 },
        { status: 'asleep' },
        { tags: ['a b'] },
      ]) {
        expect((await rejection(storage.services.list(options as never))).code).toBe('INVALID_REQUEST');
      }
    });

    it('updates status atomically, with compare-and-set', async () => {
      const s = await storage.services.save(sampleService());
      const started = await storage.services.updateStatus(s.service_id, 'starting', {
        expected: ['stopped'],
        started_at: '2025-02-01T00:00:00Z',
      });
      expect(started).toMatchObject({ status: 'starting', started_at: '2025-02-01T00:00:00.000Z' });
      expect(
        await storage.services.updateStatus(s.service_id, 'starting', { expected: ['stopped'] }),
      ).toBeUndefined();
      const failed = await storage.services.updateStatus(s.service_id, 'error', { error_message: 'exit 1' });
      expect(failed).toMatchObject({
        status: 'error',
        error_message: 'exit 1',
        started_at: started?.started_at,
      });
      expect(await storage.services.get(s.service_id)).toEqual(failed);
      expect(
        await storage.services.updateStatus('00000000-0000-4000-8000-000000000000', 'running'),
      ).toBeUndefined();
      const bad = await rejection(storage.services.updateStatus(s.service_id, 'zombie' as never));
      expect(bad.code).toBe('INVALID_REQUEST');
    });

    it('sets and clears restart_due_at with the status, under compare-and-set', async () => {
      const s = await storage.services.save(sampleService());
      expect(s.restart_due_at).toBeNull();
      const waiting = await storage.services.updateStatus(s.service_id, 'error', {
        error_message: 'exit 1',
        restart_due_at: '2025-03-01T00:00:05Z',
        expected: ['stopped'],
      });
      expect(waiting).toMatchObject({ status: 'error', restart_due_at: '2025-03-01T00:00:05.000Z' });
      expect(await storage.services.get(s.service_id)).toEqual(waiting);
      // Left as is when not given; a failed compare-and-set changes nothing.
      expect(
        await storage.services.updateStatus(s.service_id, 'error', { error_message: 'again' }),
      ).toMatchObject({ restart_due_at: '2025-03-01T00:00:05.000Z' });
      expect(
        await storage.services.updateStatus(s.service_id, 'starting', {
          restart_due_at: null,
          expected: ['stopped'],
        }),
      ).toBeUndefined();
      expect((await storage.services.get(s.service_id))?.restart_due_at).toBe('2025-03-01T00:00:05.000Z');
      const started = await storage.services.updateStatus(s.service_id, 'starting', {
        restart_due_at: null,
        expected: ['error'],
      });
      expect(started).toMatchObject({ status: 'starting', restart_due_at: null });
      const bad = await rejection(
        storage.services.updateStatus(s.service_id, 'error', { restart_due_at: 'soon' }),
      );
      expect(bad.code).toBe('INVALID_REQUEST');
    });

    it('migrates a database of the first release, whose services get no restart due', async () => {
      const bare = await harness.bare();
      const migrator = new Migrator({
        db: bare.db,
        provider: createMigrationProvider(harness.dialect),
        ...(bare.migrationTableSchema !== undefined && { migrationTableSchema: bare.migrationTableSchema }),
      });
      try {
        const { error } = await migrator.migrateTo('0001_initial');
        expect(error).toBeUndefined();
        const old = sampleService({ status: 'error', error_message: 'exit 1\nrestart 1 of 3 in 5 s' });
        await (bare.db as Kysely<Database>)
          .insertInto('services')
          .values({
            service_id: old.service_id,
            name: old.name,
            description: '',
            host: old.host,
            port: old.port,
            endpoint: old.endpoint,
            tags: '[]',
            agent_type: 'myagent',
            version: '1.0.0',
            status: 'error',
            created_at: old.created_at,
            started_at: null,
            last_health_check: null,
            error_message: old.error_message ?? null,
            restart_count: 1,
            config: JSON.stringify(old.config),
            stats: '{}',
          } as never)
          .execute();
      } finally {
        await bare.db.destroy();
      }
      await using migrated = await bare.open();
      const [only] = (await migrated.services.list()).services;
      expect(only).toMatchObject({ status: 'error', restart_count: 1, restart_due_at: null });
      const due = await migrated.services.updateStatus(only?.service_id as string, 'error', {
        restart_due_at: '2025-03-01T00:00:05.000Z',
      });
      expect(due?.restart_due_at).toBe('2025-03-01T00:00:05.000Z');
    });

    it('lets exactly one of many concurrent compare-and-set updates win', async () => {
      const s = await storage.services.save(sampleService());
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          storage.services.updateStatus(s.service_id, 'starting', { expected: ['stopped'] }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('merges stats, counts restarts without losing concurrent increments, records health check times', async () => {
      const s = await storage.services.save(sampleService());
      await storage.services.updateStats(s.service_id, { active_connections: 3 });
      const merged = await storage.services.updateStats(s.service_id, { error_count: 2 });
      expect(merged?.stats).toMatchObject({ active_connections: 3, error_count: 2, total_sessions: 0 });
      const bad = await rejection(storage.services.updateStats(s.service_id, { error_count: -1 }));
      expect(bad.code).toBe('INVALID_REQUEST');
      expect((await storage.services.get(s.service_id))?.stats.error_count).toBe(2);

      await Promise.all(
        Array.from({ length: 20 }, () => storage.services.incrementRestartCount(s.service_id)),
      );
      expect((await storage.services.get(s.service_id))?.restart_count).toBe(20);
      expect((await storage.services.setRestartCount(s.service_id, 0))?.restart_count).toBe(0);
      const checked = await storage.services.setLastHealthCheck(s.service_id, '2025-03-01T00:00:00.000Z');
      expect(checked?.last_health_check).toBe('2025-03-01T00:00:00.000Z');
      expect(
        await storage.services.incrementRestartCount('00000000-0000-4000-8000-000000000000'),
      ).toBeUndefined();
    });

    it('deletes a service with its tags, health history and log lines', async () => {
      const s = await storage.services.save(sampleService({ tags: ['gone'] }));
      await storage.health.append(sampleHealth(s.service_id, 1));
      await storage.logs.append([sampleLog(s.service_id, 'hello')]);
      expect(await storage.services.delete(s.service_id)).toBe(true);
      expect(await storage.services.delete(s.service_id)).toBe(false);
      expect(await storage.services.get(s.service_id)).toBeUndefined();
      expect((await storage.services.list({ tags: ['gone'] })).total).toBe(0);
      expect(await storage.health.recent(s.service_id)).toEqual([]);
      expect(await storage.logs.list(s.service_id)).toEqual([]);
      // A new service may take the freed name.
      await storage.services.save(sampleService({ name: s.name }));
    });

    it('keeps rules ordered by priority, then age, with enabledOnly', async () => {
      const low = await storage.rules.save(sampleRule({ priority: 1 }));
      const highOld = await storage.rules.save(sampleRule({ priority: 10 }));
      const highNew = await storage.rules.save(sampleRule({ priority: 10, enabled: false }));
      expect((await storage.rules.list()).map((r) => r.rule_id)).toEqual([
        highOld.rule_id,
        highNew.rule_id,
        low.rule_id,
      ]);
      expect((await storage.rules.list({ enabledOnly: true })).map((r) => r.rule_id)).toEqual([
        highOld.rule_id,
        low.rule_id,
      ]);
      expect(await storage.rules.get(highNew.rule_id)).toEqual(highNew);
      expect(highNew.enabled).toBe(false);
      expect(await storage.rules.getByName(low.name)).toEqual(low);
    });

    it('updates, renames and deletes rules; refuses duplicate names and bad rules', async () => {
      const rule = await storage.rules.save(sampleRule({ name: 'vip' }));
      const updated = await storage.rules.save({ ...rule, priority: 99, target_services: ['x'] });
      expect(await storage.rules.get(rule.rule_id)).toEqual(updated);
      const dup = await rejection(storage.rules.save(sampleRule({ name: 'vip' })));
      expect(dup.code).toBe('INVALID_REQUEST');
      const badRegex = await rejection(
        storage.rules.save(
          sampleRule({ conditions: [{ field: 'user_agent', operator: 'regex_match', value: '(' }] }),
        ),
      );
      expect(badRegex.code).toBe('INVALID_REQUEST');
      expect(await storage.rules.list()).toHaveLength(1);
      expect(await storage.rules.delete(rule.rule_id)).toBe(true);
      expect(await storage.rules.delete(rule.rule_id)).toBe(false);
      expect(await storage.rules.list()).toEqual([]);
    });

    it('lets several handles create and migrate one new database at the same moment', async () => {
      const open = harness.fresh();
      const handles = await Promise.all([open(), open(), open(), open()]);
      try {
        await Promise.all(handles.map((h, i) => h.services.save(sampleService({ name: `concurrent-${i}` }))));
        for (const h of handles) expect((await h.services.list()).total).toBe(4);
        // Closing one handle leaves the others working; the closed one refuses.
        await handles[0]?.close();
        expect((await rejection(handles[0]?.services.list() as Promise<unknown>)).code).toBe('STORAGE_ERROR');
        await handles[1]?.services.save(sampleService({ name: 'after-close' }));
        expect((await handles[2]?.services.list())?.total).toBe(5);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    });

    it('persists across close and reopen; close is idempotent; a closed store reports STORAGE_ERROR', async () => {
      const s = await storage.services.save(sampleService());
      await storage.close();
      await storage.close();
      const error = await rejection(storage.services.get(s.service_id));
      expect(error.code).toBe('STORAGE_ERROR');
      storage = await reopen();
      expect(await storage.services.get(s.service_id)).toEqual(s);
      {
        await using second = await reopen();
        expect((await second.services.list()).total).toBe(1);
      }
    });
  });
}
