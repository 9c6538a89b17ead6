// The router
export { createRouter } from './router.js';
export type { Router, RouterOptions } from './router.js';
export type { RuleInput } from './rules.js';

// Candidates, contexts, decisions and the dry run
export { unroutableReason } from './pool.js';
export type { CandidatePool, Exclusion } from './pool.js';
export type {
  Candidates,
  ConditionTrace,
  ContextValue,
  RouteCandidate,
  RouteContext,
  RouteDecision,
  RouteExplanation,
  RouteReason,
  RuleTrace,
} from './types.js';

// Session affinity and the live connection table
export type { AffinityBinding, AffinityOptions, AffinityTable } from './affinity.js';
export type {
  ActiveConnectionFilter,
  ConnectionRegistration,
  ConnectionStats,
  ConnectionTable,
} from './connections.js';

// Building blocks an embedder may reuse
export { readContextField } from './fields.js';
export { hashString } from './hash.js';
export { inCidr, parseCidr, parseIp } from './ip.js';
export type { Cidr, IpWords } from './ip.js';
