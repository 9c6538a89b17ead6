import type { Service, ServiceStats } from '@myagent/models';
import { connectHost, fetchAgentHealth } from './agent-health.js';
import { cpuPercent, type ProcSample, readProcSample } from './proc.js';

/** Fresh stats of one service and the /proc sample they came from (kept for the next CPU delta). */
export interface CollectedStats {
  stats: Partial<ServiceStats>;
  sample: ProcSample | undefined;
}

/**
 * The cumulative figures of a service when its current child started: an agent server counts from zero,
 * so what it reports is added to these, and totals survive a restart of the child or of the manager.
 */
export type StatTotals = Pick<
  ServiceStats,
  | 'total_connections'
  | 'peak_connections'
  | 'total_sessions'
  | 'completed_sessions'
  | 'avg_session_duration'
  | 'avg_response_time'
  | 'error_count'
>;

/** The totals part of stored stats, the baseline of the next child. */
export function totalsOf(stats: ServiceStats): StatTotals {
  return {
    total_connections: stats.total_connections,
    peak_connections: stats.peak_connections,
    total_sessions: stats.total_sessions,
    completed_sessions: stats.completed_sessions,
    avg_session_duration: stats.avg_session_duration,
    avg_response_time: stats.avg_response_time,
    error_count: stats.error_count,
  };
}

const NO_TOTALS: StatTotals = {
  total_connections: 0,
  peak_connections: 0,
  total_sessions: 0,
  completed_sessions: 0,
  avg_session_duration: 0,
  avg_response_time: 0,
  error_count: 0,
};

/** The mean of two means, each weighted by its count. */
function mean(a: number, weightA: number, b: number, weightB: number): number {
  return weightA + weightB > 0 ? (a * weightA + b * weightB) / (weightA + weightB) : 0;
}

/** What the stats of the current child are read against (a service's runtime in the registry fits). */
export interface StatsSource {
  readonly pid: number | undefined;
  /** The previous /proc reading, for the CPU delta. */
  sample?: ProcSample;
  /** The most connections seen at once so far. */
  peak: number;
  /** The totals of the children before this one. */
  baseline?: StatTotals;
}

/**
 * Stats of spec B9 for a running service: uptime from started_at, CPU % and memory from /proc/<pid>,
 * connections, sessions, errors and response time from the agent server's `GET /health` (waited for at
 * most `timeoutMs`), added to the baseline totals of the children before this one.
 */
export async function collectStats(
  service: Service,
  source: StatsSource,
  timeoutMs = 2_000,
): Promise<CollectedStats> {
  const { pid, sample: previous, peak: peakSoFar, baseline = NO_TOTALS } = source;
  const [sample, health] = await Promise.all([
    pid === undefined ? undefined : readProcSample(pid),
    fetchAgentHealth(connectHost(service.host), service.port, timeoutMs),
  ]);
  const started = service.started_at ? Date.parse(service.started_at) : Number.NaN;
  const stats: Partial<ServiceStats> = {
    uptime_seconds: Number.isNaN(started) ? 0 : Math.max(0, (Date.now() - started) / 1000),
    memory_usage_mb: sample ? round(sample.memory_mb) : 0,
    cpu_usage_percent: sample ? round(cpuPercent(sample, previous)) : 0,
    last_updated: new Date().toISOString(),
  };
  if (health) {
    const active = health.active_connections;
    const sessions = health.total_sessions;
    const completed = health.completed_sessions;
    const totalSessions = baseline.total_sessions + sessions;
    const errors = baseline.error_count + health.error_count;
    Object.assign(stats, {
      total_connections: baseline.total_connections + health.total_connections,
      active_connections: active,
      // The server's own peak sees the spikes between two polls.
      peak_connections: Math.max(peakSoFar, baseline.peak_connections, active, health.peak_connections),
      total_sessions: totalSessions,
      active_sessions: health.active_sessions,
      completed_sessions: baseline.completed_sessions + completed,
      avg_session_duration: mean(
        baseline.avg_session_duration,
        baseline.completed_sessions,
        health.avg_session_duration,
        completed,
      ),
      // Weighted by sessions: the server reports no count of runs.
      avg_response_time: round(
        mean(baseline.avg_response_time, baseline.total_sessions, health.avg_response_time_ms, sessions),
      ),
      error_count: errors,
      error_rate: totalSessions > 0 ? round(errors / totalSessions, 4) : 0,
    });
  }
  return { stats, sample };
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The live figures of a service that no longer runs; its totals are kept. */
export function stoppedStats(): Partial<ServiceStats> {
  return {
    active_connections: 0,
    active_sessions: 0,
    uptime_seconds: 0,
    memory_usage_mb: 0,
    cpu_usage_percent: 0,
  };
}
