// One manager per database (until spec I1): a second one refuses to start and names the first, a holder
// that is gone is taken over from, and a manager whose lease was taken stops without writing any more.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createPostgresStorage, createSqliteStorage, type Storage } from '@myagent/storage-kysely';
import { alive, createDialects, ECHO_AGENT, freePort, tempDir, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentManager } from '../src/index.js';
import { servicePid } from './helpers.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sqlite(): string {
  const temp = tempDir();
  cleanups.push(temp.cleanup);
  return join(temp.dir, 'manager.db');
}

function manager(options: ConstructorParameters<typeof AgentManager>[0] & object): AgentManager {
  const created = new AgentManager({ serverArgs: ['--in-process'], stopGraceMs: 2000, ...options });
  cleanups.push(() => created.stop());
  return created;
}

// The storage suite's PostgreSQL harness, opening stores with storage-kysely's public factories: a fresh
// schema per open, dropped at cleanup.
const [, postgres] = createDialects<Storage>({
  sqlite: (path) => createSqliteStorage({ path }),
  postgres: ({ url, schema }) => createPostgresStorage({ url, schema, maxConnections: 4 }),
});

describe('the manager lease on SQLite', () => {
  it('refuses a second manager on the same file, naming the first, and lets it in once the first stops', async () => {
    const dbPath = sqlite();
    const first = manager({ dbPath });
    await first.start();
    const second = manager({ dbPath });
    const error = await second.start().catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'MANAGER_LOCKED', details: { pid: process.pid, host: hostname() } });
    expect((error as Error).message).toMatch(
      new RegExp(`^Another manager runs on SQLite ${dbPath}: pid ${process.pid} on host ${hostname()}`, 'u'),
    );
    expect(second.running).toBe(false);
    expect(first.running).toBe(true);
    await first.stop();
    await second.start();
    expect(second.running).toBe(true);
  });

  it('takes over a lease whose pid is gone on this host, or whose heartbeat is older than the TTL', async () => {
    const dbPath = sqlite();
    const storage = await createSqliteStorage({ path: dbPath });
    cleanups.push(() => storage.close());
    const old = new Date(Date.now() - 60_000).toISOString();
    const now = new Date().toISOString();
    const cases = [
      { host: hostname(), pid: 2 ** 22 + 11, heartbeat_at: now, takenOver: true },
      { host: 'elsewhere', pid: process.pid, heartbeat_at: old, takenOver: true },
      { host: 'elsewhere', pid: process.pid, heartbeat_at: now, takenOver: false },
    ];
    for (const { takenOver, ...holder } of cases) {
      const owner_id = randomUUID();
      expect(await storage.lease.acquire({ owner_id, started_at: old, ...holder })).toBe(true);
      const next = new AgentManager({ storage, leaseTtlMs: 30_000 });
      const started = await next.start().then(
        () => true,
        (error: { code?: string }) => error.code,
      );
      expect([holder.host, started]).toEqual([holder.host, takenOver ? true : 'MANAGER_LOCKED']);
      if (takenOver) {
        expect((await storage.lease.get())?.pid).toBe(process.pid);
        await next.stop();
        expect(await storage.lease.get()).toBeUndefined();
      } else {
        await storage.lease.release(owner_id);
      }
    }
  });

  it('stops, writing nothing more, when another manager took its lease over', async () => {
    const dbPath = sqlite();
    const holder = manager({ dbPath, leaseTtlMs: 600 });
    const errors: Array<{ code?: string; message: string; at: string }> = [];
    holder.on('error', (error) =>
      errors.push(Object.assign(error, { at: new Date().toISOString() }) as never),
    );
    await holder.start();
    const service = await holder.registerService({
      name: 'kept',
      agent_factory_path: ECHO_AGENT,
      port: await freePort(),
      auto_start: true,
    });
    const pid = await servicePid(service);
    // A manager that found this one silent past its TTL took the lease (as after a long freeze).
    const storage = await createSqliteStorage({ path: dbPath });
    cleanups.push(() => storage.close());
    const current = await storage.lease.get();
    const usurper = {
      owner_id: randomUUID(),
      host: 'elsewhere',
      pid: 77,
      started_at: new Date().toISOString(),
    };
    await storage.lease.acquire({ ...usurper, heartbeat_at: new Date().toISOString() }, current?.owner_id);
    await until(() => !holder.running, 'the manager to stop itself', 10_000);
    expect(errors).toContainEqual(
      expect.objectContaining({
        code: 'MANAGER_LOCKED',
        message: expect.stringMatching(/lost its lease.*pid 77/u),
      }),
    );
    await until(() => !alive(pid), 'its child to be stopped', 10_000);
    // Nothing written after the loss: the service is as the holder left it, and the lease the usurper's.
    // (Without the fence the stop would have written its last stats and cleared the child's record.)
    const lostAt = errors.find((error) => error.code === 'MANAGER_LOCKED')?.at as string;
    const after = await storage.services.get(service.service_id);
    expect(after?.status).toBe('running');
    expect((after?.stats.last_updated ?? '') < lostAt).toBe(true);
    expect(await storage.services.listProcesses()).toEqual([
      { service_id: service.service_id, pid, host: hostname() },
    ]);
    expect((await storage.lease.get())?.owner_id).toBe(usurper.owner_id);
  });
});

describe.skipIf(!postgres.available)('the manager lease on PostgreSQL', () => {
  it('refuses a second manager on the same schema, and allows one on another schema', async () => {
    cleanups.push(() => postgres.cleanup());
    const { storage, reopen } = await postgres.open();
    const other = await postgres.open();
    const stores: Storage[] = [storage, await reopen(), other.storage];
    cleanups.push(async () => {
      for (const store of stores) await store.close();
    });
    const [a, b, c] = stores.map((store) => manager({ storage: store })) as [
      AgentManager,
      AgentManager,
      AgentManager,
    ];
    await a.start();
    await expect(b.start()).rejects.toMatchObject({ code: 'MANAGER_LOCKED', details: { pid: process.pid } });
    await c.start();
    await a.stop();
    await b.start();
    expect([a.running, b.running, c.running]).toEqual([false, true, true]);
  });
});
