import {
  isoNow,
  parseOrThrow,
  Webhook,
  type WebhookDelivery,
  WebhookDelivery as WebhookDeliverySchema,
} from '@myagent/models';
import type { Selectable } from 'kysely';
import type { WebhookDeliveriesTable, WebhooksTable } from '../schema.js';
import type { StoredWebhook, WebhookRepository } from '../webhook-repository.js';
import {
  type Context,
  canonicalTime,
  fromJson,
  guard,
  nonNegativeInteger,
  nullableNumber,
  page,
  parseRow,
  toJson,
  total,
} from './db.js';

function fromRow(row: Selectable<WebhooksTable>): StoredWebhook {
  const webhook = parseRow(
    Webhook,
    { ...row, enabled: Boolean(row.enabled), events: fromJson(row.events), has_secret: row.secret !== null },
    'webhook',
  );
  return { ...webhook, secret: row.secret };
}

function deliveryFromRow(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return parseRow(
    WebhookDeliverySchema,
    {
      ...row,
      attempts: Number(row.attempts),
      response_status: nullableNumber(row.response_status),
      payload: fromJson(row.payload),
    },
    'webhook delivery',
  );
}

const missingHook = (kind: string) =>
  kind === 'foreign_key'
    ? { code: 'WEBHOOK_NOT_FOUND' as const, message: 'A delivery names a webhook that is not stored' }
    : undefined;

/** The webhook and delivery repository. */
export function createWebhookRepository(ctx: Context): WebhookRepository {
  return {
    save: async (input) => {
      const parsed = parseOrThrow(Webhook, { ...input, has_secret: input.secret !== null }, 'webhook');
      const secret = input.secret === null ? null : String(input.secret);
      const row = {
        webhook_id: parsed.webhook_id,
        url: parsed.url,
        events: toJson(parsed.events),
        secret,
        enabled: parsed.enabled ? 1 : 0,
        description: parsed.description,
        created_at: canonicalTime(parsed.created_at),
        updated_at: canonicalTime(parsed.updated_at),
      };
      return guard('save a webhook', async () => {
        const { webhook_id: _, ...values } = row;
        await ctx.db
          .insertInto('webhooks')
          .values(row)
          .onConflict((oc) => oc.column('webhook_id').doUpdateSet(values))
          .execute();
        return { ...parsed, created_at: row.created_at, updated_at: row.updated_at, secret };
      });
    },

    get: (webhookId) =>
      guard('get a webhook', async () => {
        const row = await ctx.db
          .selectFrom('webhooks')
          .selectAll()
          .where('webhook_id', '=', webhookId)
          .executeTakeFirst();
        return row && fromRow(row);
      }),

    list: () =>
      guard('list webhooks', async () => {
        const rows = await ctx.db
          .selectFrom('webhooks')
          .selectAll()
          .orderBy('created_at')
          .orderBy('webhook_id')
          .execute();
        return rows.map(fromRow);
      }),

    delete: (webhookId) =>
      guard('delete a webhook', async () => {
        const result = await ctx.db
          .deleteFrom('webhooks')
          .where('webhook_id', '=', webhookId)
          .executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),

    addDelivery: async (input) => {
      const delivery = parseOrThrow(WebhookDeliverySchema, input, 'webhook delivery');
      const row = {
        ...delivery,
        payload: toJson(delivery.payload),
        created_at: canonicalTime(delivery.created_at),
        updated_at: canonicalTime(delivery.updated_at),
      };
      return guard(
        'record a webhook delivery',
        async () => {
          await ctx.db.insertInto('webhook_deliveries').values(row).execute();
          return { ...delivery, created_at: row.created_at, updated_at: row.updated_at };
        },
        missingHook,
      );
    },

    updateDelivery: async (deliveryId, patch) => {
      const current = await guard('get a webhook delivery', () =>
        ctx.db
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('delivery_id', '=', deliveryId)
          .executeTakeFirst(),
      );
      if (!current) return undefined;
      const next = parseOrThrow(
        WebhookDeliverySchema,
        { ...deliveryFromRow(current), ...patch, updated_at: isoNow() },
        'webhook delivery',
      );
      return guard('update a webhook delivery', async () => {
        await ctx.db
          .updateTable('webhook_deliveries')
          .set({
            status: next.status,
            attempts: next.attempts,
            response_status: next.response_status,
            error: next.error,
            updated_at: canonicalTime(next.updated_at),
          })
          .where('delivery_id', '=', deliveryId)
          .execute();
        return next;
      });
    },

    deliveries: async (options = {}) => {
      const { limit } = page(options.limit, 0);
      return guard('list webhook deliveries', async () => {
        let query = ctx.db.selectFrom('webhook_deliveries');
        if (options.webhook_id !== undefined) query = query.where('webhook_id', '=', options.webhook_id);
        const rows = await query
          .selectAll()
          .orderBy('created_at', 'desc')
          .orderBy('delivery_id', 'desc')
          .limit(limit)
          .execute();
        return { deliveries: rows.map(deliveryFromRow), total: await total(query, rows.length, limit, 0) };
      });
    },

    pruneDeliveries: async (keep) => {
      const checked = nonNegativeInteger(keep, 'keep');
      return guard('prune webhook deliveries', async () => {
        let pruned = 0;
        const hooks = await ctx.db.selectFrom('webhooks').select('webhook_id').execute();
        for (const { webhook_id } of hooks) {
          const cutoff = await ctx.db
            .selectFrom('webhook_deliveries')
            .select('created_at')
            .where('webhook_id', '=', webhook_id)
            .orderBy('created_at', 'desc')
            .limit(1)
            .offset(checked)
            .executeTakeFirst();
          if (!cutoff) continue;
          const result = await ctx.db
            .deleteFrom('webhook_deliveries')
            .where('webhook_id', '=', webhook_id)
            .where('created_at', '<=', cutoff.created_at)
            .executeTakeFirst();
          pruned += Number(result.numDeletedRows);
        }
        return pruned;
      });
    },
  };
}
