import { duration, percent } from '../../output.js';
import { withServiceNames } from '../../render.js';
import type { CommandSpec } from '../../spec.js';

export const stats: CommandSpec = {
  usage: 'stats',
  description: 'System stats: services by status, connections, sessions, performance, resources, health',
  examples: ['myagent-manager stats', 'myagent-manager stats --json'],
  async run(ctx) {
    const { client, out } = ctx;
    const reply = await withServiceNames(ctx, client.systemStats());
    if (!reply) return;
    const s = reply.data;
    const byStatus = Object.entries(s.services)
      .filter(([key, count]) => key !== 'total' && count > 0)
      .map(([key, count]) => `${count} ${out.status(key)}`)
      .join(', ');
    out.pairs([
      ['uptime', duration(s.uptime_seconds)],
      ['services', `${s.services.total ?? reply.services.total} total${byStatus ? `: ${byStatus}` : ''}`],
      ['connections', `${s.connections.active} active, ${s.connections.total} total`],
      [
        'sessions',
        `${s.sessions.active} active, ${s.sessions.total} total, ${s.sessions.completed} completed`,
      ],
      ['response time', `${s.performance.avg_response_time_ms.toFixed(1)} ms avg`],
      ['errors', `${s.performance.error_count} (${percent(s.performance.error_rate)})`],
      ['memory', `${s.resources.total_memory_mb.toFixed(1)} MB`],
      ['cpu', `${s.resources.total_cpu_percent.toFixed(1)}%`],
      [
        'health',
        `${s.health.healthy} healthy, ${s.health.unhealthy} unhealthy, ${s.health.degraded} degraded, ${s.health.unknown} unknown`,
      ],
    ]);
    const rows = Object.entries(s.connections.by_service);
    if (rows.length > 0) {
      out.print();
      out.table(
        ['SERVICE', 'CONNECTIONS'],
        rows.map(([id, count]) => [reply.nameOf(id), count]),
      );
    }
  },
};
