// The servers of bench/api, each in a process of its own so that the load generator never shares their
// event loop: `manager DIR` (the daemon's app over a real AgentManager with 100 stored services) and
// `bare FILE` (a bare hono handler answering the same bytes from memory). Prints one JSON line when up.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { AgentManager, serveManager } from '@myagent/manager';
import { isoNow, type Service, serviceEndpoint } from '@myagent/models';
import { openStorage } from '@myagent/storage-kysely';
import { Hono } from 'hono';

const [mode, arg] = process.argv.slice(2);

/** A stored, stopped service as the registry writes one (registering 100 would dry-load the agent 100 times). */
function storedService(i: number): Service {
  const port = 30_000 + i;
  return {
    service_id: randomUUID(),
    name: `bench-${String(i).padStart(3, '0')}`,
    description: 'a service of the API benchmark',
    host: '127.0.0.1',
    port,
    endpoint: serviceEndpoint('127.0.0.1', port),
    tags: ['bench', i % 2 ? 'odd' : 'even'],
    agent_type: 'myagent',
    version: '1.0.0',
    status: 'stopped',
    created_at: isoNow(),
    started_at: null,
    last_health_check: null,
    error_message: null,
    restart_count: 0,
    restart_due_at: null,
    config: {
      agent_factory_path: '/bench/agent.ts',
      max_sessions: 100,
      session_timeout: 1800,
      heartbeat_interval: 30,
      run_timeout: 600,
      memory_limit_mb: null,
      cpu_limit_percent: null,
      auto_restart: true,
      max_restart_count: 3,
      restart_delay: 5,
      health_check_enabled: false,
      health_check_interval: 10,
      health_check_timeout: 5,
      environment: {},
    },
    stats: {
      total_connections: 15,
      active_connections: 0,
      peak_connections: 25,
      total_sessions: 45,
      active_sessions: 0,
      completed_sessions: 37,
      avg_session_duration: 300.5,
      avg_response_time: 45.2,
      error_count: 2,
      error_rate: 0.04,
      uptime_seconds: 0,
      memory_usage_mb: 0,
      cpu_usage_percent: 0,
      last_updated: null,
    },
  };
}

if (mode === 'manager') {
  const storage = await openStorage({ path: join(arg as string, 'manager.db') });
  for (let i = 0; i < 100; i++) await storage.services.save(storedService(i));
  const manager = new AgentManager({ storage, metrics: { intervalMs: 0 } });
  await manager.start({ reconcile: false });
  // As the daemon serves it: the API and the /ws proxy on one port.
  const server = await serveManager(manager, { port: 0, upgrades: { '/ws': manager.handleUpgrade } });
  const [first] = await manager.listServices({ limit: 1 });
  process.stdout.write(`${JSON.stringify({ url: server.url, id: first?.service_id })}\n`);
  // An orderly exit (the echo agent of the /ws measurement is stopped; a --cpu-prof profile is written).
  process.once('SIGTERM', () => {
    Promise.all([server.close(), manager.stop()]).finally(() => process.exit(0));
  });
} else if (mode === 'bare') {
  const bodies = JSON.parse(readFileSync(arg as string, 'utf8')) as Record<string, string>;
  const app = new Hono();
  for (const [path, text] of Object.entries(bodies)) {
    const bytes = new TextEncoder().encode(text);
    app.get(path, (c) => c.body(bytes, 200, { 'content-type': 'application/json' }));
  }
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
  });
  process.on('SIGTERM', () => server.close());
} else {
  throw new Error('usage: server.ts manager DIR | bare FILE');
}
