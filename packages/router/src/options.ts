import { parseOrThrow, REGEX_INPUT_LIMIT, RoutingStrategy } from '@myagent/models';
import * as v from 'valibot';
import type { RuleInput } from './rules.js';

/** The strategy when no rule applies. @default 'round_robin' */
export const DEFAULT_STRATEGY: RoutingStrategy = 'round_robin';
/** Field values are cut to this many characters before matching. @default 8192 */
export const DEFAULT_MAX_FIELD_LENGTH = 8192;
/** The field hash_based hashes. @default 'client_ip' */
export const DEFAULT_HASH_KEY = 'client_ip';
/** A session binding unused for this long expires (sliding: each use renews it). @default 30 min */
export const DEFAULT_AFFINITY_TTL_MS = 30 * 60_000;
/** Session bindings kept at most; past it the least recently used goes. @default 100,000 */
export const DEFAULT_AFFINITY_MAX_ENTRIES = 100_000;

const fn = <T>(message: string) => v.custom<T>((value) => typeof value === 'function', message);
const positiveInteger = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const nonNegative = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** Options of session affinity (spec C6), checked with valibot; 0 for either turns binding off. */
export const AffinityOptions = v.object({
  /** A binding unused for this long expires (sliding: each use renews it). @default 30 min */
  ttlMs: v.optional(nonNegative, DEFAULT_AFFINITY_TTL_MS),
  /** At most this many bindings; past it the least recently used goes. @default 100,000 */
  maxEntries: v.optional(nonNegative, DEFAULT_AFFINITY_MAX_ENTRIES),
});
export type AffinityOptions = v.InferInput<typeof AffinityOptions>;
/** Affinity options with the defaults filled in. */
export type ResolvedAffinityOptions = v.InferOutput<typeof AffinityOptions>;

/** Options of {@link createRouter}, checked with valibot; times in ms. */
export const RouterOptions = v.object({
  /** The strategy when no rule applies. @default 'round_robin' */
  defaultStrategy: v.optional(RoutingStrategy, DEFAULT_STRATEGY),
  /** Rules to start with (see `setRules`, which checks each). */
  rules: v.optional(
    v.custom<readonly RuleInput[]>((value) => Array.isArray(value), 'rules must be an array'),
  ),
  /** Session affinity bounds, or false to turn affinity off. @default { ttlMs: 30 min, maxEntries: 100,000 } */
  affinity: v.optional(v.union([v.literal(false), AffinityOptions]), {}),
  /**
   * The field hash_based hashes (e.g. `session_id` or `header.x-user-id`); an empty one means the default.
   * @default 'client_ip'
   */
  hashKey: v.optional(v.string(), DEFAULT_HASH_KEY),
  /** Field values are cut to this many characters before matching. @default 8192 */
  maxFieldLength: v.optional(positiveInteger, DEFAULT_MAX_FIELD_LENGTH),
  /**
   * A regex condition matches at most this many characters of its field: the length the ReDoS check of
   * models budgets for; a larger value costs up to its square. @default REGEX_INPUT_LIMIT (1,024)
   */
  maxRegexInput: v.optional(positiveInteger, REGEX_INPUT_LIMIT),
  /**
   * A uniform draw in [0, 1) for weighted_random. @default a built-in xoshiro128** generator seeded from the
   * platform CSPRNG (Math.random allocates a heap number per call under Node 20)
   */
  random: v.optional(fn<() => number>('random must be a function returning a number in [0, 1)')),
  /** Milliseconds, for affinity expiry and connection timestamps. @default Date.now */
  now: v.optional(fn<() => number>('now must be a function returning milliseconds'), () => Date.now),
});
export type RouterOptions = v.InferInput<typeof RouterOptions>;
/** Router options with the defaults filled in. */
export type ResolvedRouterOptions = v.InferOutput<typeof RouterOptions>;

/** Checks and completes the options; a bad option throws INVALID_REQUEST naming it. */
export function resolveRouterOptions(options: RouterOptions = {}): ResolvedRouterOptions {
  const resolved = parseOrThrow(RouterOptions, options, 'router options');
  return { ...resolved, hashKey: resolved.hashKey || DEFAULT_HASH_KEY };
}
