// The observing side of the API in process, over a real manager: logs and their follow stream, the event
// stream, stats, the time series (also of a service since deleted), totals across a manager restart, the
// operation log, /metrics, the OpenAPI document (validated) and the offline /docs page.

import type { Service } from '@myagent/models';
import { ECHO_AGENT, freePort, tempDir, until } from '@myagent/test-support';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentManager } from '../src/index.js';
import { appOf, call, readEvents, startManager } from './api-helpers.js';
import { converse } from './helpers.js';

const dir = tempDir();
let manager: AgentManager;
let app: ReturnType<typeof appOf>['app'];
let closeApp: () => void;
let echo: Service;

beforeAll(async () => {
  ({ manager } = await startManager({}, dir));
  ({ app, close: closeApp } = appOf(manager));
  echo = await manager.registerService({
    name: 'echo',
    agent_factory_path: ECHO_AGENT,
    host: '127.0.0.1',
    port: await freePort(),
    auto_start: true,
  });
});

afterAll(async () => {
  closeApp?.();
  await manager?.stop();
  dir.cleanup();
});

describe('logs (seed 003 §1.6)', () => {
  it('lists, searches and follows a service log', async () => {
    const lines = await call(
      app,
      'GET',
      '/api/v1/logs/services/echo?level=info&limit=100&since=2024-01-01T10:00:00Z',
    );
    expect(lines.status).toBe(200);
    expect(lines.body.lines.map((l: { message: string }) => l.message)).toContain('listening');
    const found = await call(
      app,
      'GET',
      `/api/v1/logs/search?query=listen&service_id=${echo.service_id}&limit=50`,
    );
    expect(found.body).toMatchObject({ query: 'listen', total: expect.any(Number) });
    expect(found.body.lines.length).toBeGreaterThan(0);
    expect((await call(app, 'GET', '/api/v1/logs/search?query=error&service_id=uuid&limit=50')).status).toBe(
      404,
    );
    expect((await call(app, 'GET', '/api/v1/logs/services/echo?level=loud')).status).toBe(400);
    expect((await call(app, 'GET', '/api/v1/logs/services/echo?since=yesterday')).status).toBe(400);

    // The follow stream: the backlog first, then the lines of a restart as they are written.
    const response = await app.request('/api/v1/logs/services/echo/follow?limit=1');
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const restart = manager.restartService(echo.service_id);
    const events = await readEvents(
      response,
      (seen) => seen.filter((e) => e.event === 'log' && e.data.message === 'listening').length >= 2,
    );
    await restart;
    expect(events[0]).toMatchObject({ event: 'ready', data: { service_id: echo.service_id } });
    expect(events.filter((e) => e.event === 'log').map((e) => e.data.message)).toEqual(
      expect.arrayContaining(['shutting down', 'listening']),
    );
  });
});

describe('the event stream', () => {
  it('sends status changes, and stats every stats_interval', async () => {
    const response = await app.request(`/api/v1/events?service_id=echo&stats_interval=0.5`);
    const stop = manager.stopService(echo.service_id);
    const events = await readEvents(
      response,
      (seen) =>
        seen.some((e) => e.event === 'status' && e.data.to === 'stopped') &&
        seen.some((e) => e.event === 'stats'),
    );
    await stop;
    expect(events.filter((e) => e.event === 'status').map((e) => `${e.data.from}>${e.data.to}`)).toEqual(
      expect.arrayContaining(['running>stopping', 'stopping>stopped']),
    );
    expect(events.find((e) => e.event === 'stats')?.data.services[0]).toMatchObject({
      service_id: echo.service_id,
      name: 'echo',
    });
    await manager.startService(echo.service_id);
    expect((await call(app, 'GET', '/api/v1/events?stats_interval=0.1')).status).toBe(400);
  });
});

describe('stats (seed 003 §1.4)', () => {
  it('answers /stats, /stats/overview in the seed shape, and the time series from samples', async () => {
    const stats = await call(app, 'GET', '/api/v1/stats');
    expect(stats.body).toMatchObject({ services: { total: 1, running: 1 }, connections: { active: 0 } });
    const overview = await call(app, 'GET', '/api/v1/stats/overview');
    expect(Object.keys(overview.body)).toEqual([
      'services',
      'connections',
      'sessions',
      'performance',
      'resources',
    ]);
    expect(Object.keys(overview.body.connections)).toEqual(['total', 'active', 'peak_today']);
    expect(Object.keys(overview.body.sessions)).toEqual(['total_today', 'active', 'completed_today']);
    expect(Object.keys(overview.body.performance)).toEqual([
      'avg_response_time_ms',
      'throughput_per_minute',
      'error_rate',
    ]);

    // The registry refreshes a running service's stats every few seconds; a sample reads them.
    await until(
      async () => ((await manager.getService(echo.service_id))?.stats.memory_usage_mb ?? 0) > 0,
      'fresh stats',
      15_000,
    );
    await manager.metrics.sampleNow();
    const series = await call(
      app,
      'GET',
      `/api/v1/stats/timeseries?metric=connections&period=1h&interval=5m&service_id=${echo.service_id}`,
    );
    expect(series.body).toMatchObject({
      metric: 'connections',
      period: '1h',
      interval: '5m',
      service_id: echo.service_id,
    });
    expect(series.body.data).toHaveLength(12);
    expect(series.body.data.at(-1).value).toEqual(expect.any(Number));
    expect(Date.parse(series.body.data[1].timestamp) - Date.parse(series.body.data[0].timestamp)).toBe(
      300_000,
    );
    const memory = await call(app, 'GET', '/api/v1/stats/timeseries?metric=memory&period=10m');
    expect(memory.body.data.at(-1).value).toBeGreaterThan(0);
    for (const query of ['metric=bogus', 'period=1y', 'period=1h&interval=1s', 'interval=0m']) {
      expect((await call(app, 'GET', `/api/v1/stats/timeseries?${query}`)).status).toBe(400);
    }
  });

  it('keeps a stopped and then deleted service in the series, and totals across a manager restart', async () => {
    const gone = await manager.registerService({
      name: 'short-lived',
      agent_factory_path: ECHO_AGENT,
      port: await freePort(),
      auto_start: true,
    });
    await manager.metrics.sampleNow();
    await manager.unregisterService(gone.service_id);
    const series = await call(
      app,
      'GET',
      `/api/v1/stats/timeseries?metric=memory&period=10m&interval=1m&service_id=${gone.service_id}`,
    );
    expect(series.body.data.some((point: { value: number | null }) => point.value !== null)).toBe(true);

    // A real client: the manager's own readiness pings and health checks are not counted as connections.
    await converse(echo.endpoint, 'counted');
    await until(
      async () => ((await manager.getService(echo.service_id))?.stats.total_connections ?? 0) > 0,
      'the conversation to reach the stored stats',
      20_000,
    );
    await manager.metrics.sampleNow();
    const before = await manager.getStatTotals('system');
    expect(before.total_connections).toBeGreaterThan(0);
    closeApp();
    await manager.stop();
    ({ manager } = await startManager({}, dir));
    ({ app, close: closeApp } = appOf(manager));
    const after = await manager.getStatTotals('system');
    expect(after.total_connections).toBeGreaterThanOrEqual(before.total_connections as number);
    expect((await call(app, 'GET', '/api/v1/stats/overview')).body.connections.total).toBeGreaterThanOrEqual(
      before.total_connections as number,
    );
  });
});

describe('the operation log (spec H4)', () => {
  it('records every mutating call with who, what, target, when and result', async () => {
    await call(app, 'POST', '/api/v1/services/echo/restart');
    await call(app, 'POST', '/api/v1/services/ghost/stop');
    await call(app, 'POST', '/api/v1/services', { name: 'bad name' });
    const log = await call(app, 'GET', '/api/v1/audit?limit=3');
    expect(
      log.body.entries.map((e: { action: string; result: string; status_code: number }) => [
        e.action,
        e.result,
        e.status_code,
      ]),
    ).toEqual([
      ['POST /api/v1/services', 'failure', 400],
      ['POST /api/v1/services/:id/stop', 'failure', 404],
      ['service.restart', 'success', 200],
    ]);
    expect(log.body.entries[2]).toMatchObject({
      actor: 'local',
      target_type: 'service',
      target_id: echo.service_id,
    });
    expect(log.body.entries[1]).toMatchObject({ error_code: 'SERVICE_NOT_FOUND' });
    const byService = await call(
      app,
      'GET',
      `/api/v1/audit?service_id=echo&since=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`,
    );
    expect(
      byService.body.entries.every((e: { service_id: string }) => e.service_id === echo.service_id),
    ).toBe(true);
    expect(byService.body.total).toBeGreaterThan(0);
    // Reads are not operations.
    const total = (await call(app, 'GET', '/api/v1/audit')).body.total;
    await call(app, 'GET', '/api/v1/services');
    expect((await call(app, 'GET', '/api/v1/audit')).body.total).toBe(total);
  });
});

describe('metrics, OpenAPI, docs', () => {
  it('exposes Prometheus metrics with conventional names and labels', async () => {
    const response = await call(app, 'GET', '/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = response.body as string;
    expect(text).toMatch(
      new RegExp(`myagent_service_up\\{service="echo",service_id="${echo.service_id}"\\} 1`, 'u'),
    );
    expect(text).toContain('myagent_connections_active{service="echo"');
    expect(text).toContain('# TYPE myagent_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /myagent_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/services",status="200"\}/u,
    );
    expect(text).toContain('# TYPE myagent_health_check_duration_seconds histogram');
    expect(text).toContain('myagent_manager_process_resident_memory_bytes');
  });

  it('serves an OpenAPI 3.1 document a validator accepts, with every route of the app', async () => {
    const { body: document } = await call(app, 'GET', '/openapi.json');
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = new Set(
      Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
        Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const notApi = /^\/(openapi\.json|docs|redoc|metrics)/u;
    const routes = app.routes
      .filter((route) => route.method !== 'ALL' && !notApi.test(route.path))
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/gu, '{$1}')}`);
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((route) => !documented.has(route))).toEqual([]);
    // The request schema that validates is the one documented.
    expect(
      document.paths['/api/v1/services'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['name', 'agent_factory_path']));
  });

  it('serves /docs from the installed package, with no URL to another host', async () => {
    const page = await call(app, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/docs/assets/swagger-ui-bundle.js');
    const init = await call(app, 'GET', '/docs/assets/init.js');
    for (const text of [page.body as string, init.body as string])
      expect(text).not.toMatch(/(?:https?:)?\/\/[a-z]/iu);
    expect(init.body).toContain('validatorUrl: null');
    const bundle = await app.request('/docs/assets/swagger-ui-bundle.js');
    expect([bundle.status, (await bundle.arrayBuffer()).byteLength > 100_000]).toEqual([200, true]);
    expect((await app.request('/docs/assets/../package.json')).status).toBe(404);
    expect((await app.request('/redoc')).headers.get('location')).toBe('/docs');
  });
});
