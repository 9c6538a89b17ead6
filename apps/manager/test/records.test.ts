// Records that tell the truth: connection counts from the agent servers (probes left out), coded errors for
// unknown ids, names unique in any case, and no connection left "connected" by a manager that died.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteStorage } from '@myagent/storage-kysely';
import { ECHO_AGENT, freePort, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentManager } from '../src/index.js';
import { converse } from './helpers.js';

const temp = tempDir();
let manager: AgentManager;

beforeAll(async () => {
  manager = new AgentManager({ dbPath: join(temp.dir, 'manager.db'), serverArgs: ['--in-process'] });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  temp.cleanup();
});

const unknown = '00000000-0000-4000-8000-000000000000';

describe('records that tell the truth', () => {
  it('counts the connections the agent servers report, and neither readiness pings nor health checks', async () => {
    const service = await manager.registerService({
      name: 'counted',
      agent_factory_path: ECHO_AGENT,
      port: await freePort(),
      auto_start: true,
    });
    for (let i = 0; i < 3; i++)
      expect((await manager.checkServiceHealth(service.service_id)).status).not.toBe('unhealthy');
    await converse(service.endpoint, 'one');
    await converse(service.endpoint, 'two');
    // The registry polls every service's /health (every 5 s) into its stored stats.
    const stats = await until(
      async () => {
        const current = await manager.getSystemStats();
        return current.connections.total >= 2 && current.sessions.completed >= 2 ? current : undefined;
      },
      'the two conversations to be counted',
      20_000,
    );
    expect(stats.connections).toMatchObject({ total: 2, active: 0, routed: { total: 0, active: 0 } });
    expect((await manager.getService(service.service_id))?.stats.total_connections).toBe(2);
    await manager.unregisterService(service.service_id);
  });

  it('refuses a connection to an unknown service, and the logs of one, with SERVICE_NOT_FOUND', async () => {
    await expect(
      manager.registerConnection({ client_ip: '10.0.0.1', target_service_id: unknown }),
    ).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND', details: { service_id: unknown } });
    expect(manager.getConnectionStats().total_connections).toBe(0);
    await expect(manager.getServiceLogs(unknown)).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    await expect(manager.searchLogs('x', { service_id: unknown })).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
    });
  });

  it('keeps names unique regardless of case, and finds a service by any case of its name', async () => {
    const first = await manager.registerService({
      name: 'Echo',
      agent_factory_path: ECHO_AGENT,
      port: await freePort(),
    });
    await expect(
      manager.registerService({ name: 'echo', agent_factory_path: ECHO_AGENT, port: await freePort() }),
    ).rejects.toMatchObject({ code: 'SERVICE_ALREADY_EXISTS' });
    expect((await manager.getServiceByName('ECHO'))?.service_id).toBe(first.service_id);
    await manager.unregisterService(first.service_id);
  });

  it('gives the health summary seed 000 shape, total_services with total', async () => {
    const summary = await manager.getHealthSummary();
    expect(summary).toMatchObject({ total_services: summary.total });
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        'total_services',
        'total',
        'healthy',
        'unhealthy',
        'degraded',
        'unknown',
        'last_check',
      ]),
    );
  });
});

it('closes on start the connections a dead manager left connected', async () => {
  const local = tempDir();
  const dbPath = join(local.dir, 'manager.db');
  try {
    const storage = await createSqliteStorage({ path: dbPath });
    const at = '2025-01-01T00:00:00.000Z';
    const left = await storage.connections.open({
      connection_id: randomUUID(),
      client_ip: '10.0.0.9',
      target_service_id: randomUUID(),
      status: 'connected',
      connected_at: at,
      last_activity: at,
    });
    await storage.close();
    await using next = new AgentManager({ dbPath });
    await next.start();
    const reopened = await createSqliteStorage({ path: dbPath });
    const record = await reopened.connections.get(left.connection_id);
    await reopened.close();
    expect(record?.status).toBe('disconnected');
    expect(record?.disconnected_at).not.toBeNull();
  } finally {
    local.cleanup();
  }
});

it('starts past a stored rule with a catastrophic regex (an older release took it): left out and reported', async () => {
  const local = tempDir();
  const dbPath = join(local.dir, 'manager.db');
  try {
    const storage = await createSqliteStorage({ path: dbPath });
    const now = new Date().toISOString();
    const rule = (name: string, value: string, priority: number) => ({
      rule_id: randomUUID(),
      name,
      priority,
      conditions: [{ field: 'user_agent', operator: 'regex_match' as const, value }],
      target_tags: ['nowhere'],
      created_at: now,
      updated_at: now,
    });
    const evil = await storage.rules.save(rule('evil', '^(a+)+$', 10));
    await storage.rules.save(rule('fine', '^Mozilla', 5));
    await storage.close();
    await using next = new AgentManager({ dbPath, serverArgs: ['--in-process'] });
    const errors: Error[] = [];
    next.on('error', (error) => errors.push(error));
    await next.start();
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/^Routing rule 'evil' is not loaded: .*exponential or polynomial time/u),
    ]);
    const service = await next.registerService({
      name: 'target',
      agent_factory_path: ECHO_AGENT,
      port: await freePort(),
      auto_start: true,
    });
    // With the evil rule loaded, this User-Agent would hold the event loop for hours.
    const explained = await next.explainRoute({ client_ip: '10.0.0.1', user_agent: `${'a'.repeat(40)}!` });
    expect(explained.rules.map((r) => r.name)).toEqual(['fine']);
    expect((await next.routeConnection({ user_agent: `${'a'.repeat(40)}!` })).service_id).toBe(
      service.service_id,
    );
    // Still stored, and removable.
    expect((await next.getRoutingRules()).map((r) => r.name)).toEqual(['evil', 'fine']);
    expect(await next.removeRoutingRule(evil.rule_id)).toBe(true);
  } finally {
    local.cleanup();
  }
});
