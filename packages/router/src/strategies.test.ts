import { describe, expect, it } from 'vitest';
import { seeded } from '../test/seeded.js';
import { createRouter } from './index.js';
import type { RouteCandidate } from './types.js';

const svc = (n: number, extra: Partial<RouteCandidate> = {}) =>
  Array.from({ length: n }, (_, i) => ({
    service_id: `s${String(i).padStart(3, '0')}`,
    status: 'running',
    ...extra,
  }));

describe('round_robin', () => {
  it('keeps one cursor per rule and one for the default, not a global counter', () => {
    const router = createRouter({ affinity: false });
    const services = svc(3, { tags: ['a'] });
    router.addRule({
      name: 'a',
      conditions: [{ field: 'lane', operator: 'equals', value: 'a' }],
      target_tags: ['a'],
    });
    const seen = (lane: string) => router.route({ lane }, services).service.service_id;
    expect([seen('a'), seen('x'), seen('a'), seen('x'), seen('a'), seen('x')]).toEqual([
      's000',
      's000',
      's001',
      's001',
      's002',
      's002',
    ]);
  });

  it('works the same over a plain list and a prepared pool', () => {
    const services = svc(4);
    const a = createRouter();
    const b = createRouter();
    const pool = b.prepare(services);
    for (let i = 0; i < 9; i++) expect(a.route({}, services).service).toBe(b.route({}, pool).service);
  });
});

describe('least_connections', () => {
  /** Reference: the least count, ties to the first at or after the previous pick + 1. */
  function reference(ids: string[], count: (id: string) => number, start: number): number {
    let best = start % ids.length;
    for (let k = 1; k < ids.length; k++) {
      const i = (start + k) % ids.length;
      if (count(ids[i] as string) < count(ids[best] as string)) best = i;
    }
    return best;
  }

  it.each([5, 200])('picks exactly the least loaded of %i services while connections come and go', (n) => {
    const services = svc(n);
    const ids = services.map((s) => s.service_id);
    const router = createRouter({ defaultStrategy: 'least_connections', affinity: false });
    const pool = router.prepare(services);
    const random = seeded(n);
    const open: string[] = [];
    let cursor = 0;
    for (let step = 0; step < 3000; step++) {
      if (open.length > 0 && random() < 0.45) {
        const victim = open.splice(Math.floor(random() * open.length), 1)[0] as string;
        router.connections.unregister(victim);
        continue;
      }
      const expected = reference(ids, (id) => router.connections.count(id), cursor);
      const picked = router.route({ client_ip: '1.1.1.1' }, pool).service.service_id;
      expect(picked).toBe(ids[expected]);
      cursor = expected + 1;
      // Some connections go elsewhere (other pools), so counts are uneven, as in real life.
      const target = random() < 0.2 ? (ids[Math.floor(random() * n)] as string) : picked;
      const id = `c${step}`;
      router.connections.register({ connection_id: id, client_ip: '1.1.1.1', target_service_id: target });
      open.push(id);
    }
  });

  it('catches up after more changes than its change log holds', () => {
    const services = svc(20);
    const router = createRouter({ defaultStrategy: 'least_connections' });
    const pool = router.prepare(services);
    router.route({}, pool);
    for (let i = 0; i < 5000; i++) {
      const target = services[i % 19]?.service_id as string;
      router.connections.register({
        connection_id: `c${i}`,
        client_ip: '1.1.1.1',
        target_service_id: target,
      });
    }
    expect(router.route({}, pool).service.service_id).toBe('s019');
  });
});

describe('weighted_random', () => {
  it('draws in proportion to weight / (active + 1)', () => {
    const services = [
      { service_id: 'heavy', weight: 3 },
      { service_id: 'light', weight: 1 },
      { service_id: 'busy', weight: 4 },
      ...svc(10, { weight: 0 }),
    ];
    const router = createRouter({ defaultStrategy: 'weighted_random', random: seeded(7) });
    for (let i = 0; i < 3; i++) {
      router.connections.register({
        connection_id: `b${i}`,
        client_ip: '1.1.1.1',
        target_service_id: 'busy',
      });
    }
    // Expected weights: heavy 3, light 1, busy 4 / 4 = 1, zero-weight services 0.
    for (const candidates of [services, router.prepare(services)]) {
      const counts = new Map<string, number>();
      for (let i = 0; i < 20_000; i++) {
        const id = router.route({}, candidates).service.service_id;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      expect((counts.get('heavy') ?? 0) / 20_000).toBeCloseTo(0.6, 1);
      expect((counts.get('light') ?? 0) / 20_000).toBeCloseTo(0.2, 1);
      expect((counts.get('busy') ?? 0) / 20_000).toBeCloseTo(0.2, 1);
      expect(counts.size).toBe(3);
    }
  });

  it('draws in proportion with the built-in generator (no random option) as well', () => {
    const services = svc(16, { weight: 0 }).map((s, i) => (i < 4 ? { ...s, weight: i + 1 } : s));
    const router = createRouter({ defaultStrategy: 'weighted_random' });
    const pool = router.prepare(services);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const id = router.route({}, pool).service.service_id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    // Weights 1, 2, 3, 4 over a total of 10; the other twelve weigh nothing.
    for (let i = 0; i < 4; i++) {
      expect((counts.get(services[i]?.service_id as string) ?? 0) / 20_000).toBeCloseTo((i + 1) / 10, 1);
    }
    expect(counts.size).toBe(4);
    expect(() => createRouter({ random: 0.5 as never })).toThrow(/random must be a function/);
  });

  it('uses the rule weight for candidates without their own, and draws uniformly when every weight is 0', () => {
    const router = createRouter({ defaultStrategy: 'weighted_random', random: seeded(3) });
    const zero = svc(2, { weight: 0 });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(router.route({}, zero).service.service_id);
    expect(seen.size).toBe(2);
  });
});

describe('hash_based (Maglev)', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);

  function assign(router: ReturnType<typeof createRouter>, services: RouteCandidate[]): Map<string, string> {
    const pool = router.prepare(services);
    return new Map(keys.map((ip) => [ip, router.route({ client_ip: ip }, pool).service.service_id]));
  }

  it.each([
    [10, 0, 1.2 / 10],
    [300, 0.02, 0.025],
  ])('when one of %i services leaves, its keys move and at most %f of the others', (n, extra, total) => {
    const router = createRouter({ defaultStrategy: 'hash_based', affinity: false });
    const services = svc(n);
    const before = assign(router, services);
    const perService = new Map<string, number>();
    for (const id of before.values()) perService.set(id, (perService.get(id) ?? 0) + 1);
    // Keys spread evenly: no service holds more than twice its fair share.
    for (const count of perService.values()) expect(count).toBeLessThan((2 * keys.length) / n);
    const leaving = services[4]?.service_id as string;
    const after = assign(
      router,
      services.filter((s) => s.service_id !== leaving),
    );
    let moved = 0;
    for (const [key, id] of before) {
      const now = after.get(key);
      if (id === leaving) expect(now).not.toBe(leaving);
      else if (now !== id) moved++;
    }
    // Rendezvous (small pools) moves nothing else; Maglev (large pools) a small extra fraction, where
    // modulo hashing would move nearly every key.
    expect(moved / keys.length).toBeLessThanOrEqual(extra);
    const departed = perService.get(leaving) ?? 0;
    expect(departed).toBeGreaterThan(0);
    expect((departed + moved) / keys.length).toBeLessThan(total);
  });

  it('gives the same answer over a plain list, a shuffled list and a prepared pool', () => {
    const router = createRouter({ defaultStrategy: 'hash_based' });
    const services = svc(30);
    const shuffled = [...services].reverse();
    const pool = router.prepare(services);
    for (const ip of keys.slice(0, 300)) {
      const a = router.route({ client_ip: ip }, services).service.service_id;
      expect(router.route({ client_ip: ip }, shuffled).service.service_id).toBe(a);
      expect(router.route({ client_ip: ip }, pool).service.service_id).toBe(a);
    }
  });

  it('hashes another key when told to, falling back to the client IP', () => {
    const router = createRouter({ defaultStrategy: 'hash_based', hashKey: 'header.x-user-id' });
    const services = svc(50);
    const a = router.route({ client_ip: '1.1.1.1', headers: { 'x-user-id': 'u1' } }, services).service;
    const b = router.route({ client_ip: '2.2.2.2', headers: { 'X-User-Id': 'u1' } }, services).service;
    expect(b).toBe(a);
    const ipOnly = router.route({ client_ip: '3.3.3.3' }, services).service;
    expect(router.route({ client_ip: '3.3.3.3', headers: {} }, services).service).toBe(ipOnly);
  });

  it.each([3, 50])('spreads clients that have no key at all over %i services, as round-robin', (n) => {
    const router = createRouter({ defaultStrategy: 'hash_based', affinity: false });
    const services = svc(n);
    for (const candidates of [services, router.prepare(services)]) {
      const picked = Array.from({ length: n }, () => router.route({}, candidates).service.service_id);
      expect(new Set(picked).size).toBe(n);
    }
    // With a key it is hashing again: one client, one service.
    const keyed = new Set(Array.from({ length: 5 }, () => router.route({ client_ip: '9.9.9.9' }, services)));
    expect(new Set([...keyed].map((d) => d.service.service_id)).size).toBe(1);
  });
});

describe('tag_based', () => {
  it('narrows by the rule tags, then picks with the fallback strategy', () => {
    const router = createRouter();
    const services = [...svc(3, { tags: ['gpu'] }), { service_id: 'cpu', status: 'running', tags: ['cpu'] }];
    router.addRule({
      name: 'gpu',
      target_tags: ['gpu'],
      target_strategy: 'tag_based',
      fallback_strategy: 'least_connections',
    });
    router.connections.register({ connection_id: 'x', client_ip: '1.1.1.1', target_service_id: 's000' });
    const decision = router.route({}, services);
    expect(decision.strategy).toBe('tag_based');
    expect(decision.service.service_id).toBe('s001');
  });

  it('as the default strategy, narrows by the context tags', () => {
    const router = createRouter({ defaultStrategy: 'tag_based' });
    const services = [...svc(2), { service_id: 'eu', tags: ['eu', 'gpu'] }];
    expect(router.route({ tags: 'eu,gpu' }, services).service.service_id).toBe('eu');
    expect(router.route({ tag: 'eu' }, router.prepare(services)).service.service_id).toBe('eu');
    expect(() => router.route({ tag: 'mars' }, services)).toThrow(/tags/);
    expect(router.explain({ tag: 'mars' }, services).error?.code).toBe('ROUTING_FAILED');
  });
});
