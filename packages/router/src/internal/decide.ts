import { AppError, type RoutingRule, type RoutingStrategy } from '@myagent/models';
import type { AffinityBinding } from '../affinity.js';
import { Pool, type Subset } from '../pool.js';
import { type CompiledRule, conditionsHold, subsetFor } from '../rules.js';
import { pick, pickIndex } from '../strategies.js';
import type {
  Candidates,
  RouteCandidate,
  RouteContext,
  RouteDecision,
  RouteReason,
  RuleTrace,
} from '../types.js';
import { contextTags, defaultSubset, poolOf } from './candidates.js';
import type { RouterState } from './state.js';

/**
 * What the dry run records while {@link decide} walks its steps. With a tracer, `decide` tries every rule
 * in order instead of asking the rule index, moves no cursor and binds no session.
 */
export interface RouteTracer {
  candidates(pool: Pool): void;
  affinity(sessionId: string, binding: AffinityBinding | undefined, routable: boolean): void;
  rule(rule: CompiledRule, outcome: RuleTrace['outcome'], pool: Pool, subset: Subset | null): void;
  /** The pool the pick came from (null for affinity) and the pool position picked. */
  picked(
    source: RouteReason,
    strategy: RoutingStrategy,
    pool: Pool,
    subset: Subset | null,
    position: number,
  ): void;
}

/** A frozen decision: shared between identical picks, so no caller can see one change. */
function decisionOf<C extends RouteCandidate>(
  service: C,
  rule: RoutingRule | null,
  strategy: RoutingStrategy,
  reason: RouteReason,
): RouteDecision<C> {
  return Object.freeze({ service, rule, strategy, reason });
}

/**
 * The decision kept at `index` of a prepared pool's cache, made and kept on first use: identical picks
 * share one frozen object, so the hot path allocates nothing once a pool has made its decisions.
 */
function kept<C extends RouteCandidate>(
  cache: (RouteDecision | null)[],
  index: number,
  service: C,
  rule: RoutingRule | null,
  strategy: RoutingStrategy,
  reason: RouteReason,
): RouteDecision<C> {
  let decision = cache[index] as RouteDecision<C> | null;
  if (decision === null) {
    decision = decisionOf(service, rule, strategy, reason);
    cache[index] = decision;
  }
  return decision;
}

/** The default strategy's decision for a pool position; made once per prepared pool and position. */
function defaultDecision<C extends RouteCandidate>(
  pool: Pool<C>,
  position: number,
  strategy: RoutingStrategy,
): RouteDecision<C> {
  const service = pool.items[position] as C;
  if (!pool.prepared) return decisionOf(service, null, strategy, 'default');
  pool.defaultDecisions ??= new Array<RouteDecision | null>(pool.size).fill(null);
  return kept(pool.defaultDecisions, position, service, null, strategy, 'default');
}

/** A rule's decision for a member of its subset; made once per prepared pool, rule and member. */
function ruleDecision<C extends RouteCandidate>(
  pool: Pool<C>,
  subset: Subset,
  index: number,
  rule: RoutingRule,
): RouteDecision<C> {
  const service = pool.items[subset.positions[index] as number] as C;
  if (!pool.prepared) return decisionOf(service, rule, rule.target_strategy, 'rule');
  subset.decisions ??= new Array<RouteDecision | null>(subset.size).fill(null);
  return kept(subset.decisions, index, service, rule, rule.target_strategy, 'rule');
}

/**
 * The rule step of the dry run: every enabled rule in evaluation order, then the disabled ones, each
 * recorded. Returns the first rule whose conditions hold and which targets something routable: what the
 * rule index finds on the hot path (the index only skips rules whose indexed condition fails).
 * `reached` is false when affinity decided already, so no rule is tried.
 */
function traceRules(
  state: RouterState,
  pool: Pool,
  tracer: RouteTracer,
  reached: boolean,
): CompiledRule | null {
  let chosen: CompiledRule | null = null;
  for (const rule of state.index.order) {
    if (!reached || chosen !== null) {
      tracer.rule(rule, 'not_reached', pool, null);
      continue;
    }
    if (!conditionsHold(rule, state.fields)) {
      tracer.rule(rule, 'conditions_failed', pool, null);
      continue;
    }
    const subset = subsetFor(pool, rule);
    if (subset === null) {
      tracer.rule(rule, 'no_routable_target', pool, null);
      continue;
    }
    chosen = rule;
    tracer.rule(rule, 'selected', pool, subset);
  }
  for (const rule of state.all.values()) if (!rule.rule.enabled) tracer.rule(rule, 'disabled', pool, null);
  return chosen;
}

/**
 * The routing decision, shared by `route()` (tracer null: the hot path) and `explain()` (a tracer): affinity,
 * then the first rule that applies, then the default strategy. Throws AppError.
 *
 * Without a tracer it allocates nothing once a prepared pool has made its decisions: no closures, arrays or
 * spreads, and each decision object is frozen and reused. A session id costs the affinity lookup and bind.
 */
export function decide<C extends RouteCandidate>(
  state: RouterState,
  owner: object,
  context: RouteContext,
  candidates: Candidates<C>,
  tracer: RouteTracer | null,
): RouteDecision<C> {
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw new AppError('INVALID_REQUEST', 'context must be an object');
  const pool = Pool.isOwnedBy(candidates, owner) ? (candidates as Pool<C>) : poolOf(state, owner, candidates);
  if (tracer !== null) tracer.candidates(pool);
  const fields = state.fields;
  const affinity = state.affinity;
  fields.begin(context);
  let session: string | null = null;
  if (affinity !== null) {
    const raw = context.session_id;
    if (typeof raw === 'string' && raw.length > 0) {
      session = raw;
      const binding = affinity.get(raw);
      const position = binding === undefined ? undefined : pool.byId.get(binding.service_id);
      if (tracer !== null) tracer.affinity(raw, binding, position !== undefined);
      if (binding !== undefined && position !== undefined) {
        if (tracer === null) affinity.bind(raw, binding.service_id, binding.strategy);
        else {
          traceRules(state, pool, tracer, false);
          tracer.picked('affinity', binding.strategy, pool, null, position);
        }
        return decisionOf(pool.items[position] as C, null, binding.strategy, 'affinity');
      }
    }
  }
  if (pool.size === 0) {
    throw new AppError(
      'ROUTING_FAILED',
      'No routable service: none of the candidates is running and healthy',
      {
        details: { candidates: pool.given, excluded: pool.excluded.length },
      },
    );
  }
  const input = state.pickInput;
  input.commit = tracer === null;
  let decision: RouteDecision<C>;
  const rule =
    tracer !== null
      ? traceRules(state, pool, tracer, true)
      : state.index.order.length === 0
        ? null
        : state.index.find(fields, pool);
  if (rule !== null) {
    const subset = subsetFor(pool, rule) as Subset;
    input.cursor = rule.cursor;
    const index = pickIndex(pool, subset, rule.picker, input);
    decision = ruleDecision(pool, subset, index, rule.rule);
    if (tracer !== null)
      tracer.picked('rule', rule.rule.target_strategy, pool, subset, subset.positions[index] as number);
  } else {
    const subset = state.defaultStrategy === 'tag_based' ? defaultSubset(state, pool, context) : pool.all();
    if (subset === null) {
      throw new AppError('ROUTING_FAILED', 'No routable service carries the requested tags', {
        details: { tags: contextTags(context) },
      });
    }
    input.cursor = state.defaultCursor;
    const position = pick(pool, subset, state.defaultPicker, input);
    decision = defaultDecision(pool, position, state.defaultStrategy);
    if (tracer !== null) tracer.picked('default', state.defaultStrategy, pool, subset, position);
  }
  if (session !== null && tracer === null)
    (affinity as NonNullable<typeof affinity>).bind(session, decision.service.service_id, decision.strategy);
  return decision;
}
