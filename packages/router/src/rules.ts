import {
  AppError,
  parseOrThrow,
  RoutingRule,
  type RoutingRuleInput,
  type RoutingStrategy,
} from '@myagent/models';
import { type CompiledCondition, compileCondition } from './conditions.js';
import type { FieldCache } from './fields.js';
import { type Cursor, type Pool, Subset } from './pool.js';
import { pickerFor } from './strategies.js';

/** A rule as `addRule()` takes it: `rule_id` and timestamps are filled in when missing. */
export type RuleInput = Omit<RoutingRuleInput, 'rule_id' | 'created_at' | 'updated_at'> & {
  rule_id?: string;
  created_at?: string;
  updated_at?: string;
};

/** A rule compiled once: conditions cheapest first, its own round-robin cursor. */
export interface CompiledRule {
  rule: RoutingRule;
  seq: number;
  createdMs: number;
  conditions: CompiledCondition[];
  /** The strategy that picks: tag_based narrows by tags, then picks with its fallback (or round_robin). */
  picker: RoutingStrategy;
  cursor: Cursor;
}

/** Validates and compiles a rule; throws INVALID_REQUEST for anything wrong, including a bad regex. */
export function compileRule(input: unknown, fields: FieldCache, seq: number, now: string): CompiledRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AppError('INVALID_REQUEST', 'Invalid rule: expected an object');
  }
  const given = input as Record<string, unknown>;
  const rule = parseOrThrow(
    RoutingRule,
    {
      ...given,
      rule_id: given.rule_id ?? globalThis.crypto.randomUUID(),
      created_at: given.created_at ?? now,
      updated_at: given.updated_at ?? now,
    },
    'rule',
  );
  const conditions = rule.conditions
    .map((condition) => compileCondition(condition, fields))
    .sort((a, b) => a.cost - b.cost);
  const picker = pickerFor(rule.target_strategy, rule.fallback_strategy);
  return { rule, seq, createdMs: Date.parse(rule.created_at), conditions, picker, cursor: { next: 0 } };
}

/** Higher priority first; ties: created earlier first, then added earlier first. */
export function compareRules(a: CompiledRule, b: CompiledRule): number {
  return b.rule.priority - a.rule.priority || a.createdMs - b.createdMs || a.seq - b.seq;
}

/** True when every condition holds (a rule without conditions matches everything). */
export function conditionsHold(rule: CompiledRule, fields: FieldCache): boolean {
  for (const condition of rule.conditions) if (!condition.test(fields)) return false;
  return true;
}

/** The routable members a rule targets: target_services, else target_tags (all of them), else all. */
export function subsetFor(pool: Pool, rule: CompiledRule): Subset | null {
  const cached = pool.subsets.get(rule);
  if (cached !== undefined) return cached;
  const { target_services: services, target_tags: tags, weight } = rule.rule;
  const positions =
    services.length > 0 ? pool.byTargets(services) : tags.length > 0 ? pool.byTags(tags) : null;
  let subset: Subset | null;
  if (positions === null)
    subset = pool.size > 0 ? new Subset(Int32Array.from(pool.items.keys()), weight) : null;
  else subset = positions.length > 0 ? new Subset(Int32Array.from(positions), weight) : null;
  pool.subsets.set(rule, subset);
  return subset;
}

interface IndexGroup {
  slot: number;
  caseSensitive: boolean;
  byValue: Map<string, number[]>;
}

/**
 * The enabled rules in evaluation order, indexed: a rule with an `equals` or `in_list` condition is filed
 * under each of that condition's values, so a route call looks its field up once and evaluates only the
 * rules filed under the value it reads, plus the rules that have no such condition. The result is the
 * same as trying every rule in order, since a rule skipped this way has a condition that fails.
 */
export class RuleIndex {
  readonly order: CompiledRule[];
  private readonly groups: IndexGroup[] = [];
  private readonly unindexed: number[] = [];

  constructor(rules: Iterable<CompiledRule>) {
    this.order = [...rules].filter((r) => r.rule.enabled).sort(compareRules);
    const byKey = new Map<string, IndexGroup>();
    this.order.forEach((rule, position) => {
      const key = rule.conditions.find((c) => c.keys !== null);
      if (!key?.keys) {
        this.unindexed.push(position);
        return;
      }
      const groupKey = `${key.slot}:${key.caseSensitive}`;
      let group = byKey.get(groupKey);
      if (!group) {
        group = { slot: key.slot, caseSensitive: key.caseSensitive, byValue: new Map() };
        byKey.set(groupKey, group);
        this.groups.push(group);
      }
      for (const value of key.keys) {
        const list = group.byValue.get(value);
        if (list) list.push(position);
        else group.byValue.set(value, [position]);
      }
    });
  }

  /**
   * The first rule (in order) whose conditions hold and which targets something routable in the pool,
   * trying only rules the index leaves in. The rule's subset is then cached in the pool (`subsetFor`).
   */
  find(fields: FieldCache, pool: Pool): CompiledRule | null {
    let hits: readonly number[] = NO_HITS;
    let merged = 0;
    for (const group of this.groups) {
      const value = group.caseSensitive ? fields.get(group.slot) : fields.getLower(group.slot);
      const list = group.byValue.get(value);
      if (!list) continue;
      hits = merged === 0 ? list : hits.concat(list);
      merged++;
    }
    if (merged > 1) hits = hits.slice().sort((a, b) => a - b);
    const un = this.unindexed;
    const order = this.order;
    let i = 0;
    let j = 0;
    while (i < hits.length || j < un.length) {
      const position =
        j >= un.length || (i < hits.length && (hits[i] as number) < (un[j] as number))
          ? (hits[i++] as number)
          : (un[j++] as number);
      const rule = order[position] as CompiledRule;
      if (conditionsHold(rule, fields) && subsetFor(pool, rule) !== null) return rule;
    }
    return null;
  }
}

const NO_HITS: readonly number[] = [];
