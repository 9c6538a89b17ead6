// Conformance suite, part 3 (migration 0003): the manager lease, the recorded child processes, names
// unique regardless of case, and closing the connections a dead manager left open, on every dialect.
import { AppError } from '@myagent/models';
import { type Kysely, Migrator } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test/dialects.js';
import { sampleConnection, sampleService } from '../test/samples.js';
import {
  createMigrationProvider,
  createPostgresStorage,
  type Database,
  type ManagerLease,
  type Storage,
} from './index.js';

function lease(overrides: Partial<ManagerLease> = {}): ManagerLease {
  const now = new Date().toISOString();
  return {
    owner_id: crypto.randomUUID(),
    host: 'host-a',
    pid: 4242,
    started_at: now,
    heartbeat_at: now,
    ...overrides,
  };
}

for (const harness of DIALECTS) {
  describe.skipIf(!harness.available)(`manager state on ${harness.dialect}`, () => {
    let storage: Storage;
    let reopen: () => Promise<Storage>;

    beforeEach(async () => {
      ({ storage, reopen } = await harness.open());
    });
    afterEach(() => storage.close());
    afterAll(() => harness.cleanup());

    it('gives the lease to one manager at a time, even to many asking at once', async () => {
      await using other = await reopen();
      const contenders = Array.from({ length: 8 }, (_, i) => lease({ pid: 100 + i }));
      const won = await Promise.all(
        contenders.map((candidate, i) => (i % 2 ? other : storage).lease.acquire(candidate)),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      const holder = contenders[won.indexOf(true)] as ManagerLease;
      expect(await other.lease.get()).toEqual({
        ...holder,
        started_at: new Date(holder.started_at).toISOString(),
        heartbeat_at: new Date(holder.heartbeat_at).toISOString(),
      });
    });

    it('renews only its own lease, is taken over only from the owner named, and released by its owner', async () => {
      const first = lease();
      expect(await storage.lease.acquire(first)).toBe(true);
      const later = '2030-01-01T00:00:00.000Z';
      expect(await storage.lease.renew(first.owner_id, later)).toBe(true);
      expect((await storage.lease.get())?.heartbeat_at).toBe(later);
      const second = lease({ host: 'host-b', pid: 7 });
      expect(await storage.lease.acquire(second)).toBe(false);
      expect(await storage.lease.acquire(second, 'someone-else')).toBe(false);
      expect(await storage.lease.acquire(second, first.owner_id)).toBe(true);
      expect(await storage.lease.get()).toMatchObject({ owner_id: second.owner_id, host: 'host-b', pid: 7 });
      // The first owner lost it: it can neither renew nor release it.
      expect(await storage.lease.renew(first.owner_id, later)).toBe(false);
      expect(await storage.lease.release(first.owner_id)).toBe(false);
      expect(await storage.lease.release(second.owner_id)).toBe(true);
      expect(await storage.lease.get()).toBeUndefined();
      await expect(storage.lease.acquire(lease({ pid: 0 }))).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
      await expect(storage.lease.acquire(lease({ started_at: 'now' }))).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
    });

    it('keeps one state secret per database, whoever asks first and however often', async () => {
      await using other = await reopen();
      const [a, b] = await Promise.all([
        storage.lease.stateSecret('a'.repeat(64)),
        other.lease.stateSecret('b'.repeat(64)),
      ]);
      expect(a).toBe(b);
      expect(['a'.repeat(64), 'b'.repeat(64)]).toContain(a);
      expect(await storage.lease.stateSecret('c'.repeat(64))).toBe(a);
      // The lease itself is another row: taking and releasing it leaves the secret.
      const holder = lease();
      expect(await storage.lease.acquire(holder)).toBe(true);
      expect(await storage.lease.release(holder.owner_id)).toBe(true);
      expect(await other.lease.stateSecret('d'.repeat(64))).toBe(a);
      await expect(storage.lease.stateSecret('short')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    });

    it('records, lists and clears the child process of a service', async () => {
      const a = await storage.services.save(sampleService());
      const b = await storage.services.save(sampleService());
      expect(await storage.services.listProcesses()).toEqual([]);
      expect(await storage.services.setProcess(a.service_id, { pid: 1234, host: 'host-a' })).toBe(true);
      expect(await storage.services.setProcess(b.service_id, { pid: 99, host: 'host-b' })).toBe(true);
      // Saving the service again (a status change, a config patch) leaves its process as recorded.
      await storage.services.updateStatus(a.service_id, 'running');
      await storage.services.save({ ...a, description: 'changed' });
      expect(
        (await storage.services.listProcesses()).sort((x, y) => x.pid - y.pid).map((p) => [p.pid, p.host]),
      ).toEqual([
        [99, 'host-b'],
        [1234, 'host-a'],
      ]);
      // Only the pid recorded is cleared: a newer child's record is left alone.
      expect(await storage.services.clearProcess(a.service_id, 1)).toBe(false);
      expect(await storage.services.clearProcess(a.service_id, 1234)).toBe(true);
      expect(await storage.services.listProcesses()).toEqual([
        { service_id: b.service_id, pid: 99, host: 'host-b' },
      ]);
      expect(await storage.services.setProcess(crypto.randomUUID(), { pid: 5, host: 'x' })).toBe(false);
      await expect(storage.services.setProcess(b.service_id, { pid: -1, host: 'x' })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
    });

    it('keeps names unique regardless of case, and finds a service by any case of its name', async () => {
      const saved = await storage.services.save(sampleService({ name: 'Weather-Agent' }));
      const error = await storage.services.save(sampleService({ name: 'weather-agent' })).catch((e) => e);
      expect(AppError.is(error) && error.code).toBe('SERVICE_ALREADY_EXISTS');
      expect((await storage.services.getByName('WEATHER-AGENT'))?.service_id).toBe(saved.service_id);
      expect((await storage.services.list()).total).toBe(1);
    });

    it('closes every connection a dead manager left open, and no other', async () => {
      const open = await storage.connections.open(sampleConnection(crypto.randomUUID()));
      const idle = await storage.connections.open(sampleConnection(crypto.randomUUID(), { status: 'idle' }));
      const closed = await storage.connections.open(sampleConnection(crypto.randomUUID()));
      await storage.connections.close(closed.connection_id, 'error', '2025-01-01T00:00:00Z');
      expect(await storage.connections.closeOpen('disconnected', '2025-02-01T00:00:00Z')).toBe(2);
      for (const id of [open.connection_id, idle.connection_id]) {
        expect(await storage.connections.get(id)).toMatchObject({
          status: 'disconnected',
          disconnected_at: '2025-02-01T00:00:00.000Z',
        });
      }
      expect(await storage.connections.get(closed.connection_id)).toMatchObject({ status: 'error' });
      expect(await storage.connections.closeOpen()).toBe(0);
      await expect(storage.connections.closeOpen('connected' as never)).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
    });

    it('migrates a database whose names differ only in case: the oldest keeps its name', async () => {
      const bare = await harness.bare();
      const migrator = new Migrator({
        db: bare.db,
        provider: createMigrationProvider(harness.dialect),
        ...(bare.migrationTableSchema !== undefined && { migrationTableSchema: bare.migrationTableSchema }),
      });
      const [older, newer] = [
        sampleService({ name: 'echo', created_at: '2025-01-01T00:00:00.000Z' }),
        sampleService({ name: 'ECHO', created_at: '2025-01-02T00:00:00.000Z' }),
      ];
      try {
        expect((await migrator.migrateTo('0002_services_restart_due_at')).error).toBeUndefined();
        for (const s of [newer, older]) {
          await (bare.db as Kysely<Database>)
            .insertInto('services')
            .values({
              service_id: s.service_id,
              name: s.name,
              host: s.host,
              port: s.port,
              endpoint: s.endpoint,
              tags: '[]',
              agent_type: 'myagent',
              version: '1.0.0',
              status: 'stopped',
              created_at: s.created_at,
              restart_count: 0,
              config: JSON.stringify(s.config),
              stats: '{}',
            } as never)
            .execute();
        }
      } finally {
        await bare.db.destroy();
      }
      await using migrated = await bare.open();
      expect((await migrated.services.get(older.service_id))?.name).toBe('echo');
      expect((await migrated.services.get(newer.service_id))?.name).toBe(
        `ECHO-${newer.service_id.slice(0, 8)}`,
      );
      expect(await migrated.lease.get()).toBeUndefined();
      expect(await migrated.services.listProcesses()).toEqual([]);
    });
  });
}

describe('opening PostgreSQL', () => {
  it.each(['not-a-url', 'mysql://u@h/db', 'postgres://', ''])(
    'refuses %j as a malformed URL, before connecting, without echoing it',
    async (url) => {
      const error = await createPostgresStorage({ url }).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
      expect((error as Error).message).toMatch(/^Malformed PostgreSQL URL: expected postgres:\/\//u);
    },
  );
});
