import type { RoutingRule, RoutingStrategy } from '@myagent/models';
import type { CandidatePool } from './pool.js';

/**
 * The least a candidate must carry: a models `Service` satisfies it, and so does an embedder's own object.
 * The router hands the caller's own object back in the decision.
 */
export interface RouteCandidate {
  readonly service_id: string;
  /** Only `running` is routable; a candidate without a status is taken as running (the caller vouches). */
  readonly status?: string | null;
  /** `false` makes a candidate unroutable whatever its status. */
  readonly healthy?: boolean | null;
  readonly tags?: readonly string[] | null;
  /** Base weight for `weighted_random` (default: the rule's weight, else 1). */
  readonly weight?: number | null;
  /** A rule's `target_services` may name a candidate by id or by name. */
  readonly name?: string | null;
}

/** A header or query value as node:http and URLSearchParams give them. */
export type ContextValue = string | readonly string[] | number | boolean | null | undefined;

/**
 * What the router knows about a connection: conditions read these fields; any other key is readable too.
 * @example { client_ip: '10.0.0.7', user_agent: 'Mozilla/5.0', headers: req.headers, query_params: { region: 'eu' } }
 */
export interface RouteContext {
  client_ip?: string | null;
  client_port?: number | null;
  user_agent?: string | null;
  headers?: Readonly<Record<string, ContextValue>> | null;
  query_params?: Readonly<Record<string, ContextValue>> | null;
  /** A session bound to a service goes back to it while that service is routable (affinity). */
  session_id?: string | null;
  [key: string]: unknown;
}

/** Why a service was picked: a still-valid session binding, a rule, or the default strategy. */
export type RouteReason = 'affinity' | 'rule' | 'default';

/** The outcome of `route()`: the caller's own candidate object and how it was chosen. Frozen and shared between identical picks. */
export interface RouteDecision<C extends RouteCandidate = RouteCandidate> {
  readonly service: C;
  /** The rule that applied, or null for the default strategy and for affinity. */
  readonly rule: RoutingRule | null;
  readonly strategy: RoutingStrategy;
  readonly reason: RouteReason;
}

/** One condition as `explain()` reports it. */
export interface ConditionTrace {
  field: string;
  operator: string;
  value: string | readonly string[];
  /** The field's value as read (cut to 200 characters). */
  actual: string;
  result: boolean;
}

/** One rule as `explain()` reports it. */
export interface RuleTrace {
  rule_id: string;
  name: string;
  priority: number;
  enabled: boolean;
  outcome: 'disabled' | 'conditions_failed' | 'no_routable_target' | 'selected' | 'not_reached';
  conditions: ConditionTrace[];
  /** Routable target ids when the conditions held (at most 100 listed). */
  targets: string[];
  target_count: number;
}

/** The route dry run: every step `route()` would take, without moving cursors or binding sessions. */
export interface RouteExplanation<C extends RouteCandidate = RouteCandidate> {
  ok: boolean;
  decision: RouteDecision<C> | null;
  error: { code: string; message: string } | null;
  candidates: {
    given: number;
    routable: number;
    /** Unroutable or duplicate candidates and why (at most 100 listed). */
    excluded: { service_id: string; why: string }[];
  };
  affinity: { session_id: string; bound_service_id: string | null; used: boolean; why: string } | null;
  rules: RuleTrace[];
  /** The pool the strategy picked from (at most 100 ids listed) and the strategy. */
  pool: { source: RouteReason | 'none'; strategy: RoutingStrategy | null; size: number; ids: string[] };
  pick: string | null;
}

/** A prepared pool, or a plain list read afresh on each call. */
export type Candidates<C extends RouteCandidate> = readonly C[] | CandidatePool<C>;
