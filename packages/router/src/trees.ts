// The indexes the load-aware strategies keep over a pool's positions, updated one position at a time: a
// complete binary min tree for least_connections (O(log n)) and blocked prefix sums of the weights for
// weighted_random (O(√n)).

const PAD = 0x7fffffff;

function sizeFor(n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  return size;
}

/** Least value over positions, and the first position at or after a start that holds it. */
export class MinTree {
  readonly size: number;
  readonly tree: Int32Array;

  constructor(readonly n: number) {
    this.size = sizeFor(Math.max(1, n));
    this.tree = new Int32Array(this.size * 2).fill(PAD);
  }

  /** Sets every leaf, then all parents: O(n). */
  fill(valueAt: (position: number) => number): void {
    const { tree, size } = this;
    for (let i = 0; i < this.n; i++) tree[size + i] = valueAt(i);
    for (let i = size - 1; i >= 1; i--) tree[i] = Math.min(tree[2 * i] as number, tree[2 * i + 1] as number);
  }

  set(position: number, value: number): void {
    const tree = this.tree;
    let i = this.size + position;
    tree[i] = value;
    for (i >>= 1; i >= 1; i >>= 1) {
      const m = Math.min(tree[2 * i] as number, tree[2 * i + 1] as number);
      if (tree[i] === m) break;
      tree[i] = m;
    }
  }

  get min(): number {
    return this.tree[1] as number;
  }

  /**
   * First position >= start whose value is the minimum, wrapping to the first overall: rotates ties.
   * Iterative (no recursion, no allocation): climb from the start leaf to the first right sibling that
   * holds the minimum, then descend to its leftmost such leaf.
   */
  firstMinFrom(start: number): number {
    const tree = this.tree;
    const size = this.size;
    const target = tree[1] as number;
    let node = size + start;
    if ((tree[node] as number) !== target) {
      for (;;) {
        if (node === 1) {
          node = 1; // nothing at or after start: wrap to the first minimum overall
          break;
        }
        if ((node & 1) === 0 && (tree[node + 1] as number) === target) {
          node = node + 1;
          break;
        }
        node >>= 1;
      }
      while (node < size) node = (tree[2 * node] as number) === target ? 2 * node : 2 * node + 1;
    }
    return node - size;
  }
}

/** Smallest power of 4 at least n. */
function powerOfFourAtLeast(n: number): number {
  let size = 1;
  while (size < n) size *= 4;
  return size;
}

/**
 * Weights over positions, and a position drawn with probability proportional to its weight. Two levels of
 * exclusive prefix sums, blocks of leaves under one row of block sums: a draw is two branch-free searches
 * of a few dependent steps each (a binary sum tree over 1,000 leaves is ten, each waiting on the last
 * subtraction), and an update rewrites the rest of one block and of the block row, O(√n).
 */
export class WeightIndex {
  /** Leaves per block and blocks, both powers of 4 (a search step splits a range in four). */
  readonly block: number;
  readonly blocks: number;
  private readonly blockShift: number;
  private readonly weights: Float64Array;
  /** Per leaf: the sum of the leaves before it in its block. */
  private readonly leafPrefix: Float64Array;
  /** Per block: the sum of the blocks before it; and each block's own sum. */
  private readonly blockPrefix: Float64Array;
  private readonly blockSum: Float64Array;
  total = 0;

  constructor(readonly n: number) {
    let block = 4;
    while (block * block < n) block *= 4;
    this.block = block;
    this.blockShift = Math.log2(block);
    this.blocks = powerOfFourAtLeast(Math.ceil(Math.max(1, n) / block));
    this.weights = new Float64Array(this.blocks * block);
    this.leafPrefix = new Float64Array(this.blocks * block);
    this.blockPrefix = new Float64Array(this.blocks);
    this.blockSum = new Float64Array(this.blocks);
  }

  /** Sets every weight, then every sum: O(n). */
  fill(valueAt: (position: number) => number): void {
    for (let i = 0; i < this.n; i++) this.weights[i] = valueAt(i);
    for (let b = 0; b < this.blocks; b++) this.sumBlockFrom(b * this.block);
    this.sumBlocksFrom(0);
  }

  set(position: number, value: number): void {
    this.weights[position] = value;
    this.sumBlockFrom(position);
    this.sumBlocksFrom(position >> this.blockShift);
  }

  // Sums are recomputed from the weights in one fixed order, never adjusted by deltas: after any run of
  // updates they equal a fresh fill bit for bit, and never drift. Entries before `position` keep their
  // values, since they only sum weights before it.
  private sumBlockFrom(position: number): void {
    const { weights, leafPrefix } = this;
    const last = position | (this.block - 1);
    let sum = leafPrefix[position] as number;
    for (let i = position; i < last; i++) {
      sum += weights[i] as number;
      leafPrefix[i + 1] = sum;
    }
    this.blockSum[position >> this.blockShift] = sum + (weights[last] as number);
  }

  private sumBlocksFrom(block: number): void {
    const { blockPrefix, blockSum } = this;
    const last = this.blocks - 1;
    let sum = blockPrefix[block] as number;
    for (let b = block; b < last; b++) {
      sum += blockSum[b] as number;
      blockPrefix[b + 1] = sum;
    }
    this.total = sum + (blockSum[last] as number);
  }

  /**
   * The position where the running sum passes `u * total`, for u = `draw[0]` in [0, 1); -1 when the total
   * is 0. The draw is read from an array so that no double is boxed on the way in.
   */
  sample(draw: Float64Array): number {
    const total = this.total;
    if (!(total > 0)) return -1;
    const r = (draw[0] as number) * total;
    const b = lastAtMost(this.blockPrefix, 0, this.blocks, r);
    let i = lastAtMost(
      this.leafPrefix,
      b << this.blockShift,
      this.block,
      r - (this.blockPrefix[b] as number),
    );
    // Rounding can land past the last weighted leaf (on a zero weight or a pad); step back to it.
    while (i > 0 && (i >= this.n || !((this.weights[i] as number) > 0))) i--;
    return i;
  }
}

/**
 * The last index of `prefix[start, start + span)` (span a power of 4) whose value is at most r, for
 * ascending prefix sums that start at or below r. Each step counts which of three pivots r has reached and
 * moves a quarter of the range per pivot: the three loads and comparisons run side by side, and no branch
 * waits on the random draw. A zero weight (an empty range) is skipped.
 */
function lastAtMost(prefix: Float64Array, start: number, span: number, r: number): number {
  let i = start;
  for (let step = span >> 2; step > 0; step >>= 2) {
    i +=
      (Number((prefix[i + step] as number) <= r) +
        Number((prefix[i + 2 * step] as number) <= r) +
        Number((prefix[i + 3 * step] as number) <= r)) *
      step;
  }
  return i;
}
