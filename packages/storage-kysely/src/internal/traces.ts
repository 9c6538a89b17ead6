import {
  AppError,
  parseOrThrow,
  TraceEvent,
  TraceStatus,
  type TraceSummary,
  TraceSummary as TraceSummarySchema,
} from '@myagent/models';
import type { Insertable, Selectable } from 'kysely';
import type { TraceEventsTable, TracesTable } from '../schema.js';
import type { TraceRepository } from '../trace-repository.js';
import {
  type Context,
  canonicalTime,
  fromJson,
  guard,
  insertChunked,
  nonNegativeInteger,
  nullableNumber,
  page,
  parseRow,
  toJson,
  toNumber,
  total,
  writeTransaction,
} from './db.js';

// Runs and their events. A summary is upserted whole each time its run's events are written (the manager
// keeps the live summary in memory), so a write never reads; retention keeps the newest runs by start.

function toSummaryRow(input: unknown): Insertable<TracesTable> {
  const trace = parseOrThrow(TraceSummarySchema, input, 'trace');
  return { ...trace, started_at: canonicalTime(trace.started_at), ended_at: canonicalTime(trace.ended_at) };
}

function toEventRow(input: unknown): Insertable<TraceEventsTable> {
  const event = parseOrThrow(TraceEvent, input, 'trace event');
  const traceId = 'trace_id' in event.data ? event.data.trace_id : undefined;
  if (traceId === undefined) {
    throw new AppError('INVALID_REQUEST', `A stored trace event needs data.trace_id (${event.event_type})`);
  }
  return {
    trace_id: traceId,
    event_type: event.event_type,
    timestamp: canonicalTime(event.timestamp),
    message_id: event.message_id,
    session_id: event.session_id,
    data: toJson(event.data),
  };
}

function fromSummaryRow(row: Selectable<TracesTable>): TraceSummary {
  return parseRow(
    TraceSummarySchema,
    {
      ...row,
      duration_ms: nullableNumber(row.duration_ms),
      input_tokens: toNumber(row.input_tokens),
      output_tokens: toNumber(row.output_tokens),
      final_answer_chars: toNumber(row.final_answer_chars),
    },
    'trace',
  );
}

const SUMMARY_UPDATES = [
  'status',
  'ended_at',
  'duration_ms',
  'steps',
  'tool_calls',
  'llm_calls',
  'input_tokens',
  'output_tokens',
  'final_answer_chars',
  'error_code',
  'error_message',
] as const;

/** The trace repository. */
export function createTraceRepository(ctx: Context): TraceRepository {
  return {
    write: async (batch) => {
      const summaries = batch.summaries.map(toSummaryRow);
      const events = batch.events.map(toEventRow);
      if (summaries.length === 0 && events.length === 0) return;
      await guard(
        'write traces',
        () =>
          writeTransaction(ctx, async (trx) => {
            // 18 columns x 200 rows and 6 x 1000 stay far under either dialect's parameter limit.
            for (let i = 0; i < summaries.length; i += 200) {
              await trx
                .insertInto('traces')
                .values(summaries.slice(i, i + 200))
                .onConflict((oc) =>
                  oc
                    .column('trace_id')
                    .doUpdateSet((eb) =>
                      Object.fromEntries(SUMMARY_UPDATES.map((c) => [c, eb.ref(`excluded.${c}`)])),
                    ),
                )
                .execute();
            }
            await insertChunked(trx, 'trace_events', events, 1000);
          }),
        (kind) =>
          kind === 'foreign_key'
            ? { code: 'INVALID_REQUEST', message: 'A trace event names a trace that is not stored' }
            : undefined,
      );
    },

    list: async (options = {}) => {
      const { limit, offset } = page(options.limit, options.offset, 50);
      const status =
        options.status === undefined ? undefined : parseOrThrow(TraceStatus, options.status, 'status');
      return guard('list traces', async () => {
        let query = ctx.db.selectFrom('traces');
        if (options.service_id !== undefined) query = query.where('service_id', '=', options.service_id);
        if (options.session_id !== undefined) query = query.where('session_id', '=', options.session_id);
        if (status !== undefined) query = query.where('status', '=', status);
        const rows = await query
          .selectAll()
          .orderBy('started_at', 'desc')
          .orderBy('trace_id', 'desc')
          .limit(limit)
          .offset(offset)
          .execute();
        return { traces: rows.map(fromSummaryRow), total: await total(query, rows.length, limit, offset) };
      });
    },

    get: async (traceId) =>
      guard('read a trace', async () => {
        const row = await ctx.db
          .selectFrom('traces')
          .selectAll()
          .where('trace_id', '=', traceId)
          .executeTakeFirst();
        if (row === undefined) return undefined;
        const rows = await ctx.db
          .selectFrom('trace_events')
          .select(['event_type', 'timestamp', 'message_id', 'session_id', 'data'])
          .where('trace_id', '=', traceId)
          .orderBy('id')
          .execute();
        return {
          trace: fromSummaryRow(row),
          events: rows.map((r) =>
            parseRow(TraceEvent, { ...r, service_id: row.service_id, data: fromJson(r.data) }, 'trace event'),
          ),
        };
      }),

    prune: async (keep) => {
      const checked = nonNegativeInteger(keep, 'keep');
      return guard('prune traces', async () => {
        const cutoff = await ctx.db
          .selectFrom('traces')
          .select('started_at')
          .orderBy('started_at', 'desc')
          .limit(1)
          .offset(checked)
          .executeTakeFirst();
        if (cutoff === undefined) return 0;
        // Everything at or before the (keep+1)-th newest start goes; its events go with it (cascade).
        const result = await writeTransaction(ctx, (trx) =>
          trx.deleteFrom('traces').where('started_at', '<=', cutoff.started_at).executeTakeFirst(),
        );
        return Number(result.numDeletedRows);
      });
    },
  };
}
