import { AppError, type Service, type ServiceListResponse } from '@myagent/models';
import type * as v from 'valibot';
import type { Reply } from './client.js';
import { duration, type Output, percent, time } from './output.js';
import type { CommandContext } from './spec.js';

/** How long a service has been up, from its stats or its start time; `-` when it is not running. */
export function uptimeOf(service: Service, now = Date.now()): string {
  if (service.status !== 'running' && service.status !== 'unhealthy') return '-';
  if (service.stats.uptime_seconds > 0) return duration(service.stats.uptime_seconds);
  return service.started_at ? duration((now - Date.parse(service.started_at)) / 1000) : '-';
}

/** A reply whose rows name services by id, with the services listed beside it to name them. */
export interface NamedReply<T> {
  data: T;
  services: v.InferOutput<typeof ServiceListResponse>;
  /** The service's name, or the id itself for a service that is gone. */
  nameOf(serviceId: string): string;
}

/**
 * Awaits `reply` with the service list fetched alongside, for output that names each row's service
 * (connections, traces, stats). Under `--json` it prints the reply as the manager sent it and returns
 * undefined: the command has nothing left to do.
 */
export async function withServiceNames<T>(
  ctx: CommandContext,
  reply: Promise<Reply<T>>,
): Promise<NamedReply<T> | undefined> {
  const [answer, services] = await Promise.all([reply, ctx.client.listServices()]);
  if (ctx.out.json) {
    ctx.out.printJson(answer.json);
    return undefined;
  }
  const names = new Map(services.data.services.map((service) => [service.service_id, service.name]));
  return { data: answer.data, services: services.data, nameOf: (id) => names.get(id) ?? id };
}

/** Under a list that `--limit` cut short: how many of how many rows it shows. */
export function limitNote(out: Output, shown: number, total: number): void {
  if (total > shown) out.print(out.c.dim(`${shown} of ${total} shown (--limit)`));
}

/** The services as `list` and `status` print them. */
export function serviceTable(out: Output, services: readonly Service[]): void {
  out.table(
    ['NAME', 'STATUS', 'ENDPOINT', 'TAGS', 'CONNS', 'SESSIONS', 'CPU', 'MEM', 'UPTIME', 'RESTARTS'],
    services.map((service) => [
      service.name,
      out.status(service.status),
      service.endpoint,
      service.tags.join(',') || '-',
      service.stats.active_connections,
      service.stats.active_sessions,
      `${service.stats.cpu_usage_percent.toFixed(1)}%`,
      `${service.stats.memory_usage_mb.toFixed(1)} MB`,
      uptimeOf(service),
      service.restart_count,
    ]),
    'no services (register one: myagent-manager register NAME PATH)',
  );
}

/** A service in full: identity, config, stats, health. */
export function serviceDetails(
  out: Output,
  service: Service & {
    health?: { status: string; last_check: string | null; response_time_ms: number | null };
  },
): void {
  const { c } = out;
  out.heading(`${service.name}  ${out.status(service.status)}`);
  out.pairs([
    ['id', service.service_id],
    ['endpoint', service.endpoint],
    ['agent', service.config.agent_factory_path],
    ['description', service.description || '-'],
    ['tags', service.tags.join(', ') || '-'],
    ['created', time(service.created_at)],
    ['started', time(service.started_at)],
    ['uptime', uptimeOf(service)],
    ['restarts', service.restart_count],
    ...(service.restart_due_at
      ? ([['restart due', time(service.restart_due_at)]] as [string, string][])
      : []),
    ...(service.error_message
      ? ([['error', c.red(service.error_message.split('\n')[0] ?? '')]] as [string, string][])
      : []),
  ]);
  if (service.health) {
    out.print();
    out.heading('health');
    out.pairs([
      ['status', out.status(service.health.status)],
      ['last check', time(service.health.last_check)],
      [
        'response',
        service.health.response_time_ms === null ? '-' : `${service.health.response_time_ms.toFixed(1)} ms`,
      ],
    ]);
  }
  const s = service.stats;
  out.print();
  out.heading('stats');
  out.pairs([
    [
      'connections',
      `${s.active_connections} active, ${s.total_connections} total, ${s.peak_connections} peak`,
    ],
    ['sessions', `${s.active_sessions} active, ${s.total_sessions} total, ${s.completed_sessions} completed`],
    ['avg session', `${s.avg_session_duration.toFixed(1)} s`],
    ['avg response', `${s.avg_response_time.toFixed(1)} ms`],
    ['errors', `${s.error_count} (${percent(s.error_rate)})`],
    ['cpu', `${s.cpu_usage_percent.toFixed(1)}%`],
    ['memory', `${s.memory_usage_mb.toFixed(1)} MB`],
  ]);
  const config = service.config;
  out.print();
  out.heading('config');
  out.pairs([
    ['max_sessions', config.max_sessions === 0 ? '0 (unlimited)' : config.max_sessions],
    ['session_timeout', `${config.session_timeout} s`],
    ['heartbeat_interval', `${config.heartbeat_interval} s`],
    ['run_timeout', `${config.run_timeout} s`],
    ['auto_restart', String(config.auto_restart)],
    ['max_restart_count', config.max_restart_count],
    ['restart_delay', `${config.restart_delay} s`],
    ['health_check', config.health_check_enabled ? `every ${config.health_check_interval} s` : 'off'],
    ['environment', Object.keys(config.environment).join(', ') || '-'],
  ]);
}

/** Rewords the API's not-found for a service the user named: `no service named 'x'`. */
export async function named<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (AppError.is(error) && error.code === 'SERVICE_NOT_FOUND') {
      throw new AppError('SERVICE_NOT_FOUND', `no service named '${name}'`, { details: error.details });
    }
    throw error;
  }
}

/**
 * After a service ended in ERROR: its reason and its last log lines on stderr (what the user needs to see
 * why), exit code 1.
 */
export async function reportFailure(
  ctx: CommandContext,
  name: string,
  reason: string | null,
): Promise<number> {
  const { out } = ctx;
  // The reason may quote the agent's stderr over several lines: one line, bounded, on the terminal.
  const why = reason
    ?.replace(/\s*\n\s*/gu, ' ')
    .trim()
    .slice(0, 500);
  out.note(`${out.c.red('✖')} ${name} is in ERROR${why ? `: ${why}` : ''}`);
  const logs = await ctx.client.serviceLogs(name, { limit: 10 }).catch(() => undefined);
  if (logs && logs.data.lines.length > 0) {
    out.note(out.c.dim('its last log lines:'));
    for (const line of logs.data.lines) out.note(`  ${out.c.dim(time(line.timestamp))} ${line.message}`);
  }
  return 1;
}
