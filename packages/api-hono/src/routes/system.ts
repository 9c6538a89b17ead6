import {
  AppError,
  ManagerHealthResponse,
  ManagerInfoResponse,
  MetricName,
  StatsOverviewResponse,
  SystemStatsResponse,
  TimeseriesResponse,
} from '@myagent/models';
import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost, ManagerEvent } from '../host.js';
import { openStream, type StreamSettings } from '../sse.js';
import { listQuery, safeText, valid } from '../validate.js';
import { doc } from './common.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const MAX_POINTS = 1000;

/** A duration as the seeds write it (`30s`, `5m`, `1h`, `7d`, `2w`), at most a year. */
const Duration = v.pipe(
  v.string(),
  v.regex(/^\d{1,6}[smhdw]$/u, 'a duration such as 30s, 5m, 1h, 7d'),
  v.transform((text) => Number(text.slice(0, -1)) * (UNIT_MS[text.slice(-1)] as number)),
  v.minValue(1000, 'at least 1s'),
  v.maxValue(366 * 86_400_000, 'at most a year'),
);

const TimeseriesQuery = v.object({
  metric: v.optional(MetricName, 'connections'),
  period: v.optional(v.pipe(v.string(), v.maxLength(16)), '1h'),
  interval: v.optional(v.pipe(v.string(), v.maxLength(16))),
  service_id: v.optional(safeText(256)),
});

const EventsQuery = v.object({
  service_id: v.optional(safeText(256)),
  types: v.optional(listQuery(v.pipe(v.string(), v.regex(/^[a-z_]{1,32}$/u)))),
  /** Seconds between `stats` events (every service's status and stats), for `monitor`; none by default. */
  stats_interval: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,5}(\.\d{1,3})?$/u, 'a number of seconds'),
      v.transform(Number),
      v.minValue(0.5),
    ),
  ),
  token: v.optional(v.string()),
});

/** Formats ms as the shortest exact duration text (`300000` → `5m`). */
function durationText(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}

/** The manager's own health and info, stats, the time series and the live event stream (spec F1). */
export function systemRoutes(host: ApiHost, streams: StreamSettings, authRequired: boolean) {
  const app = new Hono<ApiEnv>();

  app.get('/health', doc('system', "The manager's own health", ManagerHealthResponse), (c) => {
    const health = host.managerHealth();
    return c.json(
      { ...health, timestamp: new Date().toISOString() },
      health.status === 'healthy' ? 200 : 503,
    );
  });

  app.get(
    '/api/v1/info',
    doc('system', 'What this manager is and where its endpoints are', ManagerInfoResponse),
    async (c) => {
      const info = await host.info();
      return c.json({
        ...info,
        api_version: 'v1' as const,
        auth_required: authRequired,
        endpoints: {
          api: '/api/v1',
          openapi: '/openapi.json',
          events: '/api/v1/events',
          logs_follow: '/api/v1/logs/follow',
          ...info.endpoints,
        },
      });
    },
  );

  app.get(
    '/api/v1/stats',
    doc(
      'stats',
      'System stats: services, connections, sessions, performance, resources',
      SystemStatsResponse,
    ),
    async (c) => c.json(await host.systemStats()),
  );

  app.get(
    '/api/v1/stats/overview',
    doc('stats', 'The overview of seed 003 §1.4', StatsOverviewResponse),
    async (c) => c.json(await host.statsOverview()),
  );

  app.get(
    '/api/v1/stats/timeseries',
    doc(
      'stats',
      'A metric over a period, one point per interval (seed 003), system-wide or for one service',
      TimeseriesResponse,
    ),
    valid('query', TimeseriesQuery),
    async (c) => {
      const query = c.req.valid('query');
      const period = v.safeParse(Duration, query.period);
      const interval = query.interval === undefined ? undefined : v.safeParse(Duration, query.interval);
      if (!period.success || (interval && !interval.success)) {
        const bad = !period.success ? ['period', query.period] : ['interval', query.interval];
        throw new AppError(
          'INVALID_REQUEST',
          `Invalid ${bad[0]} '${bad[1]}': a duration such as 30s, 5m, 1h, 7d`,
          {
            details: { [bad[0] as string]: bad[1] },
          },
        );
      }
      const periodMs = period.output;
      const intervalMs = interval?.success
        ? interval.output
        : Math.max(1000, Math.ceil(periodMs / 12 / 1000) * 1000);
      const points = Math.ceil(periodMs / intervalMs);
      if (points > MAX_POINTS) {
        throw new AppError('INVALID_REQUEST', `At most ${MAX_POINTS} points: widen the interval`, {
          details: { period: query.period, interval: durationText(intervalMs), points },
        });
      }
      // Buckets on round times (10:00, 10:05, ...), the last one holding now.
      const to = (Math.floor(Date.now() / intervalMs) + 1) * intervalMs;
      const from = to - points * intervalMs;
      const service = query.service_id === undefined ? undefined : await host.findService(query.service_id);
      // A service since deleted is still asked by its id: its samples outlive it.
      const serviceId = service?.service_id ?? query.service_id ?? null;
      const answer = await host.timeseries({
        metric: query.metric,
        service_id: serviceId,
        from,
        to,
        interval: intervalMs,
      });
      const byTs = new Map(answer.points.map((point) => [point.ts, point.value]));
      const data = Array.from({ length: points }, (_, i) => {
        const ts = from + i * intervalMs;
        const value = byTs.get(ts);
        return {
          timestamp: new Date(ts).toISOString(),
          value: value === undefined ? null : Math.round(value * 1000) / 1000,
        };
      });
      return c.json({
        metric: query.metric,
        period: query.period,
        interval: query.interval ?? durationText(intervalMs),
        service_id: serviceId,
        aggregate: answer.aggregate,
        data,
      });
    },
  );

  app.get(
    '/api/v1/events',
    describeRoute({
      tags: ['events'],
      summary:
        'Live events (Server-Sent Events): status, health, restart, restart_limit, connections, service, routing_failed; `stats` every `stats_interval` s',
      responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': {} } } },
    }),
    valid('query', EventsQuery),
    async (c) => {
      const query = c.req.valid('query');
      const service = query.service_id === undefined ? undefined : await host.findService(query.service_id);
      const serviceId = service?.service_id ?? query.service_id;
      const types = query.types?.length ? new Set(query.types) : undefined;
      const stream = openStream(c.req.raw, streams);
      let seq = 0;
      stream.onClose(
        host.onEvent((event: ManagerEvent) => {
          if (types && !types.has(event.type)) return;
          if (serviceId !== undefined && event.service_id != null && event.service_id !== serviceId) return;
          stream.send(event.type, event.data, ++seq);
        }),
      );
      stream.send('ready', { timestamp: new Date().toISOString(), service_id: serviceId ?? null });
      if (query.stats_interval !== undefined && (!types || types.has('stats'))) {
        let busy = false;
        const tick = async () => {
          if (busy) return;
          busy = true;
          try {
            const { services } = await host.listServices({ limit: 10_000, offset: 0 });
            const shown =
              serviceId === undefined ? services : services.filter((s) => s.service_id === serviceId);
            stream.send('stats', {
              timestamp: new Date().toISOString(),
              services: shown.map((s) => ({
                service_id: s.service_id,
                name: s.name,
                status: s.status,
                health: host.healthState(s.service_id)?.status ?? 'unknown',
                stats: s.stats,
              })),
              connections: host.getConnectionStats(),
            });
          } catch {
            // The next tick tries again; a stream is no place for a stack.
          } finally {
            busy = false;
          }
        };
        const ticker = setInterval(tick, query.stats_interval * 1000);
        stream.onClose(() => clearInterval(ticker));
        void tick();
      }
      return stream.response();
    },
  );

  return app;
}
