import { AppError } from '@myagent/models';
import { contextTags, defaultSubset, poolOf } from './internal/candidates.js';
import type { RouterState } from './internal/state.js';
import { conditionsHold, subsetFor } from './rules.js';
import { pick } from './strategies.js';
import type {
  Candidates,
  ConditionTrace,
  RouteCandidate,
  RouteContext,
  RouteExplanation,
  RuleTrace,
} from './types.js';

const LISTED = 100;

function cut(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The dry run of route(): the same compiled rules, subsets and strategies, tried one by one and recorded.
 * Cursors do not move and no session is bound. Every failure becomes `{ok: false, error}`.
 */
export function explainRoute<C extends RouteCandidate>(
  state: RouterState,
  owner: object,
  context: RouteContext,
  candidates: Candidates<C>,
): RouteExplanation<C> {
  const out: RouteExplanation<C> = {
    ok: false,
    decision: null,
    error: null,
    candidates: { given: Array.isArray(candidates) ? candidates.length : 0, routable: 0, excluded: [] },
    affinity: null,
    rules: [],
    pool: { source: 'none', strategy: null, size: 0, ids: [] },
    pick: null,
  };
  try {
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
      throw new AppError('INVALID_REQUEST', 'context must be an object');
    }
    const pool = poolOf(state, owner, candidates);
    out.candidates = { given: pool.given, routable: pool.size, excluded: pool.excluded.slice(0, LISTED) };
    const { fields, affinity } = state;
    fields.begin(context);
    const session =
      typeof context.session_id === 'string' && context.session_id.length > 0 ? context.session_id : null;
    if (session !== null && affinity !== null) {
      const binding = affinity.get(session);
      const position = binding ? pool.byId.get(binding.service_id) : undefined;
      out.affinity = {
        session_id: session,
        bound_service_id: binding?.service_id ?? null,
        used: position !== undefined,
        why: !binding
          ? 'no live binding for this session'
          : position === undefined
            ? 'the bound service is not among the routable candidates'
            : 'the bound service is routable',
      };
      if (binding && position !== undefined) {
        const service = pool.items[position] as C;
        out.decision = { service, rule: null, strategy: binding.strategy, reason: 'affinity' };
        out.pool = { source: 'affinity', strategy: binding.strategy, size: 1, ids: [service.service_id] };
        out.pick = service.service_id;
      }
    }
    if (pool.size === 0 && !out.decision) {
      throw new AppError(
        'ROUTING_FAILED',
        'No routable service: none of the candidates is running and healthy',
      );
    }
    const input = { ...state.pickInput, commit: false };
    const enabledOrder = new Set(state.index.order);
    const disabled = [...state.all.values()].filter((r) => !enabledOrder.has(r));
    for (const rule of [...state.index.order, ...disabled]) {
      const trace: RuleTrace = {
        rule_id: rule.rule.rule_id,
        name: rule.rule.name,
        priority: rule.rule.priority,
        enabled: rule.rule.enabled,
        outcome: 'not_reached',
        conditions: [],
        targets: [],
        target_count: 0,
      };
      out.rules.push(trace);
      for (const c of rule.conditions) {
        const actual = fields.get(c.slot);
        const condition: ConditionTrace = {
          field: c.source.field,
          operator: c.source.operator,
          value: c.source.value,
          actual: cut(actual),
          result: c.test(fields),
        };
        trace.conditions.push(condition);
      }
      if (!rule.rule.enabled) {
        trace.outcome = 'disabled';
        continue;
      }
      if (out.decision) continue;
      if (!conditionsHold(rule, fields)) {
        trace.outcome = 'conditions_failed';
        continue;
      }
      const subset = subsetFor(pool, rule);
      if (subset === null) {
        trace.outcome = 'no_routable_target';
        continue;
      }
      trace.target_count = subset.size;
      trace.targets = Array.from(subset.positions.slice(0, LISTED), (p) => pool.ids[p] as string);
      input.cursor = rule.cursor;
      const position = pick(pool, subset, rule.picker, input);
      const service = pool.items[position] as C;
      trace.outcome = 'selected';
      out.decision = { service, rule: rule.rule, strategy: rule.rule.target_strategy, reason: 'rule' };
      out.pool = {
        source: 'rule',
        strategy: rule.rule.target_strategy,
        size: subset.size,
        ids: trace.targets,
      };
      out.pick = service.service_id;
    }
    if (!out.decision) {
      const subset = defaultSubset(state, pool, context);
      if (subset === null) {
        throw new AppError('ROUTING_FAILED', 'No routable service carries the requested tags', {
          details: { tags: contextTags(context) },
        });
      }
      input.cursor = state.defaultCursor;
      const service = pool.items[pick(pool, subset, state.defaultPicker, input)] as C;
      out.decision = { service, rule: null, strategy: state.defaultStrategy, reason: 'default' };
      out.pool = {
        source: 'default',
        strategy: state.defaultStrategy,
        size: subset.size,
        ids: Array.from(subset.positions.slice(0, LISTED), (p) => pool.ids[p] as string),
      };
      out.pick = service.service_id;
    }
    out.ok = true;
  } catch (error) {
    const coded = AppError.from(error, 'INTERNAL_ERROR');
    out.ok = false;
    out.decision = null;
    out.pick = null;
    out.error = { code: coded.code, message: coded.message };
  }
  return out;
}
