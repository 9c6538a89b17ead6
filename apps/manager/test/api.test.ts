// The HTTP API in process (app.request) over a real AgentManager: real SQLite in a temp dir, real agent
// servers. Each request is one a seed writes (seed 003 §1, §4; seed 000 "HTTP API"), with ids filled in.
import type { Service } from '@myagent/models';
import { ECHO_AGENT, freePort, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentManager } from '../src/index.js';
import { appOf, call, type Json, startManager } from './api-helpers.js';

let manager: AgentManager;
let app: ReturnType<typeof appOf>['app'];
let closeApp: () => void;
let cleanup: () => void;
let weather: Service;
let chat: Service;

beforeAll(async () => {
  const started = await startManager();
  manager = started.manager;
  cleanup = started.dir.cleanup;
  ({ app, close: closeApp } = appOf(manager));
});

afterAll(async () => {
  closeApp?.();
  await manager?.stop();
  cleanup?.();
});

const expectError = (response: { status: number; body: Json }, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({
    success: false,
    error: { code, message: expect.any(String), details: expect.any(Object) },
  });
};

describe('services (seed 003 §1.1, seed 000)', () => {
  it('registers as seed 003 writes it and answers its shape', async () => {
    const port = await freePort();
    const response = await call(app, 'POST', '/api/v1/services', {
      name: 'weather-agent',
      description: 'Weather information agent',
      agent_factory_path: ECHO_AGENT,
      host: 'localhost',
      port,
      tags: ['weather', 'information'],
      config: { max_sessions: 100, session_timeout: 1800, auto_restart: true, health_check_enabled: true },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      success: true,
      service_id: expect.stringMatching(/^[0-9a-f-]{36}$/u),
      message: 'Service registered successfully',
      endpoint: `ws://localhost:${port}`,
    });
    weather = response.body.service;
    // Seed 000's body: auto_start, a second tag.
    const second = await call(app, 'POST', '/api/v1/services', {
      name: 'my_service',
      agent_factory_path: ECHO_AGENT,
      host: 'localhost',
      port: await freePort(),
      tags: ['production', 'chat'],
      auto_start: true,
    });
    expect(second.body).toMatchObject({
      success: true,
      message: 'Service registered successfully and started',
    });
    chat = second.body.service;
    expect(chat.status).toBe('running');
  });

  it('refuses a duplicate name (409), a taken port (409), a bad body (400) and stores nothing', async () => {
    const before = (await manager.countServices()).total;
    expectError(
      await call(app, 'POST', '/api/v1/services', { name: 'weather-agent', agent_factory_path: ECHO_AGENT }),
      409,
      'SERVICE_ALREADY_EXISTS',
    );
    expectError(
      await call(app, 'POST', '/api/v1/services', {
        name: 'other',
        agent_factory_path: ECHO_AGENT,
        port: weather.port,
      }),
      409,
      'PORT_IN_USE',
    );
    const bad = await call(app, 'POST', '/api/v1/services', {
      name: 'x y',
      agent_factory_path: 7,
      extra: true,
    });
    expectError(bad, 400, 'INVALID_REQUEST');
    expect(bad.body.error.details.issues.map((issue: { path: string }) => issue.path)).toEqual(
      expect.arrayContaining(['name', 'agent_factory_path']),
    );
    expectError(
      await call(app, 'POST', '/api/v1/services', { name: 'missing', agent_factory_path: '/nope/agent.ts' }),
      400,
      'INVALID_REQUEST',
    );
    expect((await manager.countServices()).total).toBe(before);
  });

  it('lists with each filter of the seeds and pages', async () => {
    const names = async (query: string) => {
      const response = await call(app, 'GET', `/api/v1/services${query}`);
      expect(response.status).toBe(200);
      return response.body.services.map((s: Service) => s.name).sort();
    };
    expect(await names('')).toEqual(['my_service', 'weather-agent']);
    expect(await names('?status=running')).toEqual(['my_service']);
    expect(await names('?status=running,stopped')).toEqual(['my_service', 'weather-agent']);
    expect(await names('?tags=production,chat')).toEqual(['my_service']);
    expect(await names('?tag=weather&status=running&limit=10&offset=0')).toEqual([]);
    expect(await names('?tag=weather&limit=10&offset=0')).toEqual(['weather-agent']);
    const page = await call(app, 'GET', '/api/v1/services?limit=1&offset=0');
    expect(page.body).toMatchObject({ total: 2, page: { limit: 1, offset: 0, has_next: true } });
    expect((await call(app, 'GET', '/api/v1/services?limit=1&offset=1')).body.page.has_next).toBe(false);
    for (const query of ['?status=bogus', '?limit=abc', '?limit=0', '?offset=-1', '?tags=a%20b']) {
      expectError(await call(app, 'GET', `/api/v1/services${query}`), 400, 'INVALID_REQUEST');
    }
  });

  it('shows details with config, stats and health, by id or by name', async () => {
    const byId = await call(app, 'GET', `/api/v1/services/${weather.service_id}`);
    const byName = await call(app, 'GET', '/api/v1/services/weather-agent');
    expect(byId.status).toBe(200);
    expect(byName.body.service_id).toBe(weather.service_id);
    expect(byId.body.config).toMatchObject({
      max_sessions: 100,
      session_timeout: 1800,
      auto_restart: true,
      health_check_enabled: true,
    });
    expect(Object.keys(byId.body.stats)).toEqual(
      expect.arrayContaining([
        'total_connections',
        'active_connections',
        'peak_connections',
        'total_sessions',
        'active_sessions',
        'completed_sessions',
        'avg_session_duration',
        'memory_usage_mb',
        'cpu_usage_percent',
        'error_count',
        'error_rate',
      ]),
    );
    expect(byId.body.health).toEqual({
      status: expect.any(String),
      last_check: null,
      response_time_ms: null,
    });
    const missing = await call(app, 'GET', '/api/v1/services/00000000-0000-4000-8000-000000000000');
    expectError(missing, 404, 'SERVICE_NOT_FOUND');
    // Seed 003 §4.1: the details name the id and the time.
    expect(missing.body.error.details).toEqual({
      service_id: '00000000-0000-4000-8000-000000000000',
      timestamp: expect.any(String),
    });
  });

  it('starts, stops and restarts by id or name', async () => {
    const started = await call(app, 'POST', `/api/v1/services/${weather.service_id}/start`);
    expect(started.body).toMatchObject({ success: true, status: 'running', service_id: weather.service_id });
    const restarted = await call(app, 'POST', '/api/v1/services/weather-agent/restart');
    expect(restarted.body).toMatchObject({ success: true, status: 'running' });
    expect(restarted.body.service.started_at).not.toBe(started.body.service.started_at);
    expect((await call(app, 'POST', '/api/v1/services/weather-agent/stop')).body.status).toBe('stopped');
    expectError(await call(app, 'POST', '/api/v1/services/nobody/start'), 404, 'SERVICE_NOT_FOUND');
  });

  it('updates config (seed 003): live fields now, start-time fields at the next start or with ?restart=true', async () => {
    const running = await call(app, 'PUT', '/api/v1/services/my_service/config', {
      max_sessions: 200,
      auto_restart: false,
    });
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({
      success: true,
      changed: ['config.max_sessions', 'config.auto_restart'],
      applied_now: ['config.auto_restart'],
      pending_restart: ['config.max_sessions'],
      restart_required: true,
      restarted: false,
    });
    expect(running.body.message).toContain('next start');
    expect((await manager.getService(chat.service_id))?.config).toMatchObject({
      max_sessions: 200,
      auto_restart: false,
    });
    const applied = await call(app, 'PUT', '/api/v1/services/my_service/config?restart=true', {
      session_timeout: 600,
    });
    expect(applied.body).toMatchObject({ restarted: true, restart_required: false, pending_restart: [] });
    expect(applied.body.service.status).toBe('running');
    // A stopped service takes everything at once.
    const stopped = await call(app, 'PUT', '/api/v1/services/weather-agent/config', { max_sessions: 5 });
    expect(stopped.body).toMatchObject({ applied_now: ['config.max_sessions'], restart_required: false });
    expectError(
      await call(app, 'PUT', '/api/v1/services/weather-agent/config', { nope: 1 }),
      400,
      'INVALID_REQUEST',
    );
  });

  it('updates a service: description and tags at once, the port only while stopped', async () => {
    const updated = await call(app, 'PUT', '/api/v1/services/my_service', {
      description: 'chat',
      tags: ['production'],
    });
    expect(updated.body).toMatchObject({ changed: ['description', 'tags'], restart_required: false });
    expectError(
      await call(app, 'PUT', '/api/v1/services/my_service', { port: await freePort() }),
      409,
      'SERVICE_RUNNING',
    );
    expectError(
      await call(app, 'PUT', '/api/v1/services/my_service', { name: 'weather-agent' }),
      409,
      'SERVICE_ALREADY_EXISTS',
    );
    const port = await freePort();
    const moved = await call(app, 'PUT', '/api/v1/services/weather-agent', { port });
    expect(moved.body.service).toMatchObject({ port, endpoint: `ws://localhost:${port}` });
  });
});

describe('health (seed 003 §1.5, seed 000)', () => {
  it('answers every health path for a running service', async () => {
    const checked = await call(app, 'POST', '/api/v1/health/services/my_service/check');
    expect(checked.body).toMatchObject({
      service_id: chat.service_id,
      status: 'healthy',
      checks: expect.any(Object),
    });
    await until(
      () => manager.getHealthState(chat.service_id)?.status === 'healthy',
      'a healthy verdict',
      10_000,
    );
    for (const path of [`/api/v1/services/${chat.service_id}/health`, '/api/v1/health/services/my_service']) {
      const state = await call(app, 'GET', path);
      expect(state.body).toMatchObject({
        service_id: chat.service_id,
        name: 'my_service',
        status: 'healthy',
        service_status: 'running',
      });
    }
    const all = await call(app, 'GET', '/api/v1/health');
    expect(all.body.summary).toMatchObject({ total: 2 });
    expect(all.body.services.map((s: { name: string }) => s.name).sort()).toEqual([
      'my_service',
      'weather-agent',
    ]);
    for (const path of [
      '/api/v1/services/my_service/health/history',
      '/api/v1/health/services/my_service/history?limit=50',
    ]) {
      const history = await call(app, 'GET', path);
      expect(history.body.history.length).toBeGreaterThan(0);
      expect(history.body.history[0]).toMatchObject({ service_id: chat.service_id });
    }
    expect(
      (await call(app, 'GET', '/api/v1/health/services/my_service/history?limit=1')).body.history,
    ).toHaveLength(1);
    expectError(
      await call(app, 'GET', '/api/v1/health/services/my_service/history?limit=0'),
      400,
      'INVALID_REQUEST',
    );
    expectError(await call(app, 'POST', '/api/v1/health/services/ghost/check'), 404, 'SERVICE_NOT_FOUND');
  });
});

describe('connections (seed 003 §1.2, seed 000)', () => {
  it('lists, counts, disconnects and notifies (over the live table until the proxy lands)', async () => {
    expect((await call(app, 'GET', '/api/v1/connections')).body).toEqual({ connections: [], total: 0 });
    expect((await call(app, 'GET', '/api/v1/connections/stats')).body).toEqual({
      total_connections: 0,
      active_connections: 0,
      by_status: {},
      by_service: {},
    });
    const live = await manager.registerConnection({ service: chat, client_ip: '10.0.0.9', status: 'active' });
    const listed = await call(
      app,
      'GET',
      `/api/v1/connections?service_id=${chat.service_id}&status=active&limit=20`,
    );
    expect(listed.body).toMatchObject({
      total: 1,
      connections: [{ connection_id: live.connection_id, client_ip: '10.0.0.9' }],
    });
    expect((await call(app, 'GET', '/api/v1/services/my_service/connections')).body.total).toBe(1);
    expect((await call(app, 'GET', '/api/v1/connections/stats')).body.by_service).toEqual({
      [chat.service_id]: 1,
    });
    const gone = await call(app, 'POST', `/api/v1/connections/${live.connection_id}/disconnect`, {
      reason: 'Administrative disconnect',
      notify_client: true,
    });
    expect(gone.body).toMatchObject({ success: true, connection_id: live.connection_id });
    expectError(
      await call(app, 'POST', `/api/v1/connections/${live.connection_id}/disconnect`, {}),
      404,
      'CONNECTION_NOT_FOUND',
    );
    expectError(
      await call(app, 'POST', '/api/v1/connections/x/disconnect', { notify_client: 'yes' }),
      400,
      'INVALID_REQUEST',
    );
    const notified = await call(app, 'POST', '/api/v1/connections/notify', {
      type: 'maintenance_window',
      message: 'Service will be restarted in 5 minutes',
      severity: 'warning',
      countdown_seconds: 300,
      service_id: 'my_service',
    });
    expect(notified.body).toMatchObject({ success: true, notified: 0 });
  });
});

describe('routing rules (seed 003 §1.3)', () => {
  it('creates, lists, updates, explains and deletes, by id or name', async () => {
    const created = await call(app, 'POST', '/api/v1/routing/rules', {
      name: 'VIP用户路由',
      priority: 10,
      conditions: [{ field: 'header.x-user-tier', operator: 'equals', value: 'vip' }],
      target_strategy: 'least_connections',
      target_tags: ['production'],
      enabled: true,
    });
    expect(created.body).toMatchObject({ success: true, rule_id: expect.any(String) });
    const id = created.body.rule_id as string;
    expect(
      (await call(app, 'GET', '/api/v1/routing/rules?enabled=true')).body.rules.map(
        (r: { rule_id: string }) => r.rule_id,
      ),
    ).toEqual([id]);
    expect(
      (await call(app, 'GET', `/api/v1/routing/rules/${encodeURIComponent('VIP用户路由')}`)).body.rule_id,
    ).toBe(id);

    const explained = await call(app, 'POST', '/api/v1/routing/explain', {
      client_ip: '10.0.0.1',
      headers: { 'x-user-tier': 'vip' },
    });
    expect(explained.body).toMatchObject({
      ok: true,
      decision: {
        service_id: chat.service_id,
        name: 'my_service',
        rule_id: id,
        reason: 'rule',
        strategy: 'least_connections',
      },
      rules: [{ rule_id: id, outcome: 'selected' }],
    });
    const other = await call(app, 'POST', '/api/v1/routing/explain', { headers: { 'x-user-tier': 'free' } });
    expect(other.body.rules[0]).toMatchObject({
      outcome: 'conditions_failed',
      conditions: [{ actual: 'free', result: false }],
    });

    const updated = await call(app, 'PUT', `/api/v1/routing/rules/${id}`, { enabled: false, priority: 20 });
    expect(updated.body.rule).toMatchObject({ enabled: false, priority: 20, name: 'VIP用户路由' });
    expect((await call(app, 'GET', '/api/v1/routing/rules?enabled=true')).body.total).toBe(0);
    expect((await call(app, 'GET', '/api/v1/routing/rules')).body.total).toBe(1);
    expectError(
      await call(app, 'PUT', `/api/v1/routing/rules/${id}`, {
        conditions: [{ field: 'f', operator: 'regex_match', value: '(' }],
      }),
      400,
      'INVALID_REQUEST',
    );
    expect((await manager.getRoutingRules())[0]?.conditions[0]?.operator).toBe('equals');
    expect(
      (await call(app, 'DELETE', `/api/v1/routing/rules/${encodeURIComponent('VIP用户路由')}`)).body.success,
    ).toBe(true);
    expectError(await call(app, 'DELETE', `/api/v1/routing/rules/${id}`), 404, 'RULE_NOT_FOUND');
    expectError(
      await call(app, 'PUT', `/api/v1/routing/rules/${id}`, { priority: 1 }),
      404,
      'RULE_NOT_FOUND',
    );
  });
});

describe('the error contract (seed 003 §4)', () => {
  it('answers unknown routes, wrong methods, media types, sizes and bad JSON in the catalogue shape', async () => {
    expectError(await call(app, 'GET', '/api/v1/nothing'), 404, 'NOT_FOUND');
    const wrong = await call(app, 'PATCH', '/api/v1/services/my_service');
    expectError(wrong, 405, 'METHOD_NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toBe('DELETE, GET, HEAD, PUT');
    expectError(
      await call(app, 'POST', '/api/v1/services', 'name=x', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(await call(app, 'POST', '/api/v1/services', '{"name":'), 400, 'INVALID_REQUEST');
    expectError(
      await call(app, 'POST', '/api/v1/services', '{"name":"a\\u0000b","agent_factory_path":"x"}'),
      400,
      'INVALID_REQUEST',
    );
    const small = appOf(manager, { maxBodyBytes: 64 });
    try {
      expectError(
        await call(small.app, 'POST', '/api/v1/routing/rules', { name: 'x'.repeat(100) }),
        413,
        'PAYLOAD_TOO_LARGE',
      );
    } finally {
      small.close();
    }
  });

  it('deletes a service (seed 000) and forgets it', async () => {
    const deleted = await call(app, 'DELETE', `/api/v1/services/${weather.service_id}`);
    expect(deleted.body).toMatchObject({ success: true, service_id: weather.service_id });
    expectError(await call(app, 'GET', `/api/v1/services/${weather.service_id}`), 404, 'SERVICE_NOT_FOUND');
    expectError(
      await call(app, 'DELETE', `/api/v1/services/${weather.service_id}`),
      404,
      'SERVICE_NOT_FOUND',
    );
  });
});
