// Every curl line of seed 000 ("HTTP API") and every request of seed 003 §1, run with the real `curl`
// against the real daemon process, as written, with only the host, port, ids and agent path filled in.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type DaemonProcess, ECHO_AGENT, freePort, startDaemon, tempDir } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from './api-helpers.js';

const run = promisify(execFile);
const temp = tempDir();
let daemon: DaemonProcess;
let base: string;
const ids: Record<string, string> = {};

/** Runs a seed's curl line: its arguments as written, `http://localhost:8000` and `{...}` filled in. */
async function curl(...args: string[]): Promise<{ status: number; body: Json }> {
  const filled = args.map((arg) =>
    arg
      .replace('http://localhost:8000', base)
      .replace(/\{(service_id|rule_id|connection_id)\}/gu, (_, key: string) => ids[key] ?? `unknown-${key}`),
  );
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...filled], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const cut = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, cut);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON.
  }
  return { status: Number(stdout.slice(cut + 1)), body };
}

beforeAll(async () => {
  daemon = startDaemon([
    '--db',
    join(temp.dir, 'manager.db'),
    '--in-process',
    '--port',
    '0',
    '--health-interval',
    '0.5',
  ]);
  // curl's `localhost` is what the seeds write: the daemon's loopback address answers it.
  base = (await daemon.url()).replace('127.0.0.1', 'localhost');
});

afterAll(async () => {
  expect(await daemon?.stop()).toBe(0);
  temp.cleanup();
});

describe('seed 000: HTTP API', () => {
  it('system information', async () => {
    expect(await curl('http://localhost:8000/health')).toMatchObject({
      status: 200,
      body: { status: 'healthy' },
    });
    expect(await curl('http://localhost:8000/api/v1/info')).toMatchObject({
      status: 200,
      body: { name: 'MyAgent Manager', api_version: 'v1' },
    });
    expect(await curl('http://localhost:8000/api/v1/stats')).toMatchObject({
      status: 200,
      body: { services: { total: 0 } },
    });
  });

  it('service management', async () => {
    const port = await freePort();
    const created = await curl(
      '-X',
      'POST',
      'http://localhost:8000/api/v1/services',
      '-H',
      'Content-Type: application/json',
      '-d',
      `{
    "name": "my_service",
    "agent_factory_path": "${ECHO_AGENT}",
    "host": "localhost",
    "port": ${port},
    "tags": ["production"],
    "auto_start": true
  }`,
    );
    expect(created).toMatchObject({
      status: 200,
      body: { success: true, endpoint: `ws://localhost:${port}` },
    });
    ids.service_id = created.body.service_id;
    expect((await curl('http://localhost:8000/api/v1/services')).body.total).toBe(1);
    expect((await curl('http://localhost:8000/api/v1/services?status=running')).body.services[0].name).toBe(
      'my_service',
    );
    expect((await curl('http://localhost:8000/api/v1/services?tags=production,chat')).body.total).toBe(0);
    expect((await curl('http://localhost:8000/api/v1/services?tags=production')).body.total).toBe(1);
    const details = await curl('http://localhost:8000/api/v1/services/{service_id}');
    expect(details.body).toMatchObject({
      name: 'my_service',
      status: 'running',
      config: expect.any(Object),
      stats: expect.any(Object),
      health: expect.any(Object),
    });
    expect(
      (await curl('-X', 'POST', 'http://localhost:8000/api/v1/services/{service_id}/stop')).body.status,
    ).toBe('stopped');
    expect(
      (await curl('-X', 'POST', 'http://localhost:8000/api/v1/services/{service_id}/start')).body.status,
    ).toBe('running');
    expect(
      (await curl('-X', 'POST', 'http://localhost:8000/api/v1/services/{service_id}/restart')).body.status,
    ).toBe('running');
  });

  it('health checks', async () => {
    const all = await curl('http://localhost:8000/api/v1/health');
    expect(all.body.summary.total).toBe(1);
    expect((await curl('http://localhost:8000/api/v1/services/{service_id}/health')).body.service_id).toBe(
      ids.service_id,
    );
    expect((await curl('http://localhost:8000/api/v1/services/{service_id}/health/history')).status).toBe(
      200,
    );
  });

  it('connections', async () => {
    expect((await curl('http://localhost:8000/api/v1/connections')).body).toEqual({
      connections: [],
      total: 0,
    });
    expect((await curl('http://localhost:8000/api/v1/services/{service_id}/connections')).body.total).toBe(0);
    expect((await curl('http://localhost:8000/api/v1/connections/stats')).body.total_connections).toBe(0);
  });
});

describe('seed 003 §1: every endpoint under /api/v1', () => {
  const v1 = 'http://localhost:8000/api/v1';

  it('§1.1 services: register, list, details, config, start, stop, restart', async () => {
    const port = await freePort();
    const created = await curl(
      '-X',
      'POST',
      `${v1}/services`,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({
        name: 'weather-agent',
        description: 'Weather information agent',
        agent_factory_path: ECHO_AGENT,
        host: 'localhost',
        port,
        tags: ['weather', 'information'],
        config: { max_sessions: 100, session_timeout: 1800, auto_restart: true, health_check_enabled: true },
      }),
    );
    expect(created.body).toEqual({
      success: true,
      service_id: expect.any(String),
      message: 'Service registered successfully',
      endpoint: `ws://localhost:${port}`,
      service: expect.any(Object),
    });
    ids.service_id = created.body.service_id;
    const list = await curl(`${v1}/services?tag=weather&status=running&limit=10&offset=0`);
    expect(list.body).toEqual({ services: [], total: 0, page: { limit: 10, offset: 0, has_next: false } });
    await curl('-X', 'POST', `${v1}/services/{service_id}/start`);
    expect((await curl(`${v1}/services?tag=weather&status=running&limit=10&offset=0`)).body.total).toBe(1);
    const details = await curl(`${v1}/services/{service_id}`);
    expect(details.body.config).toMatchObject({
      max_sessions: 100,
      session_timeout: 1800,
      auto_restart: true,
      health_check_enabled: true,
    });
    const config = await curl(
      '-X',
      'PUT',
      `${v1}/services/{service_id}/config`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{\n    "max_sessions": 200,\n    "auto_restart": false\n}',
    );
    expect(config.body).toMatchObject({
      success: true,
      pending_restart: ['config.max_sessions'],
      restart_required: true,
    });
    expect(
      (await curl('-X', 'POST', `${v1}/services/{service_id}/restart`)).body.service.config.max_sessions,
    ).toBe(200);
    expect((await curl('-X', 'POST', `${v1}/services/{service_id}/stop`)).body.status).toBe('stopped');
  });

  it('§1.2 connections: list with filters, and a disconnect of one that is not live', async () => {
    ids.connection_id = 'conn-uuid';
    expect((await curl(`${v1}/connections?service_id={service_id}&status=active&limit=20`)).body).toEqual({
      connections: [],
      total: 0,
    });
    const gone = await curl(
      '-X',
      'POST',
      `${v1}/connections/{connection_id}/disconnect`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"reason": "Administrative disconnect", "notify_client": true}',
    );
    expect(gone).toMatchObject({
      status: 404,
      body: { success: false, error: { code: 'CONNECTION_NOT_FOUND' } },
    });
  });

  it('§1.3 routing rules: create, list enabled, update, delete', async () => {
    const created = await curl(
      '-X',
      'POST',
      `${v1}/routing/rules`,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({
        name: 'VIP用户路由',
        priority: 10,
        conditions: [{ field: 'header.x-user-tier', operator: 'equals', value: 'vip' }],
        target_strategy: 'least_connections',
        target_tags: ['high-performance'],
        enabled: true,
      }),
    );
    expect(created.body.success).toBe(true);
    ids.rule_id = created.body.rule_id;
    expect((await curl(`${v1}/routing/rules?enabled=true`)).body.total).toBe(1);
    const updated = await curl(
      '-X',
      'PUT',
      `${v1}/routing/rules/{rule_id}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"priority": 20}',
    );
    expect(updated.body.rule.priority).toBe(20);
    // PUT as seed 003 writes it, with no body: nothing to change, the rule as it is.
    expect((await curl('-X', 'PUT', `${v1}/routing/rules/{rule_id}`)).body.rule.priority).toBe(20);
    expect((await curl('-X', 'DELETE', `${v1}/routing/rules/{rule_id}`)).body.success).toBe(true);
  });

  it('§1.4 stats: overview and time series', async () => {
    const overview = await curl(`${v1}/stats/overview`);
    expect(Object.keys(overview.body)).toEqual([
      'services',
      'connections',
      'sessions',
      'performance',
      'resources',
    ]);
    const series = await curl(
      `${v1}/stats/timeseries?metric=connections&period=1h&interval=5m&service_id={service_id}`,
    );
    expect(series.body).toMatchObject({ metric: 'connections', period: '1h', interval: '5m' });
    expect(series.body.data).toHaveLength(12);
  });

  it('§1.5 health: state, a check now, history', async () => {
    await curl('-X', 'POST', `${v1}/services/{service_id}/start`);
    expect((await curl(`${v1}/health/services/{service_id}`)).body.service_id).toBe(ids.service_id);
    expect((await curl('-X', 'POST', `${v1}/health/services/{service_id}/check`)).body).toMatchObject({
      status: 'healthy',
    });
    expect(
      (await curl(`${v1}/health/services/{service_id}/history?limit=50`)).body.history.length,
    ).toBeGreaterThan(0);
  });

  it('§1.6 logs: a service log with filters, and a search', async () => {
    const lines = await curl(
      `${v1}/logs/services/{service_id}?level=info&limit=100&since=2024-01-01T10:00:00Z`,
    );
    expect(lines.body.lines.map((l: { message: string }) => l.message)).toContain('listening');
    expect((await curl(`${v1}/logs/search?query=error&service_id={service_id}&limit=50`)).status).toBe(200);
  });

  it('§4.1 errors: the catalogue shape with the id and time in details', async () => {
    const missing = await curl(`${v1}/services/00000000-0000-4000-8000-000000000000`);
    expect(missing).toEqual({
      status: 404,
      body: {
        success: false,
        error: {
          code: 'SERVICE_NOT_FOUND',
          message: "Service with ID '00000000-0000-4000-8000-000000000000' not found",
          details: { service_id: '00000000-0000-4000-8000-000000000000', timestamp: expect.any(String) },
        },
      },
    });
  });

  it('seed 000: delete a service', async () => {
    expect(
      (await curl('-X', 'DELETE', 'http://localhost:8000/api/v1/services/{service_id}')).body.success,
    ).toBe(true);
    expect((await curl('http://localhost:8000/api/v1/services/{service_id}')).status).toBe(404);
    expect(daemon.output()).toContain('docs:    http://127.0.0.1:');
  });
});
