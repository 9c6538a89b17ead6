import { parseOrThrow, type RoutingRule, RoutingRule as RoutingRuleSchema } from '@myagent/models';
import type { Insertable, Selectable } from 'kysely';
import type { RuleRepository } from '../rule-repository.js';
import type { RoutingRulesTable } from '../schema.js';
import { type Context, canonicalTime, fromJson, guard, parseRow, toJson } from './db.js';

function toRow(rule: RoutingRule): Insertable<RoutingRulesTable> {
  return {
    ...rule,
    enabled: rule.enabled ? 1 : 0,
    conditions: toJson(rule.conditions),
    target_services: toJson(rule.target_services),
    target_tags: toJson(rule.target_tags),
  };
}

function fromRow(row: Selectable<RoutingRulesTable>): RoutingRule {
  return parseRow(
    RoutingRuleSchema,
    {
      ...row,
      priority: Number(row.priority),
      weight: Number(row.weight),
      enabled: Boolean(row.enabled),
      conditions: fromJson(row.conditions),
      target_services: fromJson(row.target_services),
      target_tags: fromJson(row.target_tags),
    },
    'routing rule',
  );
}

/** The routing rules repository. */
export function createRuleRepository(ctx: Context): RuleRepository {
  return {
    save: async (input) => {
      const parsed = parseOrThrow(RoutingRuleSchema, input, 'routing rule');
      const rule = {
        ...parsed,
        created_at: canonicalTime(parsed.created_at),
        updated_at: canonicalTime(parsed.updated_at),
      };
      return guard(
        'save a routing rule',
        async () => {
          const { rule_id: _, ...values } = toRow(rule);
          await ctx.db
            .insertInto('routing_rules')
            .values(toRow(rule))
            .onConflict((oc) => oc.column('rule_id').doUpdateSet(values))
            .execute();
          return rule;
        },
        (kind) =>
          kind === 'unique'
            ? {
                code: 'INVALID_REQUEST',
                message: `A routing rule named '${rule.name}' already exists`,
                details: { name: rule.name },
              }
            : undefined,
      );
    },

    get: (id) =>
      guard('get a routing rule', async () => {
        const row = await ctx.db
          .selectFrom('routing_rules')
          .selectAll()
          .where('rule_id', '=', id)
          .executeTakeFirst();
        return row && fromRow(row);
      }),

    getByName: (name) =>
      guard('get a routing rule', async () => {
        const row = await ctx.db
          .selectFrom('routing_rules')
          .selectAll()
          .where('name', '=', name)
          .executeTakeFirst();
        return row && fromRow(row);
      }),

    list: (options = {}) =>
      guard('list routing rules', async () => {
        let query = ctx.db.selectFrom('routing_rules').selectAll();
        if (options.enabledOnly) query = query.where('enabled', '=', 1);
        const rows = await query
          .orderBy('priority', 'desc')
          .orderBy('created_at', 'asc')
          .orderBy('rule_id', 'asc')
          .execute();
        return rows.map(fromRow);
      }),

    delete: (id) =>
      guard('delete a routing rule', async () => {
        const result = await ctx.db.deleteFrom('routing_rules').where('rule_id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),
  };
}
