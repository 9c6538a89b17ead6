import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { isoNow, type Service, type ServiceStatus } from '@myagent/models';
import { openStorage, type Storage } from '@myagent/storage-kysely';
import { type TempDir, tempDir } from '@myagent/test-support';
import { afterEach, expect, it } from 'vitest';
import { ServiceCache } from './service-cache.js';

let storage: Storage | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await storage?.close();
  dir?.cleanup();
});

const STATUSES: ServiceStatus[] = ['stopped', 'running', 'error'];

function service(i: number): Service {
  return {
    service_id: randomUUID(),
    name: `svc-${(i * 7) % 23}-${i}`,
    description: '',
    host: '127.0.0.1',
    port: 20_000 + i,
    endpoint: `ws://127.0.0.1:${20_000 + i}`,
    tags: [['a'], ['a', 'b'], ['b'], []][i % 4] as string[],
    agent_type: 'myagent',
    version: '1.0.0',
    status: 'stopped',
    // Several share a creation time, so the name decides their order.
    created_at: new Date(Date.parse('2025-01-01T00:00:00Z') + Math.floor(i / 3) * 1000).toISOString(),
    started_at: null,
    last_health_check: null,
    error_message: null,
    restart_count: 0,
    restart_due_at: null,
    config: { agent_factory_path: '/a.ts' } as Service['config'],
    stats: {} as Service['stats'],
  };
}

it('answers every list as storage does, through writes, with frozen shared reads and mutable copies', async () => {
  dir = tempDir('service-cache-');
  storage = await openStorage({ path: join(dir.dir, 'cache.db') });
  const preloaded = await storage.services.save(service(100));
  const cache = new ServiceCache(storage.services);
  await cache.load();
  expect(cache.peek(preloaded.service_id)?.name).toBe(preloaded.name);
  const saved: Service[] = [];
  for (let i = 0; i < 30; i++) saved.push(await cache.save(service(i)));
  for (const [i, s] of saved.entries()) {
    if (i % 3 === 1)
      await cache.updateStatus(s.service_id, STATUSES[i % 3] as ServiceStatus, { error_message: 'x' });
    if (i % 5 === 0) await cache.updateStats(s.service_id, { memory_usage_mb: i });
    if (i % 7 === 0) await cache.setLastHealthCheck(s.service_id, isoNow());
  }
  await cache.delete((saved[4] as Service).service_id);
  const filters = [
    {},
    { status: 'running' as const },
    { status: ['running', 'stopped'] as ServiceStatus[] },
    { tags: ['a'] },
    { tags: ['a', 'b'] },
    { tags: ['a'], status: 'stopped' as const, limit: 3, offset: 2 },
    { limit: 5, offset: 28 },
    { limit: 0 },
  ];
  for (const filter of filters) {
    const fromStorage = await storage.services.list(filter);
    const fromCache = cache.page(filter);
    expect(fromCache, JSON.stringify(filter)).toEqual(fromStorage);
    // The same question gets the same frozen answer until the next write.
    expect(cache.page(filter)).toBe(fromCache);
  }
  const shared = cache.peek((saved[0] as Service).service_id) as Service;
  expect(Object.isFrozen(shared) && Object.isFrozen(shared.config) && Object.isFrozen(shared.tags)).toBe(
    true,
  );
  const copy = (await cache.get(shared.service_id)) as Service;
  copy.status = 'error';
  expect(cache.peek(shared.service_id)?.status).toBe(shared.status);
  expect(() => cache.page({ limit: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  const before = cache.page({});
  await cache.updateStatus(shared.service_id, 'running');
  expect(cache.page({})).not.toBe(before);
});
