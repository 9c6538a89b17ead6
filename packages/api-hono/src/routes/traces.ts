import { TraceDetailResponse, TraceListResponse, TraceStatus } from '@myagent/models';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost } from '../host.js';
import { intQuery, safeText, valid } from '../validate.js';
import { doc } from './common.js';

const ListQuery = v.object({
  service_id: v.optional(safeText(256)),
  session_id: v.optional(safeText(128)),
  status: v.optional(TraceStatus),
  limit: intQuery(1, 1000, 50),
  offset: intQuery(0, 1_000_000, 0),
});

const TraceParam = v.object({ trace_id: safeText(128) });

/** Traces of agent runs (spec H2, seed 004): the runs, and one run with its events and spans. */
export function traceRoutes(host: ApiHost) {
  const app = new Hono<ApiEnv>();

  app.get(
    '/traces',
    doc('traces', 'Agent runs, newest first', TraceListResponse, {
      description:
        'Filter by `service_id` (id or name), `session_id` and `status` (running, completed, failed, cancelled, timeout). Live events stream on the WebSocket `/ws/traces`.',
    }),
    valid('query', ListQuery),
    async (c) => {
      const query = c.req.valid('query');
      const service = query.service_id === undefined ? undefined : await host.findService(query.service_id);
      return c.json(await host.listTraces({ ...query, service_id: service?.service_id ?? query.service_id }));
    },
  );

  app.get(
    '/traces/:trace_id',
    doc('traces', 'One run: its summary, its events in order and its spans', TraceDetailResponse),
    valid('param', TraceParam),
    async (c) => c.json(await host.getTrace(c.req.valid('param').trace_id)),
  );

  return app;
}
