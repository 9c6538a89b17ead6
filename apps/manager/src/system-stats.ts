import type { HealthSummary } from '@myagent/health';
import type { Service, ServiceStatus } from '@myagent/models';
import type { ConnectionStats } from '@myagent/router';

/** The manager's overview (spec B10, seed 003 `/stats/overview`). */
export interface SystemStats {
  services: { total: number } & Record<ServiceStatus, number>;
  /**
   * Client connections as the agent servers report them (every connection, through the manager or not;
   * totals persist across restarts); `routed` is the part in the manager's own live table.
   */
  connections: {
    total: number;
    active: number;
    by_service: Record<string, number>;
    routed: { total: number; active: number };
  };
  sessions: { total: number; active: number; completed: number };
  performance: { avg_response_time_ms: number; error_count: number; error_rate: number };
  resources: { total_memory_mb: number; total_cpu_percent: number };
  health: HealthSummary;
  uptime_seconds: number;
}

const STATUSES: readonly ServiceStatus[] = [
  'stopped',
  'starting',
  'running',
  'stopping',
  'error',
  'unhealthy',
];
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Folds services' stats (connections as their agent servers report them), the routed connections and the health summary into one overview. */
export function systemStats(input: {
  services: readonly Service[];
  connections: ConnectionStats;
  health: HealthSummary;
  uptimeSeconds: number;
}): SystemStats {
  const { services, connections } = input;
  const byStatus = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<ServiceStatus, number>;
  let connectionsTotal = 0;
  let connectionsActive = 0;
  const byService: Record<string, number> = {};
  let sessionsTotal = 0;
  let sessionsActive = 0;
  let sessionsCompleted = 0;
  let errors = 0;
  let memory = 0;
  let cpu = 0;
  let weightedResponse = 0;
  let responseWeight = 0;
  for (const { service_id, status, stats } of services) {
    byStatus[status]++;
    connectionsTotal += stats.total_connections;
    connectionsActive += stats.active_connections;
    if (stats.active_connections > 0) byService[service_id] = stats.active_connections;
    sessionsTotal += stats.total_sessions;
    sessionsActive += stats.active_sessions;
    sessionsCompleted += stats.completed_sessions;
    errors += stats.error_count;
    memory += stats.memory_usage_mb;
    cpu += stats.cpu_usage_percent;
    // Services that answered more turns weigh more in the average response time.
    const weight = Math.max(stats.completed_sessions, stats.avg_response_time > 0 ? 1 : 0);
    weightedResponse += stats.avg_response_time * weight;
    responseWeight += weight;
  }
  return {
    services: { total: services.length, ...byStatus },
    connections: {
      total: connectionsTotal,
      active: connectionsActive,
      by_service: byService,
      routed: { total: connections.total_connections, active: connections.active_connections },
    },
    sessions: { total: sessionsTotal, active: sessionsActive, completed: sessionsCompleted },
    performance: {
      avg_response_time_ms: round(responseWeight ? weightedResponse / responseWeight : 0),
      error_count: errors,
      error_rate: round(sessionsTotal ? errors / sessionsTotal : 0, 4),
    },
    resources: { total_memory_mb: round(memory), total_cpu_percent: round(cpu) },
    health: input.health,
    uptime_seconds: round(input.uptimeSeconds, 1),
  };
}
