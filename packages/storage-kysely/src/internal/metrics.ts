import { AppError } from '@myagent/models';
import { type Kysely, sql } from 'kysely';
import type { MetricQuery, MetricRepository, MetricSampleInput, MetricTier } from '../metric-repository.js';
import type { Database } from '../schema.js';
import { type Context, guard, insertChunked, writeTransaction } from './db.js';

const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/u;
const MAX_BUCKETS = 10_000;

function checkSample(sample: MetricSampleInput) {
  const ok =
    METRIC_NAME.test(sample.metric) &&
    Number.isFinite(sample.value) &&
    Number.isSafeInteger(sample.ts) &&
    sample.ts >= 0 &&
    (sample.service_id === null || (typeof sample.service_id === 'string' && sample.service_id.length <= 64));
  if (!ok) {
    throw new AppError('INVALID_REQUEST', `Invalid metric sample for '${String(sample.metric)}'`, {
      details: { metric: sample.metric, service_id: sample.service_id },
    });
  }
  return {
    service_id: sample.service_id ?? '',
    metric: sample.metric,
    resolution: 0,
    ts: sample.ts,
    sum: sample.value,
    count: 1,
    min: sample.value,
    max: sample.value,
  };
}

function checkTiers(tiers: readonly MetricTier[]): void {
  const ordered = tiers.every(
    (tier, i) =>
      Number.isSafeInteger(tier.resolution) &&
      Number.isSafeInteger(tier.keepMs) &&
      tier.keepMs > 0 &&
      (i === 0 ? tier.resolution === 0 : tier.resolution > (tiers[i - 1] as MetricTier).resolution),
  );
  if (tiers.length === 0 || !ordered) {
    throw new AppError(
      'INVALID_REQUEST',
      'Metric tiers start with the raw tier (resolution 0), finest first',
    );
  }
}

function checkQuery(query: MetricQuery): void {
  const { from, to, interval } = query;
  const ok =
    METRIC_NAME.test(query.metric) &&
    [from, to, interval].every(Number.isSafeInteger) &&
    from >= 0 &&
    to > from &&
    interval > 0 &&
    (to - from) / interval <= MAX_BUCKETS;
  if (!ok) {
    throw new AppError(
      'INVALID_REQUEST',
      `A series query needs from < to and at most ${MAX_BUCKETS} buckets`,
      {
        details: { from, to, interval },
      },
    );
  }
}

/** The metric repository: raw samples and rollups in one table, bucketed in SQL on integer epoch ms. */
export function createMetricRepository(ctx: Context): MetricRepository {
  /** The newest bucket already rolled into `resolution`, or null before the first rollup. */
  const watermark = async (db: Kysely<Database>, resolution: number): Promise<number | null> => {
    const row = await db
      .selectFrom('metric_samples')
      .select((eb) => eb.fn.max('ts').as('ts'))
      .where('resolution', '=', resolution)
      .executeTakeFirst();
    return row?.ts === null || row?.ts === undefined ? null : Number(row.ts);
  };

  return {
    append: async (samples) => {
      const rows = samples.map(checkSample);
      return guard('append metric samples', async () => {
        if (rows.length === 0) return 0;
        // 9 columns x 1,000 rows stays far under either dialect's bound-parameter limit.
        await writeTransaction(ctx, (trx) => insertChunked(trx, 'metric_samples', rows, 1000));
        return rows.length;
      });
    },

    maintain: async (tiers, now) => {
      checkTiers(tiers);
      return guard('maintain metric samples', () =>
        writeTransaction(ctx, async (trx) => {
          let rolled = 0;
          let pruned = 0;
          for (let i = 1; i < tiers.length; i++) {
            const source = (tiers[i - 1] as MetricTier).resolution;
            const size = (tiers[i] as MetricTier).resolution;
            const last = await watermark(trx, size);
            // Only whole buckets that ended before now, and never one rolled already.
            const end = Math.floor(now / size) * size;
            const start = last === null ? 0 : last + size;
            if (end <= start) continue;
            // Literals, not parameters: PostgreSQL must see the GROUP BY expression as the selected one.
            const bucket = sql<number>`(${sql.ref('ts')} / ${sql.lit(size)}) * ${sql.lit(size)}`;
            const result = await trx
              .insertInto('metric_samples')
              .columns(['service_id', 'metric', 'resolution', 'ts', 'sum', 'count', 'min', 'max'])
              .expression((eb) =>
                eb
                  .selectFrom('metric_samples')
                  .select((s) => [
                    'service_id',
                    'metric',
                    sql<number>`${sql.lit(size)}`.as('resolution'),
                    bucket.as('bucket'),
                    s.fn.sum<number>('sum').as('sum'),
                    s.fn.sum<number>('count').as('count'),
                    s.fn.min<number>('min').as('min'),
                    s.fn.max<number>('max').as('max'),
                  ])
                  .where('resolution', '=', source)
                  .where('ts', '>=', start)
                  .where('ts', '<', end)
                  .groupBy(['service_id', 'metric', bucket]),
              )
              .executeTakeFirst();
            rolled += Number(result.numInsertedOrUpdatedRows ?? 0);
          }
          for (const tier of tiers) {
            const result = await trx
              .deleteFrom('metric_samples')
              .where('resolution', '=', tier.resolution)
              .where('ts', '<', now - tier.keepMs)
              .executeTakeFirst();
            pruned += Number(result.numDeletedRows);
          }
          return { rolled, pruned };
        }),
      );
    },

    query: async (query, tiers, now) => {
      checkQuery(query);
      checkTiers(tiers);
      return guard('query a metric series', async () => {
        // The finest tier that still holds `from`; what it has not rolled yet comes from finer tiers.
        let index = tiers.findIndex((tier) => query.from >= now - tier.keepMs);
        if (index === -1) index = tiers.length - 1;
        const ranges: { resolution: number; from: number; to: number }[] = [];
        let to = query.to;
        for (let i = 0; i < index; i++) {
          const tier = tiers[i] as MetricTier;
          const coarser = tiers[i + 1] as MetricTier;
          const rolledUpTo = await watermark(ctx.db, coarser.resolution);
          // Everything from the coarser tier's last complete bucket on is still only in this tier.
          const from = Math.max(
            query.from,
            rolledUpTo === null ? query.from : rolledUpTo + coarser.resolution,
          );
          if (from < to) ranges.push({ resolution: tier.resolution, from, to });
          to = Math.min(to, from);
        }
        if (query.from < to)
          ranges.push({ resolution: (tiers[index] as MetricTier).resolution, from: query.from, to });
        const serviceId = query.service_id ?? '';
        const [from, interval] = [sql.lit(query.from), sql.lit(query.interval)];
        const bucket = sql<number>`((${sql.ref('ts')} - ${from}) / ${interval}) * ${interval} + ${from}`;
        const byBucket = new Map<number, { sum: number; count: number }>();
        for (const range of ranges) {
          const rows = await ctx.db
            .selectFrom('metric_samples')
            .select((s) => [
              bucket.as('bucket'),
              s.fn.sum<number>('sum').as('sum'),
              s.fn.sum<number>('count').as('count'),
            ])
            .where('metric', '=', query.metric)
            .where('service_id', '=', serviceId)
            .where('resolution', '=', range.resolution)
            .where('ts', '>=', range.from)
            .where('ts', '<', range.to)
            .groupBy(bucket)
            .execute();
          for (const row of rows) {
            const key = Number(row.bucket);
            const entry = byBucket.get(key) ?? { sum: 0, count: 0 };
            entry.sum += Number(row.sum);
            entry.count += Number(row.count);
            byBucket.set(key, entry);
          }
        }
        return [...byBucket]
          .sort(([a], [b]) => a - b)
          .map(([ts, { sum, count }]) => ({
            ts,
            value: query.aggregate === 'sum' ? sum : count > 0 ? sum / count : 0,
          }));
      });
    },
  };
}
