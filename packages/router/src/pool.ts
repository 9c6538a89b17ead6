import { CHANGE_LOG_SIZE, type LiveConnections } from './connections.js';
import { hashString } from './hash.js';
import { MinTree, WeightIndex } from './trees.js';
import type { RouteCandidate, RouteDecision } from './types.js';

/** Why a candidate is left out, as `explain()` reports it. */
export interface Exclusion {
  service_id: string;
  why: string;
}

const RUNNING = 'running';

/** Why a candidate cannot be routed to, or null when it can (spec C4). */
export function unroutableReason(candidate: unknown): string | null {
  if (typeof candidate !== 'object' || candidate === null) return 'not an object';
  const c = candidate as RouteCandidate;
  if (typeof c.service_id !== 'string' || c.service_id.length === 0) return 'no service_id';
  const status = c.status;
  if (
    status !== RUNNING &&
    status !== undefined &&
    status !== null &&
    String(status).toLowerCase() !== RUNNING
  ) {
    return `status is ${String(c.status)}`;
  }
  if (c.healthy === false) return 'unhealthy';
  return null;
}

/** Where a strategy keeps its place between picks: one per rule and one for the default. */
export interface Cursor {
  next: number;
}

/**
 * The routable members of a pool that one rule (or the default) targets, by position in the pool. Indexes
 * the strategies need are built lazily, the first time a strategy reads them, and only for prepared pools.
 */
export class Subset {
  posOfSlot: Int32Array | null = null;
  synced = 0;
  minTree: MinTree | null = null;
  weightIndex: WeightIndex | null = null;
  baseWeights: Float64Array | null = null;
  /**
   * Maglev: the table with each entry already mapped to a subset index, so a lookup is one read; 16-bit
   * entries (subsets below 65,536 members) halve the table's cache footprint.
   */
  maglevTable: Uint16Array | Int32Array | null = null;
  /** A rule's frozen decisions by subset index, made on first pick (prepared pools only). */
  decisions: (RouteDecision | null)[] | null = null;

  constructor(
    readonly positions: Int32Array,
    readonly ruleWeight: number,
  ) {}

  get size(): number {
    return this.positions.length;
  }
}

/**
 * A candidate list prepared by `router.prepare()`: the routable candidates, deduplicated (first wins), and
 * why the others were left out. Pass it to `route()` / `explain()` instead of the list.
 */
export interface CandidatePool<C extends RouteCandidate = RouteCandidate> {
  /** Routable candidates held. */
  readonly size: number;
  /** The routable candidates, in the order given. */
  readonly items: readonly C[];
  /** The candidates left out, and why. */
  readonly excluded: readonly Exclusion[];
}

/**
 * A snapshot of a caller's candidate list, filtered to the routable ones and deduplicated (first wins),
 * with each member's connection-table slot. Subsets per rule are cached on it.
 */
export class Pool<C extends RouteCandidate = RouteCandidate> implements CandidatePool<C> {
  // A brand that no copy of a pool's fields carries. route() checks it on every call: `#brand in value`
  // compiles to a map check, where `instanceof Pool` measured about 10 ns a call under Node 20.
  readonly #brand = true;

  /** True when `value` is a pool this owner (a router) prepared or made: the fast path of route(). */
  static isOwnedBy(value: unknown, owner: object): value is Pool {
    return typeof value === 'object' && value !== null && #brand in value && value.owner === owner;
  }

  readonly items: C[] = [];
  readonly ids: string[] = [];
  private slotList: Int32Array | null = null;
  readonly byId = new Map<string, number>();
  readonly excluded: Exclusion[] = [];
  readonly given: number;
  /** Subsets by compiled rule (or a string key), null when a rule targets nothing routable here. */
  readonly subsets = new Map<unknown, Subset | null>();
  private byName: Map<string, number[]> | null = null;
  private everything: Subset | null = null;
  /** The default strategy's frozen decisions by pool position, made on first pick (prepared pools only). */
  defaultDecisions: (RouteDecision | null)[] | null = null;

  constructor(
    list: readonly unknown[],
    readonly table: LiveConnections,
    /** A prepared pool keeps its subsets and indexes across picks; a per-call pool builds none. */
    readonly prepared: boolean,
    readonly owner: object,
  ) {
    this.given = list.length;
    for (const candidate of list) {
      const why = unroutableReason(candidate);
      const id = (candidate as RouteCandidate | null)?.service_id;
      if (why !== null) {
        this.excluded.push({ service_id: typeof id === 'string' ? id : '', why });
        continue;
      }
      const c = candidate as C;
      if (this.byId.has(c.service_id)) {
        this.excluded.push({ service_id: c.service_id, why: 'duplicate service_id (the first one is kept)' });
        continue;
      }
      this.byId.set(c.service_id, this.items.length);
      this.items.push(c);
      this.ids.push(c.service_id);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Each member's connection-table slot, allocated on first use (only the load-aware strategies read it). */
  get slots(): Int32Array {
    if (!this.slotList) {
      this.slotList = new Int32Array(this.items.length);
      for (let i = 0; i < this.items.length; i++) this.slotList[i] = this.table.slotOf(this.ids[i] as string);
    }
    return this.slotList;
  }

  /** Every routable member. */
  all(): Subset | null {
    if (this.items.length === 0) return null;
    if (!this.everything) {
      const positions = new Int32Array(this.items.length);
      for (let i = 0; i < positions.length; i++) positions[i] = i;
      this.everything = new Subset(positions, 1);
    }
    return this.everything;
  }

  /** Positions of the members a rule's `target_services` name, by id or by name, in pool order. */
  byTargets(targets: readonly string[]): number[] {
    const found = new Set<number>();
    for (const target of targets) {
      const position = this.byId.get(target);
      if (position !== undefined) {
        found.add(position);
        continue;
      }
      if (!this.byName) {
        this.byName = new Map();
        this.items.forEach((item, i) => {
          if (typeof item.name !== 'string') return;
          const list = this.byName?.get(item.name);
          if (list) list.push(i);
          else this.byName?.set(item.name, [i]);
        });
      }
      for (const i of this.byName.get(target) ?? []) found.add(i);
    }
    return [...found].sort((a, b) => a - b);
  }

  /** Positions of the members that carry every one of `tags`. */
  byTags(tags: readonly string[]): number[] {
    const out: number[] = [];
    this.items.forEach((item, i) => {
      const own = Array.isArray(item.tags) ? item.tags : [];
      if (tags.every((tag) => own.includes(tag))) out.push(i);
    });
    return out;
  }

  private idHashes: Int32Array | null = null;

  /** A hash of the member's id, for rendezvous hashing; computed once per pool. */
  idHash(position: number): number {
    if (!this.idHashes) {
      this.idHashes = new Int32Array(this.ids.length);
      for (let i = 0; i < this.ids.length; i++)
        this.idHashes[i] = hashString(this.ids[i] as string, 0x3c6ef372);
    }
    return this.idHashes[position] as number;
  }

  /** Live connections of the member at a pool position. */
  count(position: number): number {
    return this.table.counts[(this.slotList ?? this.slots)[position] as number] as number;
  }

  /** The weight a member starts from: its own, else the rule's. */
  baseWeight(position: number, ruleWeight: number): number {
    const own = this.items[position]?.weight;
    return typeof own === 'number' && Number.isFinite(own) && own >= 0 ? own : ruleWeight;
  }

  /** Brings a subset's trees up to date with the connection table's change log. */
  sync(subset: Subset): void {
    const table = this.table;
    if (subset.synced === table.seq) return;
    const rebuild = table.seq - subset.synced > CHANGE_LOG_SIZE || subset.posOfSlot === null;
    if (rebuild) {
      subset.posOfSlot ??= this.slotIndex(subset);
      subset.minTree?.fill((i) => this.count(subset.positions[i] as number));
      subset.weightIndex?.fill((i) => this.weightAt(subset, i));
    } else {
      const posOfSlot = subset.posOfSlot as Int32Array;
      for (let s = subset.synced; s < table.seq; s++) {
        const slot = table.log[s % CHANGE_LOG_SIZE] as number;
        const i = slot < posOfSlot.length ? (posOfSlot[slot] as number) : -1;
        if (i < 0) continue;
        subset.minTree?.set(i, this.count(subset.positions[i] as number));
        subset.weightIndex?.set(i, this.weightAt(subset, i));
      }
    }
    subset.synced = table.seq;
  }

  private slotIndex(subset: Subset): Int32Array {
    const slots = this.slots; // allocates this pool's slots first, so the index covers them
    const index = new Int32Array(this.table.slotCount).fill(-1);
    for (let i = 0; i < subset.size; i++) index[slots[subset.positions[i] as number] as number] = i;
    return index;
  }

  /** weighted_random's weight: the base weight over (live connections + 1). */
  weightAt(subset: Subset, i: number): number {
    const position = subset.positions[i] as number;
    const base = subset.baseWeights
      ? (subset.baseWeights[i] as number)
      : this.baseWeight(position, subset.ruleWeight);
    return base / (this.count(position) + 1);
  }

  /** The min tree of a prepared subset, built on first use and kept in step with the change log. */
  minTree(subset: Subset): MinTree {
    const tree = subset.minTree;
    if (tree !== null && subset.synced === this.table.seq) return tree;
    return this.refreshMinTree(subset);
  }

  private refreshMinTree(subset: Subset): MinTree {
    this.sync(subset);
    if (!subset.minTree) {
      subset.posOfSlot ??= this.slotIndex(subset);
      subset.minTree = new MinTree(subset.size);
      subset.minTree.fill((i) => this.count(subset.positions[i] as number));
    }
    return subset.minTree;
  }

  /** The weight index of a prepared subset, built on first use and kept in step with the change log. */
  weightIndex(subset: Subset): WeightIndex {
    const index = subset.weightIndex;
    // Small enough to inline into route(): most picks find the index built and no connection changed.
    if (index !== null && subset.synced === this.table.seq) return index;
    return this.refreshWeightIndex(subset);
  }

  private refreshWeightIndex(subset: Subset): WeightIndex {
    this.sync(subset);
    if (!subset.weightIndex) {
      subset.posOfSlot ??= this.slotIndex(subset);
      subset.baseWeights = Float64Array.from(subset.positions, (p) => this.baseWeight(p, subset.ruleWeight));
      subset.weightIndex = new WeightIndex(subset.size);
      subset.weightIndex.fill((i) => this.weightAt(subset, i));
    }
    return subset.weightIndex;
  }
}

/**
 * What a plain list looked like when it was last prepared: each entry's identity and the fields routing
 * reads. A call with the same array re-checks these (a few ns per entry, no hashing) and reuses the
 * prepared pool, its subsets and indexes when nothing changed.
 */
export class ListSnapshot {
  private readonly entries: unknown[];
  private readonly fields: unknown[];

  constructor(
    list: readonly unknown[],
    readonly pool: Pool,
  ) {
    this.entries = [...list];
    this.fields = [];
    for (const entry of list) this.fields.push(...ListSnapshot.read(entry));
  }

  private static read(entry: unknown): unknown[] {
    if (typeof entry !== 'object' || entry === null) return [entry, null, null, null, null, null];
    const c = entry as RouteCandidate;
    return [
      c.service_id,
      c.status,
      c.healthy,
      c.tags,
      Array.isArray(c.tags) ? c.tags.length : -1,
      c.weight ?? c.name,
    ];
  }

  /** True when the list holds the same entries with the same routing fields as when prepared. */
  matches(list: readonly unknown[]): boolean {
    if (list.length !== this.entries.length) return false;
    const fields = this.fields;
    for (let i = 0, f = 0; i < list.length; i++, f += 6) {
      const entry = list[i];
      if (entry !== this.entries[i]) return false;
      if (typeof entry !== 'object' || entry === null) continue;
      const c = entry as RouteCandidate;
      if (
        c.service_id !== fields[f] ||
        c.status !== fields[f + 1] ||
        c.healthy !== fields[f + 2] ||
        c.tags !== fields[f + 3] ||
        (Array.isArray(c.tags) ? c.tags.length : -1) !== fields[f + 4] ||
        (c.weight ?? c.name) !== fields[f + 5]
      ) {
        return false;
      }
    }
    return true;
  }
}
