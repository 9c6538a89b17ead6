// The router
export { createRouter } from './router.js';
export type { Router } from './router.js';

// Options, checked with valibot; times in ms
export {
  AffinityOptions,
  DEFAULT_AFFINITY_MAX_ENTRIES,
  DEFAULT_AFFINITY_TTL_MS,
  DEFAULT_HASH_KEY,
  DEFAULT_MAX_FIELD_LENGTH,
  DEFAULT_STRATEGY,
  RouterOptions,
} from './options.js';
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
export type { AffinityBinding, AffinityTable } from './affinity.js';
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
