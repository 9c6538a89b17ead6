import {
  AppError,
  type ConnectionInfo,
  ConnectionInfo as ConnectionInfoSchema,
  ConnectionStatus,
  type ConnectionStatus as ConnectionStatusValue,
  isoNow,
  parseOrThrow,
  Timestamp,
} from '@myagent/models';
import type { Insertable, Selectable } from 'kysely';
import type {
  ConnectionRepository,
  ConnectionStats,
  ListConnectionsOptions,
} from '../connection-repository.js';
import type { ConnectionsTable } from '../schema.js';
import {
  type Context,
  canonicalTime,
  fromJson,
  guard,
  nullableNumber,
  page,
  parseRow,
  statusFilter,
  toJson,
  total,
  writeTransaction,
} from './db.js';

const CLOSED = ['disconnected', 'error'] as const;

function validate(input: unknown): ConnectionInfo {
  const info = parseOrThrow(ConnectionInfoSchema, input, 'connection');
  return {
    ...info,
    connected_at: canonicalTime(info.connected_at),
    last_activity: canonicalTime(info.last_activity),
    disconnected_at: canonicalTime(info.disconnected_at),
  };
}

function toRow(info: ConnectionInfo): Insertable<ConnectionsTable> {
  return { ...info, routing_metadata: toJson(info.routing_metadata) };
}

function fromRow(row: Selectable<ConnectionsTable>): ConnectionInfo {
  return parseRow(
    ConnectionInfoSchema,
    {
      ...row,
      client_port: nullableNumber(row.client_port),
      bytes_sent: Number(row.bytes_sent),
      bytes_received: Number(row.bytes_received),
      message_count: Number(row.message_count),
      routing_metadata: fromJson(row.routing_metadata),
    },
    'connection',
  );
}

function counter(value: number | undefined, name: string): number {
  const amount = value ?? 0;
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new AppError('INVALID_REQUEST', `${name} must be a non-negative integer`, {
      details: { [name]: value },
    });
  }
  return amount;
}

/** The checked final status and time of a close. */
function closing(status: string, at: string | undefined) {
  const final = parseOrThrow(ConnectionStatus, status, 'status');
  if (!(CLOSED as readonly string[]).includes(final)) {
    throw new AppError('INVALID_REQUEST', `A connection closes as 'disconnected' or 'error'`, {
      details: { status },
    });
  }
  return { final, when: canonicalTime(parseOrThrow(Timestamp, at ?? isoNow(), 'disconnected_at')) };
}

/** The connection records repository. */
export function createConnectionRepository(ctx: Context): ConnectionRepository {
  const select = (id: string) =>
    ctx.db.selectFrom('connections').selectAll().where('connection_id', '=', id).executeTakeFirst();

  return {
    open: async (input) => {
      const info = validate(input);
      return guard(
        'record a connection',
        async () => {
          await ctx.db.insertInto('connections').values(toRow(info)).execute();
          return info;
        },
        (kind) =>
          kind === 'unique'
            ? {
                code: 'INVALID_REQUEST',
                message: `Connection '${info.connection_id}' is already recorded`,
                details: { connection_id: info.connection_id },
              }
            : undefined,
      );
    },

    update: (id, patch) =>
      guard('update a connection', () =>
        writeTransaction(ctx, async (trx) => {
          const query = trx.selectFrom('connections').selectAll().where('connection_id', '=', id);
          const row = await (ctx.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
          if (!row) return undefined;
          const info = validate({ ...fromRow(row), ...patch, connection_id: id });
          const { connection_id: _, ...values } = toRow(info);
          await trx.updateTable('connections').set(values).where('connection_id', '=', id).execute();
          return info;
        }),
      ),

    addCounters: async (id, counters) => {
      const sent = counter(counters.bytes_sent, 'bytes_sent');
      const received = counter(counters.bytes_received, 'bytes_received');
      const messages = counter(counters.message_count, 'message_count');
      return guard('count connection traffic', async () => {
        // One statement, so concurrent increments never lose each other.
        const row = await ctx.db
          .updateTable('connections')
          .set((eb) => ({
            bytes_sent: eb('bytes_sent', '+', sent),
            bytes_received: eb('bytes_received', '+', received),
            message_count: eb('message_count', '+', messages),
            last_activity: isoNow(),
          }))
          .where('connection_id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row && fromRow(row);
      });
    },

    close: async (id, status = 'disconnected', at) => {
      const { final, when } = closing(status, at);
      return guard('close a connection', async () => {
        const row = await ctx.db
          .updateTable('connections')
          .set({ status: final, disconnected_at: when, last_activity: when })
          .where('connection_id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row && fromRow(row);
      });
    },

    get: (id) =>
      guard('get a connection', async () => {
        const row = await select(id);
        return row && fromRow(row);
      }),

    list: async (options: ListConnectionsOptions = {}) => {
      const { limit, offset } = page(options.limit, options.offset);
      const statuses = statusFilter(ConnectionStatus, options.status);
      return guard('list connections', async () => {
        let query = ctx.db.selectFrom('connections');
        if (options.service_id !== undefined) {
          query = query.where('target_service_id', '=', options.service_id);
        }
        if (statuses.length > 0) query = query.where('status', 'in', statuses);
        const rows = await query
          .selectAll()
          .orderBy('connected_at', 'desc')
          .orderBy('connection_id')
          .limit(limit)
          .offset(offset)
          .execute();
        return {
          connections: rows.map(fromRow),
          total: await total(query, rows.length, limit, offset),
        };
      });
    },

    stats: () =>
      guard('count connections', async () => {
        const [byStatus, byService] = await Promise.all([
          ctx.db
            .selectFrom('connections')
            .select((eb) => [
              'status',
              eb.fn.countAll().as('count'),
              eb.fn.sum('bytes_sent').as('bytes_sent'),
              eb.fn.sum('bytes_received').as('bytes_received'),
              eb.fn.sum('message_count').as('message_count'),
            ])
            .groupBy('status')
            .execute(),
          ctx.db
            .selectFrom('connections')
            .select((eb) => ['target_service_id', eb.fn.countAll().as('count')])
            .where('status', 'not in', CLOSED)
            .groupBy('target_service_id')
            .execute(),
        ]);
        const stats: ConnectionStats = {
          total: 0,
          open: 0,
          by_status: Object.fromEntries(
            ConnectionStatus.options.map((s) => [s, 0]),
          ) as ConnectionStats['by_status'],
          open_by_service: {},
          bytes_sent: 0,
          bytes_received: 0,
          message_count: 0,
        };
        for (const row of byStatus) {
          const count = Number(row.count);
          stats.by_status[row.status as ConnectionStatusValue] = count;
          stats.total += count;
          if (!(CLOSED as readonly string[]).includes(row.status)) stats.open += count;
          stats.bytes_sent += Number(row.bytes_sent ?? 0);
          stats.bytes_received += Number(row.bytes_received ?? 0);
          stats.message_count += Number(row.message_count ?? 0);
        }
        for (const row of byService) stats.open_by_service[row.target_service_id] = Number(row.count);
        return stats;
      }),

    closeOpen: async (status = 'disconnected', at) => {
      const { final, when } = closing(status, at);
      return guard('close the open connections', async () => {
        const result = await ctx.db
          .updateTable('connections')
          .set({ status: final, disconnected_at: when, last_activity: when })
          .where('status', 'not in', CLOSED)
          .executeTakeFirst();
        return Number(result.numUpdatedRows);
      });
    },

    pruneClosed: async (before) => {
      const cutoff = canonicalTime(parseOrThrow(Timestamp, before, 'before'));
      return guard('prune connections', async () => {
        const result = await ctx.db
          .deleteFrom('connections')
          .where('disconnected_at', 'is not', null)
          .where('disconnected_at', '<', cutoff)
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
  };
}
