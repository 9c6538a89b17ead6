import {
  type HealthCheckResult,
  HealthCheckResult as HealthCheckResultSchema,
  parseOrThrow,
} from '@myagent/models';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { HealthRepository } from '../health-repository.js';
import type { Database, HealthChecksTable } from '../schema.js';
import {
  type ConstraintMapper,
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
  writeTransaction,
} from './db.js';

const unknownService: ConstraintMapper = (kind, _error) =>
  kind === 'foreign_key' ? { code: 'SERVICE_NOT_FOUND', message: 'No such service is stored' } : undefined;

function validate(input: unknown): HealthCheckResult {
  const result = parseOrThrow(HealthCheckResultSchema, input, 'health check result');
  return { ...result, timestamp: canonicalTime(result.timestamp) };
}

function toRow(result: HealthCheckResult): Insertable<HealthChecksTable> {
  return { ...result, checks: toJson(result.checks) };
}

function fromRow(row: Omit<Selectable<HealthChecksTable>, 'id'>): HealthCheckResult {
  return parseRow(
    HealthCheckResultSchema,
    {
      ...row,
      response_time_ms: nullableNumber(row.response_time_ms),
      checks: fromJson(row.checks),
    },
    'health check result',
  );
}

async function prune(db: Kysely<Database>, serviceId: string, keep: number): Promise<number> {
  const result = await db
    .deleteFrom('health_checks')
    .where('service_id', '=', serviceId)
    .where('id', 'not in', (eb) =>
      eb
        .selectFrom('health_checks')
        .select('id')
        .where('service_id', '=', serviceId)
        .orderBy('timestamp', 'desc')
        .orderBy('id', 'desc')
        .limit(keep),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

const columns = ['service_id', 'status', 'response_time_ms', 'timestamp', 'checks', 'error'] as const;

/** A service's stored results, newest first (the later insert first among equal timestamps). */
function newestFirst(db: Kysely<Database>, serviceId: string) {
  return db
    .selectFrom('health_checks')
    .select(columns)
    .where('service_id', '=', serviceId)
    .orderBy('timestamp', 'desc')
    .orderBy('id', 'desc');
}

/** The health check history repository. */
export function createHealthRepository(ctx: Context): HealthRepository {
  return {
    append: async (input, options = {}) => {
      const result = validate(input);
      const keep = options.keep === undefined ? undefined : nonNegativeInteger(options.keep, 'keep');
      return guard(
        'append a health check result',
        async () => {
          if (keep === undefined) {
            await ctx.db.insertInto('health_checks').values(toRow(result)).execute();
          } else {
            await writeTransaction(ctx, async (trx) => {
              await trx.insertInto('health_checks').values(toRow(result)).execute();
              await prune(trx, result.service_id, keep);
            });
          }
          return result;
        },
        unknownService,
      );
    },

    appendMany: async (inputs) => {
      const rows = inputs.map((input) => toRow(validate(input)));
      return guard(
        'append health check results',
        async () => {
          if (rows.length === 0) return 0;
          // 1,000 rows of health results stay far under either dialect's bound-parameter limit.
          await writeTransaction(ctx, (trx) => insertChunked(trx, 'health_checks', rows, 1000));
          return rows.length;
        },
        unknownService,
      );
    },

    recent: async (serviceId, limit) => {
      const checked = page(limit, 0);
      return guard('read health history', async () => {
        const rows = await newestFirst(ctx.db, serviceId).limit(checked.limit).execute();
        return rows.map(fromRow);
      });
    },

    latest: (serviceId) =>
      guard('read the latest health check', async () => {
        const row = await newestFirst(ctx.db, serviceId).limit(1).executeTakeFirst();
        return row && fromRow(row);
      }),

    prune: async (serviceId, keep) => {
      const checked = nonNegativeInteger(keep, 'keep');
      return guard('prune health history', () => prune(ctx.db, serviceId, checked));
    },
  };
}
