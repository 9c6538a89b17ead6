import type { TotalsRepository } from '@myagent/storage-kysely';
import type { MetricsSampler } from './metrics/sampler.js';
import type { SystemStats } from './system-stats.js';

/** The overview of seed 003 §1.4. */
export interface StatsOverview {
  services: { total: number; running: number; stopped: number; error: number };
  connections: { total: number; active: number; peak_today: number };
  sessions: { total_today: number; active: number; completed_today: number };
  performance: { avg_response_time_ms: number; throughput_per_minute: number; error_rate: number };
  resources: { total_memory_mb: number; total_cpu_percent: number };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Folds the system stats with the persisted totals (connections ever, today's peak and sessions, which
 * survive restarts of services and of the manager) and the last five minutes of relayed messages.
 */
export async function statsOverview(
  stats: SystemStats,
  totals: TotalsRepository,
  metrics: MetricsSampler,
): Promise<StatsOverview> {
  const now = Date.now();
  const today = `day:${new Date(now).toISOString().slice(0, 10)}`;
  const [system, day, messages] = await Promise.all([
    totals.get('system'),
    totals.get(today),
    metrics.query({
      metric: 'messages',
      service_id: null,
      from: now - 300_000,
      to: now + 1,
      interval: 300_001,
    }),
  ]);
  const recentMessages = messages.points.reduce((sum, point) => sum + point.value, 0);
  const sessionsToday = day.total_sessions ?? 0;
  const errors = system.error_count ?? stats.performance.error_count;
  const sessionsEver = Math.max(system.total_sessions ?? 0, stats.sessions.total);
  return {
    services: {
      total: stats.services.total,
      running: stats.services.running,
      stopped: stats.services.stopped,
      error: stats.services.error + stats.services.unhealthy,
    },
    connections: {
      total: Math.max(system.total_connections ?? 0, stats.connections.total),
      active: stats.connections.active,
      peak_today: Math.max(day.peak_connections ?? 0, stats.connections.active),
    },
    sessions: {
      total_today: Math.max(sessionsToday, 0),
      active: stats.sessions.active,
      completed_today: day.completed_sessions ?? 0,
    },
    performance: {
      avg_response_time_ms: stats.performance.avg_response_time_ms,
      throughput_per_minute: round(recentMessages / 5),
      error_rate: round(sessionsEver > 0 ? errors / sessionsEver : 0, 4),
    },
    resources: stats.resources,
  };
}
