import { join } from 'node:path';
import type { Service } from '@myagent/models';
import { alive, ECHO_AGENT, freePortRange, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentManager } from '../src/index.js';
import { converse, FIXTURE_AGENT, servicePid } from './helpers.js';

// Real children throughout: the myagent-ws binary from source, serving the echo example or a fixture agent
// whose failure is picked by its environment.

const temp = tempDir();
let manager: AgentManager;

const statusOf = async (id: string) => (await manager.getService(id))?.status;

beforeAll(async () => {
  manager = new AgentManager({
    dbPath: join(temp.dir, 'manager.db'),
    // Thirteen services at most; the slack covers ports that someone else takes meanwhile.
    portRange: await freePortRange(40),
    serverArgs: ['--in-process'],
    stopGraceMs: 1000,
    healthThresholds: { rise: 1, fall: 2 },
    unhealthyGraceMs: 500,
    restart: { maxDelayMs: 2000 },
  });
  await manager.start({ healthCheckInterval: 0.3 });
});

afterAll(async () => {
  await manager?.stop();
  temp.cleanup();
});

describe('AgentManager', () => {
  it('runs ten echo services, routes to them, and brings one killed with -9 back', async () => {
    const services = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        manager.registerService({
          name: `echo-${i}`,
          agent_factory_path: ECHO_AGENT,
          tags: i < 3 ? ['vip'] : ['standard'],
          config: { restart_delay: 0.2 },
          auto_start: true,
        }),
      ),
    );
    expect(services.map((s) => s.status)).toEqual(Array(10).fill('running'));
    expect(
      (await manager.listServices({ status: 'running', tags: ['vip'] })).map((s) => s.name).sort(),
    ).toEqual(['echo-0', 'echo-1', 'echo-2']);

    const routed = await manager.routeConnection({ client_ip: '127.0.0.1' });
    expect(await converse(routed.endpoint, 'hello')).toContain('agent.final_answer');

    const victim = services[4] as Service;
    const before = await servicePid(victim);
    process.kill(before, 'SIGKILL');
    await until(async () => (await statusOf(victim.service_id)) !== 'running', 'the exit to be seen', 2000);
    // A generous deadline: on two loaded cores a start takes seconds. How fast is bench/lifecycle's question.
    await until(
      async () => (await statusOf(victim.service_id)) === 'running' && (await servicePid(victim)) !== before,
      'the killed service to run again',
      15_000,
    );
    expect((await manager.getService(victim.service_id))?.restart_count).toBeGreaterThanOrEqual(1);
    expect(await converse(victim.endpoint, 'again')).toContain('agent.final_answer');
  });

  it('routes by rules to tagged services and explains the decision', async () => {
    const rule = await manager.addRoutingRule({
      name: 'vip-routing',
      priority: 100,
      conditions: [{ field: 'header.x-user-tier', operator: 'equals', value: 'vip' }],
      target_tags: ['vip'],
      target_strategy: 'least_connections',
    });
    expect((await manager.getRoutingRules({ enabledOnly: true })).map((r) => r.rule_id)).toContain(
      rule.rule_id,
    );
    const vip = await manager.routeConnection({ client_ip: '10.0.0.1', headers: { 'x-user-tier': 'vip' } });
    expect(vip.tags).toContain('vip');
    const explained = await manager.explainRoute({
      client_ip: '10.0.0.1',
      headers: { 'x-user-tier': 'gold' },
    });
    expect(explained.rules.find((r) => r.rule_id === rule.rule_id)?.outcome).toBe('conditions_failed');
    await expect(
      manager.addRoutingRule({
        name: 'bad',
        conditions: [{ field: 'ua', operator: 'regex_match', value: '(' }],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });

    const connection = await manager.registerConnection({
      service: vip,
      client_ip: '10.0.0.1',
      routing_strategy: 'least_connections',
    });
    expect(manager.getConnectionStats().by_service[vip.service_id]).toBe(1);
    expect(manager.getActiveConnections().map((c) => c.connection_id)).toContain(connection.connection_id);
    expect(await manager.unregisterConnection(connection.connection_id)).toBe(true);
    expect(manager.getConnectionStats().by_service[vip.service_id] ?? 0).toBe(0);
  });

  it('reports health and system stats', async () => {
    const [first] = await manager.listServices({ status: 'running', limit: 1 });
    const result = await manager.checkServiceHealth((first as Service).service_id);
    expect(result.status).toBe('healthy');
    expect(result.checks.websocket?.status).toBe('healthy');
    expect(await manager.getServiceHealthHistory((first as Service).service_id, 3)).toHaveLength(3);
    const summary = await until(
      async () => {
        const current = await manager.getHealthSummary();
        return current.healthy >= 10 ? current : undefined;
      },
      'ten healthy services',
      5000,
    );
    expect(summary.total).toBeGreaterThanOrEqual(10);
    const stats = await manager.getSystemStats();
    expect(stats.services.running).toBeGreaterThanOrEqual(10);
    expect(stats.health.healthy).toBe(summary.healthy);
    await expect(manager.checkServiceHealth('no-such-service')).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
    });
  });

  it('leaves a service that crashes at start in ERROR with its stderr', async () => {
    const service = await manager.registerService({
      name: 'crash-at-start',
      agent_factory_path: FIXTURE_AGENT,
      config: { environment: { FIXTURE_MODE: 'crash-at-start' }, auto_restart: false },
    });
    await expect(manager.startService(service.service_id)).rejects.toMatchObject({
      code: 'SERVICE_START_FAILED',
    });
    const failed = await manager.getService(service.service_id);
    expect(failed?.status).toBe('error');
    expect(failed?.error_message).toContain('crashed at start on purpose');
  });

  it('stops restarting a crash-looping service at max_restart_count', async () => {
    const service = await manager.registerService({
      name: 'crash-loop',
      agent_factory_path: FIXTURE_AGENT,
      config: {
        environment: { FIXTURE_MODE: 'crash-after', FIXTURE_AFTER_MS: '300' },
        restart_delay: 0,
        max_restart_count: 2,
        health_check_enabled: false,
      },
      auto_start: true,
    });
    const restarts: number[] = [];
    const settled = await until(
      async () => {
        const current = await manager.getService(service.service_id);
        // Not any "restart" line: "restart 1 of 2 in 0 s" is an ERROR that is still going to restart.
        if (current?.status === 'error' && current.error_message?.includes('restart limit reached'))
          return current;
        if (current?.restart_count !== undefined) restarts.push(current.restart_count);
        return undefined;
      },
      'the crash loop to stop at the cap',
      20_000,
    );
    expect(settled.restart_count).toBe(2);
    expect(settled.error_message).toMatch(/2/);
  });

  it('marks a hung service UNHEALTHY and restarts it', async () => {
    const service = await manager.registerService({
      name: 'hangs',
      agent_factory_path: FIXTURE_AGENT,
      config: {
        environment: { FIXTURE_MODE: 'hang-after', FIXTURE_AFTER_MS: '1500' },
        health_check_timeout: 0.4,
        restart_delay: 0,
        max_restart_count: 10,
      },
      auto_start: true,
    });
    const firstPid = await servicePid(service);
    const seen = new Set<string>();
    const onStatus = (event: { service_id: string; to: string }) => {
      if (event.service_id === service.service_id) seen.add(event.to);
    };
    manager.on('status', onStatus);
    try {
      await until(() => seen.has('unhealthy'), 'the hung service to turn UNHEALTHY', 15_000);
      await until(
        async () => (await statusOf(service.service_id)) === 'running' && !alive(firstPid),
        'the hung service to be restarted',
        15_000,
      );
    } finally {
      manager.off('status', onStatus);
      await manager.stopService(service.service_id);
    }
  });
});
