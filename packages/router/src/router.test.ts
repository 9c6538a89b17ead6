import { AppError } from '@myagent/models';
import { describe, expect, it } from 'vitest';
import { createRouter } from './index.js';
import type { RouteCandidate } from './types.js';

const services = [
  { service_id: 'a', name: 'alpha', status: 'running', tags: ['mobile', 'gpu'] },
  { service_id: 'b', name: 'beta', status: 'running', tags: ['mobile'] },
  { service_id: 'c', name: 'gamma', status: 'running', tags: ['gpu'] },
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
  return undefined;
}

describe('decisions', () => {
  it('are frozen and shared by identical picks, so no caller sees one change', () => {
    const router = createRouter({ affinity: false });
    const pool = router.prepare(services);
    const first = [0, 1, 2].map(() => router.route({}, pool));
    const again = [0, 1, 2].map(() => router.route({}, pool));
    expect(first.map((d) => d.service.service_id)).toEqual(['a', 'b', 'c']);
    expect(again[0]).toBe(first[0]);
    expect(Object.isFrozen(first[0])).toBe(true);
    expect(() => {
      (first[0] as { service: unknown }).service = services[1];
    }).toThrow(TypeError);
    expect(router.route({}, pool)).toEqual({
      service: services[0],
      rule: null,
      strategy: 'round_robin',
      reason: 'default',
    });

    const rule = router.addRule({ name: 'gpu', conditions: [], target_tags: ['gpu'] });
    const byRule = router.route({}, pool);
    expect(byRule).toEqual({ service: services[0], rule, strategy: 'round_robin', reason: 'rule' });
    expect(Object.isFrozen(byRule)).toBe(true);
    const updated = router.updateRule(rule.rule_id, { target_tags: ['mobile'] });
    const afterUpdate = router.route({}, pool);
    expect(afterUpdate.rule).toBe(updated);
    expect(afterUpdate.service.service_id).toBe('a');
  });
});

describe('rules (C2)', () => {
  it('tries higher priority first; on a tie, the rule created first', () => {
    const router = createRouter();
    router.addRule({ rule_id: 'low', name: 'low', priority: 1, target_services: ['a'] });
    router.addRule({
      rule_id: 'late',
      name: 'late',
      priority: 5,
      target_services: ['b'],
      created_at: '2026-01-02T00:00:00Z',
    });
    router.addRule({
      rule_id: 'early',
      name: 'early',
      priority: 5,
      target_services: ['c'],
      created_at: '2026-01-01T00:00:00Z',
    });
    expect(router.route({}, services).rule?.rule_id).toBe('early');
    expect(router.rules().map((r) => r.rule_id)).toEqual(['early', 'late', 'low']);
  });

  it('falls through a rule whose targets are all unavailable, then to the default', () => {
    const router = createRouter();
    router.addRule({ rule_id: 'dead', name: 'dead', priority: 9, target_services: ['zzz'] });
    router.addRule({ rule_id: 'gpu', name: 'gpu', priority: 5, target_tags: ['gpu'] });
    const stopped = services.map((s) => (s.tags.includes('gpu') ? { ...s, status: 'stopped' } : s));
    expect(router.route({}, services).rule?.rule_id).toBe('gpu');
    const fallback = router.route({}, stopped);
    expect(fallback).toMatchObject({ rule: null, reason: 'default', strategy: 'round_robin' });
    expect(fallback.service.service_id).toBe('b');
    const explained = router.explain({}, stopped);
    expect(explained.rules.map((r) => r.outcome)).toEqual(['no_routable_target', 'no_routable_target']);
  });

  it('requires ALL target tags, and takes target_services by id or by name (which win over tags)', () => {
    const router = createRouter();
    router.addRule({ name: 'both', target_tags: ['mobile', 'gpu'] });
    for (let i = 0; i < 4; i++) expect(router.route({}, services).service.service_id).toBe('a');
    router.setRules([{ name: 'named', target_services: ['gamma', 'b'], target_tags: ['nothing-has-this'] }]);
    const seen = new Set([0, 1, 2, 3].map(() => router.route({}, services).service.service_id));
    expect(seen).toEqual(new Set(['b', 'c']));
  });

  it('skips disabled rules and rules whose conditions fail; a rule with no conditions matches all', () => {
    const router = createRouter();
    router.addRule({ rule_id: 'off', name: 'off', priority: 9, enabled: false, target_services: ['a'] });
    router.addRule({
      rule_id: 'vip',
      name: 'vip',
      priority: 5,
      conditions: [
        { field: 'header.x-user-tier', operator: 'equals', value: 'vip' },
        { field: 'user_agent', operator: 'contains', value: 'Mobile' },
      ],
      target_services: ['b'],
    });
    router.addRule({ rule_id: 'any', name: 'any', priority: 0, target_services: ['c'] });
    expect(router.route({ headers: { 'x-user-tier': 'vip' } }, services).rule?.rule_id).toBe('any');
    expect(
      router.route({ headers: { 'x-user-tier': 'vip' }, user_agent: 'Mobile' }, services).rule?.rule_id,
    ).toBe('vip');
    const explained = router.explain({ headers: { 'x-user-tier': 'vip' } }, services);
    expect(explained.rules.map((r) => [r.rule_id, r.outcome])).toEqual([
      ['vip', 'conditions_failed'],
      ['any', 'selected'],
      ['off', 'disabled'],
    ]);
    expect(explained.rules[0]?.conditions.map((c) => c.result)).toEqual([true, false]);
  });

  it('updates, removes and replaces rules; bad rules change nothing', () => {
    const router = createRouter();
    const rule = router.addRule({ rule_id: 'r', name: 'r', target_services: ['a'] });
    expect(router.route({}, services).service.service_id).toBe('a');
    expect(router.updateRule('r', { target_services: ['c'] }).created_at).toBe(rule.created_at);
    expect(router.route({}, services).service.service_id).toBe('c');
    expect(codeOf(() => router.updateRule('nope', {}))).toBe('RULE_NOT_FOUND');
    expect(codeOf(() => router.updateRule('r', { target_strategy: 'fastest' as never }))).toBe(
      'INVALID_REQUEST',
    );
    expect(codeOf(() => router.addRule({ rule_id: 'r', name: 'again' }))).toBe('INVALID_REQUEST');
    expect(
      codeOf(() =>
        router.setRules([
          { name: 'ok' },
          { name: 'bad', conditions: [{ field: 'x', operator: 'regex_match', value: '(' }] },
        ]),
      ),
    ).toBe('INVALID_REQUEST');
    expect(
      codeOf(() =>
        router.setRules([
          { rule_id: 'x', name: 'x' },
          { rule_id: 'x', name: 'y' },
        ]),
      ),
    ).toBe('INVALID_REQUEST');
    expect(router.rules().map((r) => r.rule_id)).toEqual(['r']);
    expect(router.getRule('r')?.target_services).toEqual(['c']);
    expect(router.removeRule('r')).toBe(true);
    expect(router.removeRule('r')).toBe(false);
    expect(router.route({}, services).reason).toBe('default');
  });

  it('agrees with its explain() and with a plain first-match reference on many random rule sets', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const fields = ['header.x-tier', 'region', 'user_agent'];
    const values = ['vip', 'gold', 'asia', 'eu', 'Mobile'];
    const ops = ['equals', 'in_list', 'contains', 'not_equals', 'regex_match'] as const;
    for (let round = 0; round < 40; round++) {
      const router = createRouter({ affinity: false });
      const rules = Array.from({ length: 12 }, (_, i) => ({
        rule_id: `r${i}`,
        name: `r${i}`,
        priority: rand(4),
        enabled: rand(5) > 0,
        conditions: Array.from({ length: rand(3) }, () => ({
          field: fields[rand(3)] as string,
          operator: ops[rand(5)] as (typeof ops)[number],
          value: rand(2) ? (values[rand(5)] as string) : `${values[rand(5)]},${values[rand(5)]}`,
        })),
        target_services: rand(3) === 0 ? ['zzz'] : [],
      }));
      router.setRules(rules);
      for (let k = 0; k < 30; k++) {
        const context = {
          headers: { 'X-Tier': values[rand(5)] as string },
          query_params: { region: values[rand(5)] as string },
          user_agent: `Agent ${values[rand(5)]}`,
        };
        const explained = router.explain(context, services);
        const decision = router.route(context, services);
        expect(decision.rule?.rule_id ?? null).toBe(explained.decision?.rule?.rule_id ?? null);
        const expected = explained.rules.find(
          (r) => r.enabled && r.conditions.every((c) => c.result) && r.target_count > 0,
        );
        expect(decision.rule?.rule_id ?? null).toBe(expected?.rule_id ?? null);
      }
    }
  });
});

describe('candidates (C4, C7)', () => {
  it('routes only to running, not unhealthy candidates, and hands back the caller object', () => {
    const router = createRouter();
    const mine = [
      { service_id: 'x', status: 'stopped' },
      { service_id: 'y', status: 'running', healthy: false },
      { service_id: 'z', status: 'running', endpoint: 'ws://127.0.0.1:9' },
      { service_id: 'w', status: 'unhealthy' },
    ];
    for (let i = 0; i < 5; i++) expect(router.route({}, mine).service).toBe(mine[2]);
    const explained = router.explain({}, mine);
    expect(explained.candidates.excluded.map((e) => e.service_id)).toEqual(['x', 'y', 'w']);
  });

  it('keeps the first of duplicate ids and ignores junk entries', () => {
    const router = createRouter();
    const first = { service_id: 'd' };
    const list = [first, { service_id: 'd' }, null, 42, { service_id: '' }] as unknown as RouteCandidate[];
    for (let i = 0; i < 3; i++) expect(router.route({}, list).service).toBe(first);
    expect(router.explain({}, list).candidates).toMatchObject({ given: 5, routable: 1 });
  });

  it('answers nothing routable, bad calls and bad options with coded errors; explain never throws', () => {
    const router = createRouter();
    expect(codeOf(() => router.route({}, []))).toBe('ROUTING_FAILED');
    expect(codeOf(() => router.route({}, [{ service_id: 'a', status: 'stopped' }]))).toBe('ROUTING_FAILED');
    expect(codeOf(() => router.route({}, null as never))).toBe('INVALID_REQUEST');
    // A copy of a prepared pool's fields is not a pool (route() tells them apart by a private brand).
    expect(codeOf(() => router.route({}, { ...router.prepare(services) } as never))).toBe('INVALID_REQUEST');
    expect(codeOf(() => router.route(null as never, services))).toBe('INVALID_REQUEST');
    expect(codeOf(() => router.prepare('x' as never))).toBe('INVALID_REQUEST');
    expect(codeOf(() => createRouter({ defaultStrategy: 'fastest' as never }))).toBe('INVALID_REQUEST');
    expect(codeOf(() => router.addRule(null as never))).toBe('INVALID_REQUEST');
    expect(
      codeOf(() =>
        router.addRule({ name: 'x', conditions: [{ field: 'a', operator: 'like', value: 'b' }] as never }),
      ),
    ).toBe('INVALID_REQUEST');
    const hostile = {
      get client_ip(): string {
        throw new Error('boom');
      },
    };
    router.addRule({ name: 'ip', conditions: [{ field: 'client_ip', operator: 'equals', value: 'x' }] });
    expect(codeOf(() => router.route(hostile, services))).toBe('INTERNAL_ERROR');
    expect(router.explain(null as never, services)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
    expect(router.explain({}, [])).toMatchObject({ ok: false, error: { code: 'ROUTING_FAILED' } });
    expect(router.explain(hostile, services)).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } });
  });

  it('sees in-place changes to a plain list it has seen before', () => {
    const router = createRouter({ defaultStrategy: 'least_connections' });
    const list = services.map((s) => ({ ...s }));
    expect(router.route({}, list).service.service_id).toBe('a');
    (list[1] as { status: string }).status = 'stopped';
    list[0] = { ...(list[0] as (typeof list)[number]), status: 'error' };
    for (let i = 0; i < 3; i++) expect(router.route({}, list).service.service_id).toBe('c');
    list.push({ service_id: 'd', name: 'delta', status: 'running', tags: [] });
    router.connections.register({ connection_id: 'x', client_ip: '1.1.1.1', target_service_id: 'c' });
    expect(router.route({}, list).service.service_id).toBe('d');
  });

  it('reads a prepared pool as a snapshot, and a pool of another router as a plain list', () => {
    const router = createRouter();
    const other = createRouter();
    const list = services.map((s) => ({ ...s }));
    const pool = router.prepare(list);
    expect(pool.size).toBe(3);
    expect(other.route({}, pool).service.service_id).toBe('a');
  });
});

describe('explain', () => {
  it('moves no cursor and binds no session', () => {
    const router = createRouter();
    for (let i = 0; i < 3; i++) expect(router.explain({ session_id: 's1' }, services).pick).toBe('a');
    expect(router.affinity?.size).toBe(0);
    expect(router.route({}, services).service.service_id).toBe('a');
    expect(router.explain({}, services).pick).toBe('b');
  });
});

describe('session affinity (C6)', () => {
  it('sends a session back to its service while it is routable, then rebinds', () => {
    const router = createRouter({ defaultStrategy: 'round_robin' });
    const first = router.route({ session_id: 'S' }, services);
    expect(first.reason).toBe('default');
    for (let i = 0; i < 3; i++) {
      const again = router.route({ session_id: 'S' }, services);
      expect(again).toMatchObject({ reason: 'affinity', strategy: 'round_robin' });
      expect(again.service).toBe(first.service);
    }
    const without = services.filter((s) => s !== first.service);
    const moved = router.route({ session_id: 'S' }, without);
    expect(moved.reason).toBe('default');
    expect(router.route({ session_id: 'S' }, services).service).toBe(moved.service);
    expect(router.explain({ session_id: 'S' }, services).affinity).toMatchObject({ used: true });
  });

  it('expires bindings after the TTL and keeps at most maxEntries', () => {
    let now = 1_000_000;
    const router = createRouter({ affinity: { ttlMs: 1000, maxEntries: 2 }, now: () => now });
    const bound = router.route({ session_id: 'S' }, services).service;
    now += 999;
    expect(router.route({ session_id: 'S' }, services).service).toBe(bound);
    now += 1001;
    expect(router.route({ session_id: 'S' }, services).reason).toBe('default');
    router.route({ session_id: 'T' }, services);
    router.route({ session_id: 'U' }, services);
    expect(router.affinity?.size).toBe(2);
    expect(router.affinity?.get('S')).toBeUndefined();
    expect(router.affinity?.releaseService(router.affinity?.get('U')?.service_id ?? '')).toBe(1);
  });

  it('can be turned off', () => {
    const router = createRouter({ affinity: false });
    const a = router.route({ session_id: 'S' }, services).service;
    expect(router.route({ session_id: 'S' }, services).service).not.toBe(a);
    expect(router.affinity).toBeNull();
  });
});
