import { AppError, isoNow } from '@myagent/models';
import { sql } from 'kysely';
import type { TotalsRepository } from '../totals-repository.js';
import { type Context, guard, writeTransaction } from './db.js';

const KEY = /^[\w.:-]{1,128}$/u;

/** The stat totals repository: one row per (scope, key), combined in SQL so concurrent writers add up. */
export function createTotalsRepository(ctx: Context): TotalsRepository {
  const greatest = ctx.dialect === 'postgres' ? sql.raw('greatest') : sql.raw('max');
  return {
    apply: async (entries) => {
      for (const entry of entries) {
        if (!KEY.test(entry.scope) || !KEY.test(entry.key) || !Number.isFinite(entry.value)) {
          throw new AppError('INVALID_REQUEST', `Invalid stat total '${entry.scope}/${entry.key}'`, {
            details: { scope: entry.scope, key: entry.key },
          });
        }
      }
      if (entries.length === 0) return;
      const now = isoNow();
      await guard('write stat totals', () =>
        writeTransaction(ctx, async (trx) => {
          for (const { scope, key, value, mode } of entries) {
            const stored = sql.ref('stat_totals.value');
            const incoming = sql.ref('excluded.value');
            const next =
              mode === 'add'
                ? sql<number>`${stored} + ${incoming}`
                : mode === 'max'
                  ? sql<number>`${greatest}(${stored}, ${incoming})`
                  : sql<number>`${incoming}`;
            await trx
              .insertInto('stat_totals')
              .values({ scope, key, value, updated_at: now })
              .onConflict((oc) => oc.columns(['scope', 'key']).doUpdateSet({ value: next, updated_at: now }))
              .execute();
          }
        }),
      );
    },

    get: (scope) =>
      guard('read stat totals', async () => {
        const rows = await ctx.db
          .selectFrom('stat_totals')
          .select(['key', 'value'])
          .where('scope', '=', scope)
          .execute();
        return Object.fromEntries(rows.map((row) => [row.key, Number(row.value)]));
      }),

    all: () =>
      guard('read stat totals', async () => {
        const out: Record<string, Record<string, number>> = {};
        for (const row of await ctx.db
          .selectFrom('stat_totals')
          .select(['scope', 'key', 'value'])
          .execute()) {
          const scope = out[row.scope] ?? {};
          scope[row.key] = Number(row.value);
          out[row.scope] = scope;
        }
        return out;
      }),
  };
}
