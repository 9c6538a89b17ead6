import { LogLevel, LogListResponse } from '@myagent/models';
import { type Context, Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost, LogEntry } from '../host.js';
import { openStream, type StreamSettings } from '../sse.js';
import { IdParam, intQuery, safeText, TimestampQuery, valid } from '../validate.js';
import { doc, requireService } from './common.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const ServiceLogsQuery = v.object({
  level: v.optional(LogLevel),
  limit: intQuery(1, 10_000, 100),
  since: v.optional(TimestampQuery),
});
const SearchQuery = v.object({
  query: safeText(1024),
  service_id: v.optional(safeText(256)),
  level: v.optional(LogLevel),
  limit: intQuery(1, 10_000, 100),
});
const FollowQuery = v.object({
  service_id: v.optional(safeText(256)),
  level: v.optional(LogLevel),
  /** Lines of backlog sent before the live ones (like `tail -n`). */
  limit: intQuery(0, 200, 10),
  token: v.optional(v.string()),
});

const lineKey = (line: LogEntry) => `${line.timestamp}\u0001${line.stream}\u0001${line.message}`;

/** Logs (spec F6): a service's lines, a search, and a live follow (SSE) for `logs --follow` and the console. */
export function logRoutes(host: ApiHost, streams: StreamSettings) {
  const app = new Hono<ApiEnv>();

  app.get(
    '/logs/services/:id',
    doc('logs', "A service's newest log lines, oldest first", LogListResponse),
    valid('param', IdParam),
    valid('query', ServiceLogsQuery),
    async (c) => {
      const service = await requireService(host, c.req.valid('param').id);
      const query = c.req.valid('query');
      const lines = await host.serviceLogs(service.service_id, query);
      return c.json({ service_id: service.service_id, lines, total: lines.length });
    },
  );

  app.get(
    '/logs/search',
    doc('logs', 'Log lines containing a text', LogListResponse),
    valid('query', SearchQuery),
    async (c) => {
      const { query, service_id, ...options } = c.req.valid('query');
      const service = service_id === undefined ? undefined : await requireService(host, service_id);
      const lines = await host.searchLogs(query, {
        ...options,
        ...(service ? { service_id: service.service_id } : {}),
      });
      return c.json({ service_id: service?.service_id ?? null, query, lines, total: lines.length });
    },
  );

  const follow = async (
    c: Context<ApiEnv>,
    serviceIdOrName: string | undefined,
    query: v.InferOutput<typeof FollowQuery>,
  ) => {
    const service = serviceIdOrName === undefined ? undefined : await requireService(host, serviceIdOrName);
    const minRank = query.level ? RANK[query.level] : 0;
    const wanted = (line: LogEntry) =>
      (service === undefined || line.service_id === service.service_id) && RANK[line.level] >= minRank;
    const stream = openStream(c.req.raw, streams);
    // Subscribed before the backlog is read, so no line falls between them; duplicates are skipped.
    let pending: LogEntry[] | undefined = [];
    stream.onClose(
      host.onLog((line) => {
        if (!wanted(line)) return;
        if (pending) pending.push(line);
        else stream.send('log', line);
      }),
    );
    stream.send('ready', { service_id: service?.service_id ?? null, level: query.level ?? null });
    const backlog =
      service && query.limit > 0
        ? await host
            .serviceLogs(service.service_id, { level: query.level, limit: query.limit })
            .catch(() => [])
        : [];
    const seen = new Set(backlog.map(lineKey));
    for (const line of backlog) stream.send('log', line);
    const live = pending;
    pending = undefined;
    for (const line of live) if (!seen.has(lineKey(line))) stream.send('log', line);
    return stream.response();
  };

  const followDoc = describeRoute({
    tags: ['logs'],
    summary: 'Follow log lines live (Server-Sent Events: `log` events with a log line each)',
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': {} } } },
  });
  app.get('/logs/follow', followDoc, valid('query', FollowQuery), (c) => {
    const query = c.req.valid('query');
    return follow(c, query.service_id, query);
  });
  app.get('/logs/services/:id/follow', followDoc, valid('param', IdParam), valid('query', FollowQuery), (c) =>
    follow(c, c.req.valid('param').id, c.req.valid('query')),
  );

  return app;
}
