import {
  type AuditEntry,
  AuditEntry as AuditEntrySchema,
  isoNow,
  parseOrThrow,
  Timestamp,
} from '@myagent/models';
import type { Selectable } from 'kysely';
import type { AuditRepository } from '../audit-repository.js';
import type { AuditLogTable } from '../schema.js';
import { type Context, canonicalTime, guard, nonNegativeInteger, page, parseRow, total } from './db.js';

function fromRow(row: Selectable<AuditLogTable>): AuditEntry {
  return parseRow(
    AuditEntrySchema,
    { ...row, audit_id: Number(row.audit_id), status_code: Number(row.status_code) },
    'audit entry',
  );
}

/** The operation log repository. */
export function createAuditRepository(ctx: Context): AuditRepository {
  return {
    append: async (input) => {
      const entry = parseOrThrow(
        AuditEntrySchema,
        { ...input, audit_id: 1, timestamp: canonicalTime(input.timestamp ?? isoNow()) },
        'audit entry',
      );
      const { audit_id: _, ...values } = entry;
      return guard('record an audit entry', async () => {
        const row = await ctx.db
          .insertInto('audit_log')
          .values(values)
          .returning('audit_id')
          .executeTakeFirstOrThrow();
        return { ...entry, audit_id: Number(row.audit_id) };
      });
    },

    list: async (options = {}) => {
      const { limit } = page(options.limit, 0);
      const since =
        options.since === undefined
          ? undefined
          : canonicalTime(parseOrThrow(Timestamp, options.since, 'since'));
      return guard('list audit entries', async () => {
        let query = ctx.db.selectFrom('audit_log');
        if (since !== undefined) query = query.where('timestamp', '>=', since);
        if (options.service_id !== undefined) query = query.where('service_id', '=', options.service_id);
        const rows = await query.selectAll().orderBy('audit_id', 'desc').limit(limit).execute();
        return { entries: rows.map(fromRow), total: await total(query, rows.length, limit, 0) };
      });
    },

    prune: async (keep) => {
      const checked = nonNegativeInteger(keep, 'keep');
      return guard('prune audit entries', async () => {
        const result = await ctx.db
          .deleteFrom('audit_log')
          .where('audit_id', '<=', (eb) =>
            eb
              .selectFrom('audit_log')
              .select('audit_id')
              .orderBy('audit_id', 'desc')
              .limit(1)
              .offset(checked),
          )
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      });
    },
  };
}
