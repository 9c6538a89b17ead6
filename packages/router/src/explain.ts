import { AppError, type RoutingStrategy } from '@myagent/models';
import type { AffinityBinding } from './affinity.js';
import type { FieldCache } from './fields.js';
import { decide, type RouteTracer } from './internal/decide.js';
import type { RouterState } from './internal/state.js';
import type { Pool, Subset } from './pool.js';
import type { CompiledRule } from './rules.js';
import type {
  Candidates,
  RouteCandidate,
  RouteContext,
  RouteExplanation,
  RouteReason,
  RuleTrace,
} from './types.js';

const LISTED = 100;

function cut(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Ids of a subset's first LISTED members. */
function listed(pool: Pool, subset: Subset): string[] {
  return Array.from(subset.positions.slice(0, LISTED), (p) => pool.ids[p] as string);
}

/** Records each step `decide` takes into the explanation. */
class ExplanationTracer<C extends RouteCandidate> implements RouteTracer {
  constructor(
    private readonly out: RouteExplanation<C>,
    private readonly fields: FieldCache,
  ) {}

  candidates(pool: Pool): void {
    this.out.candidates = {
      given: pool.given,
      routable: pool.size,
      excluded: pool.excluded.slice(0, LISTED),
    };
  }

  affinity(sessionId: string, binding: AffinityBinding | undefined, routable: boolean): void {
    this.out.affinity = {
      session_id: sessionId,
      bound_service_id: binding?.service_id ?? null,
      used: binding !== undefined && routable,
      why: !binding
        ? 'no live binding for this session'
        : !routable
          ? 'the bound service is not among the routable candidates'
          : 'the bound service is routable',
    };
  }

  rule(rule: CompiledRule, outcome: RuleTrace['outcome'], pool: Pool, subset: Subset | null): void {
    const fields = this.fields;
    this.out.rules.push({
      rule_id: rule.rule.rule_id,
      name: rule.rule.name,
      priority: rule.rule.priority,
      enabled: rule.rule.enabled,
      outcome,
      conditions: rule.conditions.map((c) => ({
        field: c.source.field,
        operator: c.source.operator,
        value: c.source.value,
        actual: cut(fields.get(c.slot)),
        result: c.test(fields),
      })),
      targets: subset === null ? [] : listed(pool, subset),
      target_count: subset === null ? 0 : subset.size,
    });
  }

  picked(
    source: RouteReason,
    strategy: RoutingStrategy,
    pool: Pool,
    subset: Subset | null,
    position: number,
  ): void {
    this.out.pool =
      subset === null
        ? { source, strategy, size: 1, ids: [pool.ids[position] as string] }
        : { source, strategy, size: subset.size, ids: listed(pool, subset) };
  }
}

/**
 * The dry run of route(): the same decision, with a tracer that records every rule tried and why. Cursors
 * do not move and no session is bound. Every failure becomes `{ok: false, error}`.
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
    const decision = decide(state, owner, context, candidates, new ExplanationTracer(out, state.fields));
    out.decision = decision;
    out.pick = decision.service.service_id;
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
