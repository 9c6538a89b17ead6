// Thousands of random and mutated requests to every route of the API over a real manager: random and
// broken bodies, query strings, ids and content types. Never a 500, always the catalogue's error shape
// with the status its code carries, and afterwards every stored row still reads back whole.
import { ERROR_CODES, type Service } from '@myagent/models';
import { ECHO_AGENT, freePort } from '@myagent/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgentManager } from '../src/index.js';
import { appOf, startManager } from './api-helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_202);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 3000);

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with FUZZ_SEED. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let manager: AgentManager;
let app: ReturnType<typeof appOf>['app'];
let closeApp: () => void;
let cleanup: () => void;
let service: Service;

beforeAll(async () => {
  const started = await startManager({ alerts: { attempts: 1, timeoutMs: 200 } });
  manager = started.manager;
  cleanup = started.dir.cleanup;
  ({ app, close: closeApp } = appOf(manager, { maxBodyBytes: 64 * 1024 }));
  // Stopped on purpose: a fuzzed start would spend the run spawning processes.
  service = await manager.registerService({
    name: 'fuzz-target',
    agent_factory_path: ECHO_AGENT,
    port: await freePort(),
    tags: ['t1'],
  });
  await manager.addRoutingRule({
    name: 'fuzz-rule',
    conditions: [{ field: 'client_ip', operator: 'starts_with', value: '10.' }],
  });
});

afterAll(async () => {
  closeApp?.();
  await manager?.stop();
  cleanup?.();
});

it(`answers ${REQUESTS} fuzzed requests without a 500 and leaves every row whole (seed ${SEED})`, async () => {
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const int = (max: number) => Math.floor(random() * max);

  const weird = [
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'null',
    'true',
    'NaN',
    '%00',
    '%E2%80%AE',
    '..%2F..%2Fetc%2Fpasswd',
    '😀',
    "'; drop table services; --",
    'a'.repeat(300),
    '%F0%28%8C%28',
    '00000000-0000-4000-8000-000000000000',
    'VIP%20%E7%94%A8%E6%88%B7',
  ];
  const randomString = () => {
    const alphabet = [
      'a',
      'Z',
      '9',
      '-',
      '_',
      '.',
      ' ',
      ',',
      '%',
      '\u0000',
      '\u0007',
      '\n',
      '"',
      '\\',
      'é',
      '中',
      '😀',
      '\u202e',
    ];
    return Array.from({ length: int(chance(0.05) ? 5000 : 20) }, () => pick(alphabet)).join('');
  };
  const randomValue = (depth = 0): unknown => {
    switch (int(depth > 3 ? 5 : 8)) {
      case 0:
        return null;
      case 1:
        return chance(0.5);
      case 2:
        return pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 65_536, 3600, 0.0001]);
      case 3:
        return randomString();
      case 4:
        return pick(weird);
      case 5:
        return Array.from({ length: int(5) }, () => randomValue(depth + 1));
      default:
        return Object.fromEntries(Array.from({ length: int(5) }, () => [pick(KEYS), randomValue(depth + 1)]));
    }
  };
  const KEYS = [
    'name',
    'agent_factory_path',
    'host',
    'port',
    'tags',
    'config',
    'auto_start',
    'max_sessions',
    'environment',
    'priority',
    'conditions',
    'field',
    'operator',
    'value',
    'url',
    'events',
    'secret',
    'reason',
    'notify_client',
    'message',
    'headers',
    '__proto__',
    'constructor',
  ];
  const valid: Partial<Record<string, () => Record<string, unknown>>> = {
    'POST /api/v1/services': () => ({
      name: `s${int(1e6)}`,
      agent_factory_path: '/nonexistent/agent.ts',
      tags: ['x'],
    }),
    'PUT /api/v1/services/:id': () => ({ description: 'd', tags: ['a', 'b'] }),
    'PUT /api/v1/services/:id/config': () => ({ max_sessions: 10, auto_restart: false }),
    'POST /api/v1/routing/rules': () => ({
      name: `r${int(1e6)}`,
      conditions: [
        { field: 'header.x-tier', operator: pick(['equals', 'regex_match', 'in_list']), value: 'vip' },
      ],
    }),
    'PUT /api/v1/routing/rules/:id': () => ({ priority: int(100), enabled: chance(0.5) }),
    'POST /api/v1/routing/explain': () => ({ client_ip: '10.0.0.1', headers: { 'x-tier': 'vip' } }),
    'POST /api/v1/connections/:id/disconnect': () => ({ reason: 'r', notify_client: true }),
    'POST /api/v1/connections/notify': () => ({ message: 'm', severity: 'info' }),
    'POST /api/v1/alerts/webhooks': () => ({ url: 'http://127.0.0.1:9/hook', events: ['test'] }),
    'PUT /api/v1/alerts/webhooks/:id': () => ({ enabled: false }),
  };
  const mutate = (body: Record<string, unknown>) => {
    const copy: Record<string, unknown> = structuredClone(body);
    const keys = Object.keys(copy);
    switch (int(4)) {
      case 0:
        if (keys.length) delete copy[pick(keys)];
        break;
      case 1:
        if (keys.length) copy[pick(keys)] = randomValue();
        break;
      case 2:
        copy[pick(KEYS)] = randomValue();
        break;
      default:
        return JSON.stringify(copy).slice(0, int(JSON.stringify(copy).length));
    }
    return copy;
  };
  const QUERY_KEYS = [
    'status',
    'tag',
    'tags',
    'limit',
    'offset',
    'level',
    'since',
    'query',
    'service_id',
    'metric',
    'period',
    'interval',
    'enabled',
    'fresh',
    'types',
    'stats_interval',
    'token',
  ];
  const QUERY_VALUES = [
    'running',
    'stopped,error',
    'bogus',
    '10',
    '0',
    '-5',
    '99999999999',
    '1.5',
    'info',
    'error',
    '2024-01-01T10:00:00Z',
    'connections',
    'memory',
    '1h',
    '5m',
    '0s',
    '10y',
    'true',
    'false',
    ...weird,
  ];
  const CONTENT_TYPES = [
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/vnd.api+json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    '',
  ];
  const RAW = [
    '{',
    '[]',
    'null',
    '"text"',
    '{"a":1}}',
    '\ufeff{}',
    '{"name":"\\ud800"}',
    '1'.repeat(70_000),
    '[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
  ];

  const routes = app.routes.filter((route) => route.method !== 'ALL');
  const protectedActions = /\/(start|stop|restart)$/u;
  const counts = { requests: 0, ok: 0, registered: 0 };
  for (let i = 0; i < REQUESTS; i++) {
    const route = chance(0.05)
      ? { method: pick(['GET', 'POST', 'PATCH', 'DELETE']), path: `/api/v1/${pick(weird)}` }
      : pick(routes);
    const method = chance(0.05)
      ? pick(['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])
      : route.method;
    const ids = [...weird, 'fuzz-rule', randomString().slice(0, 40)];
    const mayTouchTarget =
      method === 'GET' || method === 'PUT' || (method === 'POST' && !protectedActions.test(route.path));
    if (mayTouchTarget) ids.push(service.service_id, 'fuzz-target');
    let path = route.path.replace(/:id/gu, () => {
      const id = pick(ids);
      if (/%[0-9A-F]{2}/iu.test(id)) return id;
      // A lone surrogate (a cut emoji) cannot be encoded: send the bytes a broken client would.
      return (id as string & { isWellFormed(): boolean }).isWellFormed()
        ? encodeURIComponent(id)
        : '%ED%A0%80';
    });
    if (chance(0.6)) {
      const pairs = Array.from(
        { length: 1 + int(4) },
        () => `${pick(QUERY_KEYS)}=${encodeURIComponent(pick(QUERY_VALUES))}`,
      );
      if (chance(0.1)) pairs.push(pick(['%zz', '&&', '=', 'a=%00', 'limit=1&limit=2']));
      path += `?${pairs.join('&')}`;
    }
    const headers: Record<string, string> = {};
    let body: string | Uint8Array | undefined;
    if (method !== 'GET' && method !== 'HEAD' && chance(0.8)) {
      const template = valid[`${route.method} ${route.path}`];
      const choice = int(4);
      const value =
        template && choice === 0
          ? template()
          : template && choice === 1
            ? mutate(template())
            : choice === 2
              ? pick(RAW)
              : randomValue();
      body = chance(0.03)
        ? new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
      const type = chance(0.85) ? 'application/json' : pick(CONTENT_TYPES);
      if (type) headers['content-type'] = type;
    }
    const response = await app.request(path, { method, headers, ...(body !== undefined && { body }) });
    counts.requests++;
    const where = `#${i} ${method} ${path.slice(0, 160)} body=${String(body).slice(0, 160)}`;
    expect(response.status, where).not.toBe(500);
    expect(response.status < 500 || response.status === 503, where).toBe(true);
    if (response.headers.get('content-type')?.includes('text/event-stream')) {
      await response.body?.cancel();
      continue;
    }
    const text = await response.text();
    if (method === 'HEAD' || response.status === 204) continue;
    // The docs page, its assets and /metrics are not JSON; every error is.
    if (response.status < 400 && !response.headers.get('content-type')?.includes('application/json'))
      continue;
    const json = JSON.parse(text);
    if (response.status >= 400) {
      expect(json, where).toEqual({
        success: false,
        error: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) },
      });
      expect(ERROR_CODES[json.error.code as keyof typeof ERROR_CODES], where).toBe(response.status);
    } else {
      counts.ok++;
      if (method === 'POST' && route.path === '/api/v1/services') counts.registered++;
    }
  }
  expect(counts.requests).toBe(REQUESTS);

  // Every stored row reads back through its schema (a half-written row would not), and nothing leaked.
  const { services, total } = await manager.countServices({ limit: 10_000 });
  expect(total).toBe(1 + counts.registered);
  for (const stored of services) {
    for (const tag of stored.tags) {
      expect((await manager.listServices({ tags: [tag], limit: 10_000 })).map((s) => s.service_id)).toContain(
        stored.service_id,
      );
    }
  }
  expect((await manager.getService(service.service_id))?.status).toBe('stopped');
  await manager.getRoutingRules();
  await manager.alerts.list();
  await manager.alerts.deliveries({ limit: 10_000 });
  expect((await manager.audit.list({ limit: 10_000 })).total).toBeGreaterThan(0);
  expect(await manager.getServiceHealthHistory(service.service_id, 100)).toBeInstanceOf(Array);
  // Still serving afterwards.
  expect((await app.request('/api/v1/services/fuzz-target')).status).toBe(200);
});
