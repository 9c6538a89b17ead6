import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AgentManager } from '../agent-manager.js';

// Prometheus exposition at /metrics (spec H3), with prom-client: gauges read from the manager at scrape
// time (so a scrape is always current and nothing is kept twice), counters from the persisted totals
// (they survive restarts, as Prometheus counters may), histograms observed as events happen.

/** The manager's Prometheus registry and the observations the HTTP layer feeds it. */
export interface ManagerMetrics {
  readonly registry: Registry;
  /** Records one API request (route is the matched pattern, never the raw path: labels stay bounded). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** Stops listening to the manager. */
  close(): void;
}

const LIVE = new Set(['running', 'unhealthy']);

/**
 * Creates the registry: `myagent_service_up`, `myagent_connections_active{service}`, sessions, CPU,
 * memory, restarts, totals, and the histograms `myagent_health_check_duration_seconds` and
 * `myagent_http_request_duration_seconds`; plus the manager process's own (`myagent_manager_process_*`).
 */
export function createManagerMetrics(manager: AgentManager): ManagerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'myagent_manager_' });
  const labels = ['service', 'service_id'] as const;
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: labels, registers: [registry] });
  const up = gauge('myagent_service_up', '1 when the service is running (healthy or not), else 0');
  const healthy = gauge('myagent_service_healthy', '1 when the health verdict is healthy, else 0');
  const connections = gauge('myagent_connections_active', 'Live client connections of the service');
  const sessions = gauge('myagent_sessions_active', 'Active agent sessions of the service');
  const cpu = gauge('myagent_service_cpu_percent', 'CPU of the service process, percent of one core');
  const memory = gauge('myagent_service_memory_bytes', 'Resident memory of the service process');
  const response = gauge(
    'myagent_service_response_time_seconds',
    'Average agent response time the service reports',
  );
  const restarts = gauge('myagent_service_restart_count', 'Automatic restarts counted in the current window');
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: labels, registers: [registry] });
  const sessionsTotal = counter('myagent_sessions_total', 'Agent sessions opened, across restarts');
  const connectionsTotal = counter(
    'myagent_connections_total',
    'Client connections accepted, across restarts',
  );
  const errorsTotal = counter('myagent_errors_total', 'Errors the service reported, across restarts');
  const managerConnections = new Gauge({
    name: 'myagent_manager_connections_active',
    help: 'Live connections through the manager, all services',
    registers: [registry],
  });
  const healthDuration = new Histogram({
    name: 'myagent_health_check_duration_seconds',
    help: 'Round trip of health checks (WebSocket ping) per service',
    labelNames: ['service'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'myagent_http_request_duration_seconds',
    help: 'HTTP API requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });

  const names = new Map<string, string>();
  const onHealth = (result: { service_id: string; response_time_ms: number | null }) => {
    if (result.response_time_ms === null) return;
    healthDuration.observe(
      { service: names.get(result.service_id) ?? result.service_id },
      result.response_time_ms / 1000,
    );
  };
  manager.on('health', onHealth);

  // One read of the manager per scrape, shared by every collector of that scrape.
  let snapshot: Promise<void> | undefined;
  const refresh = async () => {
    if (!manager.running) return;
    const services = await manager.listServices({ limit: 10_000 });
    const live = manager.getConnectionStats();
    const totals = await Promise.all(services.map((s) => manager.getStatTotals(s.service_id)));
    for (const metric of [up, healthy, connections, sessions, cpu, memory, response, restarts])
      metric.reset();
    for (const metric of [sessionsTotal, connectionsTotal, errorsTotal]) metric.reset();
    services.forEach((service, i) => {
      names.set(service.service_id, service.name);
      const l = { service: service.name, service_id: service.service_id };
      const { stats } = service;
      const running = LIVE.has(service.status);
      up.set(l, running ? 1 : 0);
      healthy.set(l, manager.getHealthState(service.service_id)?.status === 'healthy' ? 1 : 0);
      connections.set(
        l,
        Math.max(running ? stats.active_connections : 0, live.by_service[service.service_id] ?? 0),
      );
      sessions.set(l, running ? stats.active_sessions : 0);
      cpu.set(l, running ? stats.cpu_usage_percent : 0);
      memory.set(l, running ? stats.memory_usage_mb * 1024 * 1024 : 0);
      response.set(l, stats.avg_response_time / 1000);
      restarts.set(l, service.restart_count);
      const total = totals[i] ?? {};
      sessionsTotal.inc(l, Math.max(total.total_sessions ?? 0, stats.total_sessions));
      connectionsTotal.inc(l, Math.max(total.total_connections ?? 0, stats.total_connections));
      errorsTotal.inc(l, Math.max(total.error_count ?? 0, stats.error_count));
    });
    managerConnections.set(live.active_connections);
  };
  const collect = () => {
    snapshot ??= refresh().finally(() => {
      snapshot = undefined;
    });
    return snapshot;
  };
  // prom-client calls each metric's collect() per scrape; the first one reads, the others wait for it.
  for (const metric of [
    up,
    healthy,
    connections,
    sessions,
    cpu,
    memory,
    response,
    restarts,
    sessionsTotal,
    connectionsTotal,
    errorsTotal,
    managerConnections,
  ]) {
    (metric as unknown as { collect: () => Promise<void> }).collect = collect;
  }

  return {
    registry,
    observeRequest: (method, route, status, seconds) =>
      httpDuration.observe({ method, route, status: String(status) }, seconds),
    close: () => manager.off('health', onHealth),
  };
}
