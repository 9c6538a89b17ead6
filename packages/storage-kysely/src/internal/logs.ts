import { AppError, type LogLevel, LogLine, parseOrThrow, Timestamp } from '@myagent/models';
import { type Insertable, type Selectable, sql } from 'kysely';
import type { LogRepository, StoredLogLine } from '../log-repository.js';
import type { ServiceLogsTable } from '../schema.js';
import {
  type Context,
  canonicalTime,
  fromJson,
  guard,
  insertChunked,
  nonNegativeInteger,
  page,
  parseRow,
  toJson,
  writeTransaction,
} from './db.js';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function rankOf(level: unknown): number {
  const rank = RANK[level as LogLevel];
  if (rank === undefined) {
    throw new AppError('INVALID_REQUEST', `Unknown log level '${String(level)}'`, {
      details: { level, levels: Object.keys(RANK) },
    });
  }
  return rank;
}

function toRow(input: unknown): Insertable<ServiceLogsTable> {
  const line = parseOrThrow(LogLine, input, 'log line');
  return {
    ...line,
    timestamp: canonicalTime(line.timestamp),
    level_rank: RANK[line.level],
    fields: toJson(line.fields),
  };
}

function fromRow(row: Omit<Selectable<ServiceLogsTable>, 'level_rank'>): StoredLogLine {
  const { id, ...rest } = row;
  const line = parseRow(LogLine, { ...rest, fields: fromJson(row.fields) }, 'log line');
  return { id: Number(id), ...line };
}

const columns = ['id', 'service_id', 'timestamp', 'level', 'stream', 'message', 'fields'] as const;

/** The service log repository: bounded per service with `prune`. */
export function createLogRepository(ctx: Context): LogRepository {
  return {
    append: async (lines) => {
      const rows = lines.map(toRow);
      return guard(
        'append log lines',
        async () => {
          if (rows.length === 0) return 0;
          // 8 columns x 500 rows stays far under either dialect's bound-parameter limit.
          await writeTransaction(ctx, (trx) => insertChunked(trx, 'service_logs', rows, 500));
          return rows.length;
        },
        (kind) =>
          kind === 'foreign_key'
            ? { code: 'SERVICE_NOT_FOUND', message: 'A log line names a service that is not stored' }
            : undefined,
      );
    },

    list: async (serviceId, options = {}) => {
      const { limit } = page(options.limit, 0);
      const minRank = options.level === undefined ? undefined : rankOf(options.level);
      const since =
        options.since === undefined
          ? undefined
          : canonicalTime(parseOrThrow(Timestamp, options.since, 'since'));
      const afterId =
        options.afterId === undefined ? undefined : nonNegativeInteger(options.afterId, 'afterId');
      return guard('read log lines', async () => {
        let query = ctx.db.selectFrom('service_logs').select(columns).where('service_id', '=', serviceId);
        if (minRank !== undefined) query = query.where('level_rank', '>=', minRank);
        if (since !== undefined) query = query.where('timestamp', '>=', since);
        if (afterId !== undefined) query = query.where('id', '>', afterId);
        const rows = await query.orderBy('id', 'desc').limit(limit).execute();
        return rows.reverse().map(fromRow);
      });
    },

    search: async (text, options = {}) => {
      if (typeof text !== 'string' || text.length === 0 || text.length > 1024) {
        throw new AppError('INVALID_REQUEST', 'A search text has 1 to 1024 characters', {
          details: { query: text },
        });
      }
      const { limit } = page(options.limit, 0);
      const minRank = options.level === undefined ? undefined : rankOf(options.level);
      const pattern = `%${text.replace(/[\\%_]/gu, (c) => `\\${c}`)}%`;
      const like = ctx.dialect === 'postgres' ? sql.raw('ilike') : sql.raw('like');
      return guard('search log lines', async () => {
        let query = ctx.db
          .selectFrom('service_logs')
          .select(columns)
          .where(sql<boolean>`${sql.ref('message')} ${like} ${pattern} escape '\\'`);
        if (options.service_id !== undefined) query = query.where('service_id', '=', options.service_id);
        if (minRank !== undefined) query = query.where('level_rank', '>=', minRank);
        const rows = await query.orderBy('id', 'desc').limit(limit).execute();
        return rows.reverse().map(fromRow);
      });
    },

    prune: async (serviceId, keep) => {
      const checked = nonNegativeInteger(keep, 'keep');
      return guard('prune log lines', async () => {
        // Everything at or below the id of the (keep+1)-th newest line goes; the (service_id, id) index
        // finds that id without a scan.
        const result = await ctx.db
          .deleteFrom('service_logs')
          .where('service_id', '=', serviceId)
          .where('id', '<=', (eb) =>
            eb
              .selectFrom('service_logs')
              .select('id')
              .where('service_id', '=', serviceId)
              .orderBy('id', 'desc')
              .limit(1)
              .offset(checked),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
  };
}
