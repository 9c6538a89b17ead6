import {
  AppError,
  parseOrThrow,
  type Service,
  Service as ServiceSchema,
  ServiceStatus,
  Tags,
} from '@myagent/models';
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, ServicesTable } from '../schema.js';
import type { ListServicesOptions, ServiceRepository } from '../service-repository.js';
import {
  type ConstraintMapper,
  type Context,
  canonicalTime,
  fromJson,
  guard,
  page,
  parseRow,
  statusFilter,
  toJson,
  total,
  writeTransaction,
} from './db.js';

const nameTaken: ConstraintMapper = (kind, error) =>
  kind === 'unique'
    ? {
        code: 'SERVICE_ALREADY_EXISTS',
        message: 'A service with this name already exists',
        details: { constraint: (error as { constraint?: string }).constraint ?? 'services.name' },
      }
    : undefined;

function toRow(service: Service): Insertable<ServicesTable> {
  return {
    service_id: service.service_id,
    name: service.name,
    description: service.description,
    host: service.host,
    port: service.port,
    endpoint: service.endpoint,
    tags: toJson(service.tags),
    agent_type: service.agent_type,
    version: service.version,
    status: service.status,
    created_at: service.created_at,
    started_at: service.started_at,
    last_health_check: service.last_health_check,
    error_message: service.error_message,
    restart_count: service.restart_count,
    restart_due_at: service.restart_due_at,
    config: toJson(service.config),
    stats: toJson(service.stats),
  };
}

function fromRow(row: Selectable<ServicesTable>): Service {
  return parseRow(
    ServiceSchema,
    {
      ...row,
      port: Number(row.port),
      restart_count: Number(row.restart_count),
      tags: fromJson(row.tags),
      config: fromJson(row.config),
      stats: fromJson(row.stats),
    },
    'service',
  );
}

/** Validates a service and brings its timestamps to the canonical form. */
function validate(input: unknown): Service {
  const service = parseOrThrow(ServiceSchema, input, 'service');
  return {
    ...service,
    created_at: canonicalTime(service.created_at),
    started_at: canonicalTime(service.started_at),
    last_health_check: canonicalTime(service.last_health_check),
    restart_due_at: canonicalTime(service.restart_due_at),
    stats: { ...service.stats, last_updated: canonicalTime(service.stats.last_updated) },
  };
}

async function selectById(ctx: Context, db: Kysely<Database>, id: string, lock: boolean) {
  const query = db.selectFrom('services').selectAll().where('service_id', '=', id);
  return (lock && ctx.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

function positivePid(pid: number): number {
  if (!(Number.isSafeInteger(pid) && pid > 0)) {
    throw new AppError('INVALID_REQUEST', 'A process needs a positive integer pid', { details: { pid } });
  }
  return pid;
}

/** The services repository over a Kysely instance. */
export function createServiceRepository(ctx: Context): ServiceRepository {
  /** Read, change and write one service in a write transaction; `change` returning undefined aborts. */
  const mutate = (what: string, id: string, change: (service: Service) => unknown) =>
    guard(
      what,
      () =>
        writeTransaction(ctx, async (trx) => {
          const row = await selectById(ctx, trx, id, true);
          if (!row) return undefined;
          const next = change(fromRow(row));
          if (next === undefined) return undefined;
          const service = validate(next);
          const { service_id: _, ...values } = toRow(service);
          await trx.updateTable('services').set(values).where('service_id', '=', id).execute();
          return service;
        }),
      nameTaken,
    );

  return {
    save: async (input) => {
      const service = validate(input);
      return guard(
        'save a service',
        () =>
          writeTransaction(ctx, async (trx) => {
            const { service_id: _, ...values } = toRow(service);
            await trx
              .insertInto('services')
              .values(toRow(service))
              .onConflict((oc) => oc.column('service_id').doUpdateSet(values))
              .execute();
            await trx.deleteFrom('service_tags').where('service_id', '=', service.service_id).execute();
            if (service.tags.length > 0) {
              await trx
                .insertInto('service_tags')
                .values(service.tags.map((tag) => ({ service_id: service.service_id, tag })))
                .execute();
            }
            return service;
          }),
        nameTaken,
      );
    },

    get: (id) =>
      guard('get a service', async () => {
        const row = await selectById(ctx, ctx.db, id, false);
        return row && fromRow(row);
      }),

    getByName: (name) =>
      guard('get a service', async () => {
        // Names are unique regardless of case (0003's index on lower(name), which this lookup uses).
        const row = await ctx.db
          .selectFrom('services')
          .selectAll()
          .where(sql<string>`lower(name)`, '=', name.toLowerCase())
          .executeTakeFirst();
        return row && fromRow(row);
      }),

    list: async (options: ListServicesOptions = {}) => {
      const { limit, offset } = page(options.limit, options.offset);
      const statuses = statusFilter(ServiceStatus, options.status);
      const tags = parseOrThrow(Tags, [...(options.tags ?? [])], 'tags filter');
      return guard('list services', async () => {
        let query = ctx.db.selectFrom('services');
        if (statuses.length > 0) query = query.where('status', 'in', statuses);
        if (tags.length > 0) {
          query = query.where('service_id', 'in', (eb) =>
            eb
              .selectFrom('service_tags')
              .select('service_id')
              .where('tag', 'in', tags)
              .groupBy('service_id')
              .having((h) => h.fn.count('tag').distinct(), '=', tags.length),
          );
        }
        const rows = await query
          .selectAll()
          .orderBy('created_at')
          .orderBy('name')
          .limit(limit)
          .offset(offset)
          .execute();
        return { services: rows.map(fromRow), total: await total(query, rows.length, limit, offset) };
      });
    },

    updateStatus: async (id, status, options = {}) => {
      const next = parseOrThrow(ServiceStatus, status, 'status');
      const expected = options.expected;
      return mutate('update a service status', id, (service) => {
        if (expected && !expected.includes(service.status)) return undefined;
        return {
          ...service,
          status: next,
          ...(options.error_message !== undefined && { error_message: options.error_message }),
          ...(options.started_at !== undefined && { started_at: options.started_at }),
          ...(options.restart_due_at !== undefined && { restart_due_at: options.restart_due_at }),
        };
      });
    },

    updateStats: (id, stats) =>
      mutate('update service stats', id, (service) => ({
        ...service,
        stats: { ...service.stats, ...stats },
      })),

    setLastHealthCheck: (id, timestamp) =>
      mutate('record a health check time', id, (service) => ({ ...service, last_health_check: timestamp })),

    incrementRestartCount: (id) =>
      mutate('count a restart', id, (service) => ({ ...service, restart_count: service.restart_count + 1 })),

    setRestartCount: (id, count) =>
      mutate('set the restart count', id, (service) => ({ ...service, restart_count: count })),

    setProcess: async (id, process) => {
      const pid = positivePid(process.pid);
      return guard('record a service process', async () => {
        const result = await ctx.db
          .updateTable('services')
          .set({ process_pid: pid, process_host: String(process.host) })
          .where('service_id', '=', id)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      });
    },

    clearProcess: async (id, pid) => {
      const expected = positivePid(pid);
      return guard('clear a service process', async () => {
        const result = await ctx.db
          .updateTable('services')
          .set({ process_pid: null, process_host: null })
          .where('service_id', '=', id)
          .where('process_pid', '=', expected)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      });
    },

    listProcesses: () =>
      guard('list service processes', async () => {
        const rows = await ctx.db
          .selectFrom('services')
          .select(['service_id', 'process_pid', 'process_host'])
          .where('process_pid', 'is not', null)
          .execute();
        return rows.map((row) => ({
          service_id: row.service_id,
          pid: Number(row.process_pid),
          host: row.process_host ?? '',
        }));
      }),

    delete: (id) =>
      guard('delete a service', async () => {
        const result = await ctx.db.deleteFrom('services').where('service_id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),
  };
}
