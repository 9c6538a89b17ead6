import type { Service, ServiceStats } from '@myagent/models';
import { connectHost, fetchAgentHealth } from './agent-health.js';
import { cpuPercent, type ProcSample, readProcSample } from './proc.js';

/** Fresh stats of one service and the /proc sample they came from (kept for the next CPU delta). */
export interface CollectedStats {
  stats: Partial<ServiceStats>;
  sample: ProcSample | undefined;
}

/**
 * Stats of spec B9 for a running service: uptime from started_at, CPU % and memory from /proc/<pid>,
 * connections, sessions, errors and response time from the agent server's `GET /health`.
 */
export async function collectStats(
  service: Service,
  pid: number | undefined,
  previous: ProcSample | undefined,
  peakSoFar: number,
): Promise<CollectedStats> {
  const [sample, health] = await Promise.all([
    pid === undefined ? undefined : readProcSample(pid),
    fetchAgentHealth(connectHost(service.host), service.port),
  ]);
  const started = service.started_at ? Date.parse(service.started_at) : Number.NaN;
  const stats: Partial<ServiceStats> = {
    uptime_seconds: Number.isNaN(started) ? 0 : Math.max(0, (Date.now() - started) / 1000),
    memory_usage_mb: sample ? round(sample.memory_mb) : 0,
    cpu_usage_percent: sample ? round(cpuPercent(sample, previous)) : 0,
    last_updated: new Date().toISOString(),
  };
  if (health) {
    const active = health.active_connections ?? 0;
    const sessions = health.total_sessions ?? 0;
    const errors = health.error_count ?? 0;
    Object.assign(stats, {
      total_connections: health.total_connections ?? 0,
      active_connections: active,
      // The server's own peak sees the spikes between two polls; older servers report none.
      peak_connections: Math.max(peakSoFar, active, health.peak_connections ?? 0),
      total_sessions: sessions,
      active_sessions: health.active_sessions ?? 0,
      completed_sessions: health.completed_sessions ?? 0,
      avg_session_duration: health.avg_session_duration ?? 0,
      avg_response_time: health.avg_response_time_ms ?? 0,
      error_count: errors,
      error_rate: sessions > 0 ? round(errors / sessions, 4) : 0,
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
