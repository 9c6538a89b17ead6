import { HealthStatus, ServiceStats, ServiceStatus } from '@myagent/models';
import * as v from 'valibot';
import { type Output, percent } from '../../output.js';
import { named } from '../../render.js';
import type { CommandContext, CommandSpec, OptionValues } from '../../spec.js';

/** The `stats` event of `/api/v1/events?stats_interval=S`. */
const StatsEvent = v.object({
  timestamp: v.string(),
  services: v.array(
    v.object({
      service_id: v.string(),
      name: v.string(),
      status: ServiceStatus,
      health: HealthStatus,
      stats: ServiceStats,
    }),
  ),
  connections: v.object({ total_connections: v.number(), active_connections: v.number() }),
});
type StatsEvent = v.InferOutput<typeof StatsEvent>;

const MAX_EVENTS = 8;

// The terminal's alternate screen (what top and pm2 monit draw on): the user's scrollback is left as it was.
const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';
const HOME = '\x1b[H\x1b[2J';

/** One line about a live event (`status`, `health`, `restart`...), or undefined for those not shown. */
function describeEvent(
  out: Output,
  event: string,
  data: Record<string, unknown>,
  names: Map<string, string>,
): string | undefined {
  const name = String(data.name ?? names.get(String(data.service_id)) ?? data.service_id ?? '');
  const at = new Date(String(data.timestamp ?? Date.now())).toLocaleTimeString();
  switch (event) {
    case 'status':
      return `${at}  ${name}: ${out.status(String(data.from))} → ${out.status(String(data.to))}${data.error_message ? ` (${String(data.error_message).split('\n')[0]})` : ''}`;
    case 'health':
      return `${at}  ${name}: health ${out.status(String(data.status ?? data.to ?? ''))}`;
    case 'restart':
    case 'restart_limit':
    case 'service':
    case 'routing_failed':
      return `${at}  ${name}: ${event}${data.action ? ` ${String(data.action)}` : ''}${data.reason ? ` (${String(data.reason)})` : ''}`;
    default:
      return undefined;
  }
}

/** The screen: a header, a row per service, the connection totals, the latest events. */
export function renderMonitor(
  out: Output,
  url: string,
  stats: StatsEvent | undefined,
  events: readonly string[],
  interval: number,
): string {
  const { c } = out;
  const lines: string[] = [];
  lines.push(
    `${c.bold('MyAgent monitor')}  ${url}  ${c.dim(`every ${interval}s, ${new Date().toLocaleTimeString()}`)}  ${c.dim('q to quit')}`,
  );
  lines.push('');
  if (!stats) lines.push(c.dim('waiting for the first stats...'));
  else {
    const rows = stats.services.map((s) => [
      s.name,
      s.status,
      s.health,
      String(s.stats.active_connections),
      String(s.stats.active_sessions),
      `${s.stats.cpu_usage_percent.toFixed(1)}%`,
      `${s.stats.memory_usage_mb.toFixed(1)} MB`,
      `${s.stats.avg_response_time.toFixed(0)} ms`,
      percent(s.stats.error_rate),
    ]);
    const head = ['NAME', 'STATUS', 'HEALTH', 'CONNS', 'SESSIONS', 'CPU', 'MEM', 'RESPONSE', 'ERRORS'];
    // Padded by hand (not cli-table3): colour codes must not count towards the width.
    const widths = head.map((title, i) =>
      Math.max(title.length, ...rows.map((row) => (row[i] as string).length)),
    );
    const pad = (text: string, i: number) => text.padEnd(widths[i] as number);
    lines.push(c.bold(head.map(pad).join('  ').trimEnd()));
    for (const row of rows) {
      lines.push(
        row
          .map((cell, i) =>
            i === 1 || i === 2
              ? out.status(cell) + ' '.repeat((widths[i] as number) - cell.length)
              : pad(cell, i),
          )
          .join('  ')
          .trimEnd(),
      );
    }
    if (rows.length === 0) lines.push(c.dim('no services'));
    lines.push('');
    lines.push(
      `connections: ${stats.connections.active_connections} active, ${stats.connections.total_connections} total`,
    );
  }
  lines.push('');
  lines.push(c.bold('events'));
  lines.push(...(events.length ? events : [c.dim('(none yet)')]));
  return lines.join('\n');
}

async function monitor(ctx: CommandContext, options: OptionValues): Promise<number> {
  const { client, out, io } = ctx;
  const interval = (options.interval as number | undefined) ?? 2;
  const service = options.service as string | undefined;
  const serviceId =
    service === undefined ? undefined : (await named(service, client.getService(service))).data.service_id;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const live = io.stdout.isTTY === true && !out.json;
  const stdin = io.stdin;
  const keys = live && stdin?.isTTY === true && typeof stdin.setRawMode === 'function';
  const onKey = (data: Buffer | string) => {
    const key = String(data);
    // q, Q, Ctrl+C (a byte in raw mode, not a signal), Esc.
    if (key === 'q' || key === 'Q' || key === '\x03' || key === '\x1b') stop.abort();
  };
  let stats: StatsEvent | undefined;
  const events: string[] = [];
  const names = new Map<string, string>();
  const draw = () => {
    if (live) io.stdout.write(`${HOME}${renderMonitor(out, client.url, stats, events, interval)}\n`);
  };
  const onResize = () => draw();
  if (live) {
    io.stdout.write(ENTER);
    (io.stdout as NodeJS.WriteStream).on?.('resize', onResize);
  }
  if (keys) {
    stdin.setRawMode?.(true);
    stdin.on('data', onKey);
    (stdin as NodeJS.ReadStream).resume?.();
  }
  let code = 0;
  try {
    draw();
    const stream = client.events({ service_id: serviceId, stats_interval: interval }, stop.signal);
    try {
      for await (const event of stream) {
        if (event.event === 'close') {
          code = 1;
          break;
        }
        if (event.event === 'stats') {
          const parsed = v.safeParse(StatsEvent, event.data);
          if (!parsed.success) continue;
          stats = parsed.output;
          for (const s of stats.services) names.set(s.service_id, s.name);
          if (out.json) out.print(JSON.stringify(event.data));
          else if (!live) {
            out.print(
              renderMonitor(out, client.url, stats, [], interval).split('\n').slice(2, -3).join('\n'),
            );
          }
        } else if (event.data && typeof event.data === 'object') {
          const line = describeEvent(out, event.event, event.data as Record<string, unknown>, names);
          if (line) {
            events.unshift(line);
            events.length = Math.min(events.length, MAX_EVENTS);
            if (!live && !out.json) out.print(line);
          }
          // A status change shows at once, not at the next tick.
          if (event.event === 'status' && stats) {
            const data = event.data as { service_id?: string; to?: string };
            const row = stats.services.find((s) => s.service_id === data.service_id);
            if (row && v.is(ServiceStatus, data.to)) row.status = data.to;
          }
        }
        draw();
      }
      if (!stop.signal.aborted) code = 1;
    } catch (error) {
      if (!stop.signal.aborted) throw error;
    }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    if (keys) {
      stdin.off('data', onKey);
      stdin.setRawMode?.(false);
      (stdin as NodeJS.ReadStream).pause?.();
    }
    if (live) {
      (io.stdout as NodeJS.WriteStream).off?.('resize', onResize);
      io.stdout.write(LEAVE);
    }
  }
  if (code !== 0) out.note('the manager closed the event stream (it is stopping, or went away)');
  return code;
}

export const monitorCommand: CommandSpec = {
  usage: 'monitor',
  description:
    "A live view of every service's status, health, connections, sessions, CPU and memory (q or Ctrl+C to leave)",
  options: [
    { flags: '--service <name>', description: 'only this service' },
    {
      flags: '--interval <s>',
      description: 'seconds between refreshes',
      type: 'seconds',
      min: 0.5,
      max: 3600,
      defaultText: '2',
    },
  ],
  notes:
    'On a terminal it draws a refreshing screen, like `pm2 monit` or `top`; piped, it prints one table per refresh (--json: one JSON line each).',
  examples: ['myagent-manager monitor', 'myagent-manager monitor --service weather-agent --interval 5'],
  run: (ctx, _args, options) => monitor(ctx, options),
};
