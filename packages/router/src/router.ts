import {
  AppError,
  parseOrThrow,
  REGEX_INPUT_LIMIT,
  type RoutingRule,
  RoutingStrategy,
} from '@myagent/models';
import { type AffinityOptions, type AffinityTable, SessionBindings } from './affinity.js';
import { type ConnectionTable, LiveConnections } from './connections.js';
import { explainRoute } from './explain.js';
import { FieldCache } from './fields.js';
import { decide } from './internal/decide.js';
import type { RouterState } from './internal/state.js';
import { type CandidatePool, Pool } from './pool.js';
import { createRandomState } from './random.js';
import { type CompiledRule, compileRule, RuleIndex, type RuleInput } from './rules.js';
import { MaglevCache, pickerFor } from './strategies.js';
import type { Candidates, RouteCandidate, RouteContext, RouteDecision, RouteExplanation } from './types.js';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** The strategy when no rule applies. Default round_robin. */
  defaultStrategy?: RoutingStrategy;
  /** Rules to start with (see `setRules`). */
  rules?: readonly RuleInput[];
  /** Session affinity bounds, or false to turn affinity off. */
  affinity?: AffinityOptions | false;
  /** The field hash_based hashes (`client_ip` by default; e.g. `session_id` or `header.x-user-id`). */
  hashKey?: string;
  /** Field values are cut to this many characters before matching. Default 8192. */
  maxFieldLength?: number;
  /**
   * A regex condition matches at most this many characters of its field. Default REGEX_INPUT_LIMIT
   * (1,024), the length the ReDoS check of models budgets for: a larger value costs up to its square.
   */
  maxRegexInput?: number;
  /**
   * A uniform draw in [0, 1) for weighted_random. Default: a built-in xoshiro128** generator seeded from
   * the platform CSPRNG (Math.random allocates a heap number per call under Node 20).
   */
  random?: () => number;
  /** Milliseconds, for affinity expiry and connection timestamps. Default Date.now. */
  now?: () => number;
}

/** The router an embedder holds. */
export interface Router {
  /** Picks a service among the routable candidates, or throws AppError ROUTING_FAILED (INVALID_REQUEST for a malformed call). */
  route<C extends RouteCandidate>(context: RouteContext, candidates: Candidates<C>): RouteDecision<C>;
  /** The dry run of route(): every rule tried and why, the pool, the pick. Moves nothing; never throws. */
  explain<C extends RouteCandidate>(context: RouteContext, candidates: Candidates<C>): RouteExplanation<C>;
  /**
   * Prepares a candidate list once (filtered, indexed) for many picks: the fast path. Prepare again when
   * the list or a candidate's status, health, tags or weight changes; a prepared pool does not re-read them.
   */
  prepare<C extends RouteCandidate>(candidates: readonly C[]): CandidatePool<C>;
  addRule(rule: RuleInput): RoutingRule;
  updateRule(ruleId: string, patch: Partial<RuleInput>): RoutingRule;
  removeRule(ruleId: string): boolean;
  /** Replaces every rule at once; nothing changes if any of them is invalid. */
  setRules(rules: readonly RuleInput[]): RoutingRule[];
  getRule(ruleId: string): RoutingRule | undefined;
  /** Every rule, enabled or not, in evaluation order. */
  rules(): RoutingRule[];
  readonly defaultStrategy: RoutingStrategy;
  readonly connections: ConnectionTable;
  /** Session bindings; null when affinity is off. */
  readonly affinity: AffinityTable | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Creates a router: strategies, rules and conditions, session affinity and a live connection table. Pure:
 * no I/O, no timers; the caller passes its own candidates and gets its own object back.
 * @example
 * const router = createRouter({ defaultStrategy: 'least_connections' });
 * const { service } = router.route({ client_ip: '10.0.0.7' }, services);
 */
export function createRouter(options: RouterOptions = {}): Router {
  const now = options.now ?? Date.now;
  const random = options.random ?? null;
  if (random !== null && typeof random !== 'function') {
    throw new AppError('INVALID_REQUEST', 'random must be a function returning a number in [0, 1)');
  }
  const maxFieldLength = options.maxFieldLength ?? 8192;
  if (!Number.isInteger(maxFieldLength) || maxFieldLength < 1) {
    throw new AppError('INVALID_REQUEST', 'maxFieldLength must be a positive integer');
  }
  const maxRegexInput = options.maxRegexInput ?? REGEX_INPUT_LIMIT;
  if (!Number.isInteger(maxRegexInput) || maxRegexInput < 1) {
    throw new AppError('INVALID_REQUEST', 'maxRegexInput must be a positive integer');
  }
  const defaultStrategy = parseOrThrow(
    RoutingStrategy,
    options.defaultStrategy ?? 'round_robin',
    'defaultStrategy',
  );
  const fields = new FieldCache(maxFieldLength, maxRegexInput);
  const hashSlot = fields.slot(
    typeof options.hashKey === 'string' && options.hashKey ? options.hashKey : 'client_ip',
  );
  const ipSlot = fields.slot('client_ip');
  const state: RouterState = {
    fields,
    index: new RuleIndex([]),
    all: new Map(),
    defaultStrategy,
    defaultPicker: pickerFor(defaultStrategy),
    defaultCursor: { next: 0 },
    affinity: options.affinity === false ? null : new SessionBindings(options.affinity ?? {}, now),
    connections: new LiveConnections(now),
    hashSlot,
    ipSlot,
    lists: new WeakMap(),
    pickInput: {
      cursor: { next: 0 },
      random,
      rng: createRandomState(),
      draw: new Float64Array(1),
      commit: true,
      maglev: new MaglevCache(),
      fields,
      hashSlot,
      ipSlot,
    },
  };
  let seq = 0;
  const stamp = () => new Date(now()).toISOString();
  const reindex = () => {
    state.index = new RuleIndex(state.all.values());
  };
  const notFound = (ruleId: string) =>
    new AppError('RULE_NOT_FOUND', `Routing rule '${ruleId}' not found`, { details: { rule_id: ruleId } });

  const router: Router = {
    get defaultStrategy() {
      return state.defaultStrategy;
    },
    connections: state.connections,
    affinity: state.affinity,

    route<C extends RouteCandidate>(context: RouteContext, candidates: Candidates<C>): RouteDecision<C> {
      try {
        return decide(state, router, context, candidates, null);
      } catch (error) {
        throw AppError.from(error, 'INTERNAL_ERROR');
      }
    },

    explain<C extends RouteCandidate>(context: RouteContext, candidates: Candidates<C>): RouteExplanation<C> {
      return explainRoute(state, router, context, candidates);
    },

    prepare<C extends RouteCandidate>(candidates: readonly C[]): CandidatePool<C> {
      if (!Array.isArray(candidates))
        throw new AppError('INVALID_REQUEST', 'candidates must be an array of services');
      return new Pool<C>(candidates, state.connections, true, router);
    },

    addRule(input) {
      const compiled = compileRule(input, fields, seq++, stamp());
      if (state.all.has(compiled.rule.rule_id)) {
        throw new AppError('INVALID_REQUEST', `Routing rule '${compiled.rule.rule_id}' already exists`, {
          details: { rule_id: compiled.rule.rule_id },
        });
      }
      state.all.set(compiled.rule.rule_id, compiled);
      reindex();
      return compiled.rule;
    },

    updateRule(ruleId, patch) {
      const current = state.all.get(ruleId);
      if (!current) throw notFound(ruleId);
      if (!isRecord(patch)) throw new AppError('INVALID_REQUEST', 'Invalid rule patch: expected an object');
      const merged = {
        ...current.rule,
        ...patch,
        rule_id: ruleId,
        created_at: current.rule.created_at,
        updated_at: stamp(),
      };
      const compiled = compileRule(merged, fields, current.seq, stamp());
      state.all.set(ruleId, compiled);
      reindex();
      return compiled.rule;
    },

    removeRule(ruleId) {
      const removed = state.all.delete(ruleId);
      if (removed) reindex();
      return removed;
    },

    setRules(inputs) {
      if (!Array.isArray(inputs)) throw new AppError('INVALID_REQUEST', 'rules must be an array');
      const next = new Map<string, CompiledRule>();
      const at = stamp();
      for (const input of inputs) {
        const compiled = compileRule(input, fields, seq++, at);
        if (next.has(compiled.rule.rule_id)) {
          throw new AppError('INVALID_REQUEST', `Routing rule '${compiled.rule.rule_id}' appears twice`, {
            details: { rule_id: compiled.rule.rule_id },
          });
        }
        next.set(compiled.rule.rule_id, compiled);
      }
      state.all = next;
      reindex();
      return router.rules();
    },

    getRule(ruleId) {
      return state.all.get(ruleId)?.rule;
    },

    rules() {
      const enabledFirst = [...state.all.values()].sort((a, b) => {
        const order = state.index.order;
        const ia = order.indexOf(a);
        const ib = order.indexOf(b);
        if (ia >= 0 && ib >= 0) return ia - ib;
        return ia >= 0 ? -1 : ib >= 0 ? 1 : a.seq - b.seq;
      });
      return enabledFirst.map((r) => r.rule);
    },
  };
  if (options.rules) router.setRules(options.rules);
  return router;
}
