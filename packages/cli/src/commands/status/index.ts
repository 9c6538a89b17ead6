import { duration, percent } from '../../output.js';
import { serviceTable } from '../../render.js';
import type { CommandSpec } from '../../spec.js';
import { showService } from '../show/index.js';

export const status: CommandSpec = {
  usage: 'status [name]',
  description: "The manager's overall status (services, connections, sessions, health), or one service's",
  examples: ['myagent-manager status', 'myagent-manager status my_service', 'myagent-manager status --json'],
  async run(ctx, [name]) {
    if (name !== undefined) return showService(ctx, name);
    const { client, out } = ctx;
    const [info, overview, health, services] = await Promise.all([
      client.info(),
      client.statsOverview(),
      client.healthOverview(),
      client.listServices(),
    ]);
    if (out.json) {
      out.printJson({
        info: info.json,
        overview: overview.json,
        health: (health.json as { summary: unknown }).summary,
        services: (services.json as { services: unknown }).services,
      });
      return;
    }
    const o = overview.data;
    const h = health.data.summary;
    out.heading(`${info.data.name} ${info.data.version}  ${client.url}`);
    out.pairs([
      ['uptime', duration(info.data.uptime_seconds)],
      ['storage', info.data.storage],
      ['auth', info.data.auth_required ? 'bearer token required' : 'none (loopback)'],
      [
        'services',
        `${o.services.total} total, ${out.c.green(`${o.services.running} running`)}, ${o.services.stopped} stopped, ${o.services.error > 0 ? out.c.red(`${o.services.error} error`) : '0 error'}`,
      ],
      [
        'health',
        `${h.healthy} healthy, ${h.unhealthy} unhealthy, ${h.degraded} degraded, ${h.unknown} unknown`,
      ],
      [
        'connections',
        `${o.connections.active} active, ${o.connections.total} total, ${o.connections.peak_today} peak today`,
      ],
      ['sessions', `${o.sessions.active} active, ${o.sessions.completed_today} completed today`],
      [
        'performance',
        `${o.performance.avg_response_time_ms.toFixed(1)} ms avg response, ${o.performance.throughput_per_minute.toFixed(1)}/min, ${percent(o.performance.error_rate)} errors`,
      ],
      [
        'resources',
        `${o.resources.total_memory_mb.toFixed(1)} MB, ${o.resources.total_cpu_percent.toFixed(1)}% CPU`,
      ],
    ]);
    out.print();
    serviceTable(out, services.data.services);
  },
};
