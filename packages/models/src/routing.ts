import * as v from 'valibot';
import { boundedString, Tags, Timestamp } from './common.js';
import { regexHazard } from './regex-safety.js';

/** How a pool of candidates is narrowed to one service (spec C1). */
export const RoutingStrategy = v.picklist([
  'round_robin',
  'least_connections',
  'weighted_random',
  'hash_based',
  'tag_based',
]);
export type RoutingStrategy = v.InferOutput<typeof RoutingStrategy>;

/** How a condition compares a field of the connection with its value (spec C3; `ip_in_range` is ours). */
export const ConditionOperator = v.picklist([
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'regex_match',
  'in_list',
  'not_in_list',
  'ip_in_range',
]);
export type ConditionOperator = v.InferOutput<typeof ConditionOperator>;

/**
 * Why `source` cannot be a routing regex (it does not compile, or it could backtrack catastrophically: see
 * {@link regexHazard}), or undefined when it can.
 */
export function regexProblem(source: string, caseSensitive = false): string | undefined {
  const invalid = compileProblem(source, caseSensitive);
  if (invalid) return invalid;
  const hazard = regexHazard(source, caseSensitive);
  return hazard && `a regex that could take exponential or polynomial time: ${hazard}`;
}

/** Why `source` does not compile the way the router compiles it, or undefined. */
function compileProblem(source: string, caseSensitive: boolean): string | undefined {
  try {
    new RegExp(source, caseSensitive ? 'u' : 'iu');
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

/** True when `source` compiles as a JavaScript regular expression and is safe to match (no ReDoS). */
export function isValidRegex(source: string, caseSensitive = false): boolean {
  return regexProblem(source, caseSensitive) === undefined;
}

function conditionSchema(problemOf: (source: string, caseSensitive: boolean) => string | undefined) {
  return v.pipe(
    v.object({
      field: boundedString(256, 1),
      operator: ConditionOperator,
      value: v.union([boundedString(4096), v.pipe(v.array(boundedString(1024)), v.maxLength(1000))]),
      case_sensitive: v.optional(v.boolean(), false),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed || dataset.value.operator !== 'regex_match') return;
      const { value, case_sensitive } = dataset.value;
      const problem =
        typeof value === 'string' ? problemOf(value, case_sensitive) : 'a regex value must be a string';
      if (problem) addIssue({ message: `value is ${problem}` });
    }),
  );
}

/**
 * One condition of a rule, as a request gives it. `in_list` values are a comma-separated string (as the
 * seeds write them) or an array; `ip_in_range` takes CIDRs the same way. A regex must compile and be safe
 * ({@link regexProblem}).
 */
export const RoutingCondition = conditionSchema(regexProblem);
export type RoutingCondition = v.InferOutput<typeof RoutingCondition>;

/**
 * A rule's own fields with their defaults, in the order a parsed rule lists them: one declaration for the
 * stored rule and the requests that create or update one, which differ only in how they check conditions.
 */
export function routingRuleEntries<C extends v.GenericSchema>(conditions: C) {
  return {
    name: boundedString(128, 1),
    priority: v.optional(v.pipe(v.number(), v.integer(), v.minValue(-1_000_000), v.maxValue(1_000_000)), 0),
    enabled: v.optional(v.boolean(), true),
    conditions,
    target_strategy: v.optional(RoutingStrategy, 'round_robin'),
    target_services: v.optional(v.pipe(v.array(boundedString(64, 1)), v.maxLength(1000)), []),
    target_tags: v.optional(Tags, []),
    weight: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1_000_000)), 1),
    fallback_strategy: v.optional(v.nullable(RoutingStrategy), null),
    description: v.optional(boundedString(1000), ''),
  };
}

// A stored condition's regex need only compile: rules stored by releases before the ReDoS check must stay
// readable (and deletable). The router refuses an unsafe one when it compiles the rule.
const StoredRoutingCondition = conditionSchema(compileProblem);

/**
 * A routing rule (spec C2), as stored: the highest priority rule whose conditions all hold and that has a
 * target wins. Its regexes need only compile; requests and the router also refuse unsafe ones.
 */
export const RoutingRule = v.object({
  rule_id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  ...routingRuleEntries(v.optional(v.pipe(v.array(StoredRoutingCondition), v.maxLength(32)), [])),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type RoutingRule = v.InferOutput<typeof RoutingRule>;
export type RoutingRuleInput = v.InferInput<typeof RoutingRule>;
