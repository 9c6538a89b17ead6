import type { RoutingStrategy } from '@myagent/models';
import type { FieldCache } from './fields.js';
import { buildMaglev, hashSlot, hashString } from './hash.js';
import type { Cursor, Pool, Subset } from './pool.js';
import { nextRandomInto } from './random.js';

/**
 * Below this size a prepared subset is scanned rather than indexed: a scan of a few entries is cheaper
 * than keeping a tree in step with the connection table.
 */
export const SCAN_LIMIT = 8;

/** What a pick needs besides the pool: the cursor of its rule, the randomness, and the hash key. */
export interface PickInput {
  cursor: Cursor;
  /** The caller's uniform draw, or null for the built-in generator over `rng`. */
  random: (() => number) | null;
  rng: Uint32Array;
  /** Where each draw is written (see `nextRandomInto`): doubles cross no call boundary on the hot path. */
  draw: Float64Array;
  /** The current call's fields: hash_based reads its key there (see `hashKeyOf`). */
  fields: FieldCache;
  /** The field hash_based hashes, and the client IP it falls back to when that field is empty. */
  hashSlot: number;
  ipSlot: number;
  /** False for `explain()`: the pick is computed but no cursor moves. */
  commit: boolean;
  maglev: MaglevCache;
}

/** Maglev tables by the set of ids they were built over, shared by per-call pools (LRU, a few entries). */
export class MaglevCache {
  private readonly entries = new Map<string, { table: Int32Array; order: string[]; ids: Set<string> }>();

  constructor(private readonly capacity = 16) {}

  get(ids: readonly string[]): { table: Int32Array; order: string[] } {
    let sum = 0;
    let xor = 0;
    for (const id of ids) {
      const h = hashString(id);
      sum = (sum + h) >>> 0;
      xor = (xor ^ hashString(id, 0x5bd1e995)) >>> 0;
    }
    const key = `${ids.length}:${sum}:${xor}`;
    const hit = this.entries.get(key);
    if (hit && ids.every((id) => hit.ids.has(id))) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const built = buildMaglev(ids);
    this.entries.set(key, { ...built, ids: new Set(ids) });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return built;
  }
}

function roundRobin(subset: Subset, input: PickInput): number {
  const i = input.cursor.next % subset.size;
  if (input.commit) input.cursor.next = i + 1;
  return i;
}

/** Exact least connections; ties go to the first at or after the cursor, so equal loads rotate. */
function leastConnections(pool: Pool, subset: Subset, input: PickInput): number {
  const n = subset.size;
  const start = input.cursor.next % n;
  let best: number;
  if (pool.prepared && n > SCAN_LIMIT) {
    best = pool.minTree(subset).firstMinFrom(start);
  } else {
    best = start;
    let least = pool.count(subset.positions[start] as number);
    for (let k = 1; k < n && least > 0; k++) {
      const i = (start + k) % n;
      const c = pool.count(subset.positions[i] as number);
      if (c < least) {
        least = c;
        best = i;
      }
    }
  }
  if (input.commit) input.cursor.next = best + 1;
  return best;
}

function draw(input: PickInput): void {
  if (input.random === null) nextRandomInto(input.rng, input.draw);
  else input.draw[0] = input.random();
}

/** Weight over (live connections + 1); all weights zero falls back to a uniform draw. */
function weightedRandom(pool: Pool, subset: Subset, input: PickInput): number {
  draw(input);
  // The indexed path stays small so that the compiler inlines all of it into route(); scans live apart.
  if (pool.prepared && subset.size > SCAN_LIMIT) {
    const i = pool.weightIndex(subset).sample(input.draw);
    return i >= 0 ? i : uniformIndex(subset, input);
  }
  return weightedScan(pool, subset, input);
}

function uniformIndex(subset: Subset, input: PickInput): number {
  const n = subset.size;
  draw(input);
  return Math.min(n - 1, Math.floor((input.draw[0] as number) * n));
}

/** weighted_random over a small or unprepared subset: a scan of the weights, with the draw made. */
function weightedScan(pool: Pool, subset: Subset, input: PickInput): number {
  const n = subset.size;
  let total = 0;
  for (let i = 0; i < n; i++) total += pool.weightAt(subset, i);
  if (!(total > 0)) return uniformIndex(subset, input);
  let r = (input.draw[0] as number) * total;
  for (let i = 0; i < n; i++) {
    const w = pool.weightAt(subset, i);
    if (r < w) return i;
    r -= w;
  }
  for (let i = n - 1; i > 0; i--) if (pool.weightAt(subset, i) > 0) return i;
  return 0;
}

/** Up to this many members hash_based uses rendezvous hashing (exactly 1/N moves); above it, Maglev. */
export const RENDEZVOUS_LIMIT = 32;

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Rendezvous: the member whose (key, id) score is highest; ties (rare) go to the smaller id. */
function rendezvous(pool: Pool, subset: Subset, key: number): number {
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < subset.size; i++) {
    const id = pool.ids[subset.positions[i] as number] as string;
    const score = mix(key ^ pool.idHash(subset.positions[i] as number));
    if (
      score > bestScore ||
      (score === bestScore && id < (pool.ids[subset.positions[best] as number] as string))
    ) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** The hash key of the current call: the configured field, else the client IP. */
function hashKeyOf(input: PickInput): string {
  const fields = input.fields;
  if (input.hashSlot === input.ipSlot) return fields.clientIp(input.ipSlot);
  return fields.get(input.hashSlot) || fields.clientIp(input.ipSlot);
}

/**
 * Consistent hashing of the key: rendezvous for small subsets, Maglev for large ones; either way the same
 * key reaches the same service whatever order the ids were listed in. A call with no key at all (no client
 * IP, no hash field) is spread round-robin: hashing '' would send every such client to one service.
 */
function hashBased(pool: Pool, subset: Subset, input: PickInput): number {
  const key = hashKeyOf(input);
  if (key.length === 0) return roundRobin(subset, input);
  // A prepared subset's table, once built, is all a pick reads: this stays small enough to inline.
  const lookup = subset.maglevTable;
  if (lookup !== null) return lookup[hashSlot(hashString(key), lookup.length)] as number;
  return hashBasedFirst(pool, subset, input, key);
}

/** hash_based without a built table: rendezvous, a per-call pool, or the first pick of a prepared one. */
function hashBasedFirst(pool: Pool, subset: Subset, input: PickInput, key: string): number {
  if (subset.size <= RENDEZVOUS_LIMIT) return rendezvous(pool, subset, hashString(key));
  const ids = Array.from(subset.positions, (p) => pool.ids[p] as string);
  const { table, order } = pool.prepared ? buildMaglev(ids) : input.maglev.get(ids);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const toIndex = Int32Array.from(order, (id) => indexOf.get(id) as number);
  if (!pool.prepared) return toIndex[table[hashSlot(hashString(key), table.length)] as number] as number;
  const lookup = ids.length < 65_536 ? new Uint16Array(table.length) : new Int32Array(table.length);
  for (let k = 0; k < table.length; k++) lookup[k] = toIndex[table[k] as number] as number;
  subset.maglevTable = lookup;
  return lookup[hashSlot(hashString(key), lookup.length)] as number;
}

/**
 * The strategy that carries out a pick. `tag_based` only narrows the pool by tags; the pick is then made by
 * its fallback (a rule's `fallback_strategy`), else round-robin.
 */
export function pickerFor(strategy: RoutingStrategy, fallback?: RoutingStrategy | null): RoutingStrategy {
  if (strategy !== 'tag_based') return strategy;
  return fallback && fallback !== 'tag_based' ? fallback : 'round_robin';
}

/**
 * Picks one member of a subset and returns its index in the subset. `tag_based` has narrowed the subset by
 * tags already and is carried out by the strategy it falls back to.
 */
export function pickIndex(pool: Pool, subset: Subset, strategy: RoutingStrategy, input: PickInput): number {
  switch (strategy) {
    case 'least_connections':
      return leastConnections(pool, subset, input);
    case 'weighted_random':
      return weightedRandom(pool, subset, input);
    case 'hash_based':
      return hashBased(pool, subset, input);
    default:
      return roundRobin(subset, input);
  }
}

/** Picks one member of a subset and returns its pool position. */
export function pick(pool: Pool, subset: Subset, strategy: RoutingStrategy, input: PickInput): number {
  return subset.positions[pickIndex(pool, subset, strategy, input)] as number;
}
