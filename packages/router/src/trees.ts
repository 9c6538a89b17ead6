// Two complete binary trees over a pool's positions, updated one leaf at a time in O(log n): a min tree
// for least_connections and a sum tree for weighted_random. Internal nodes are recomputed from their
// children on each update, never adjusted by deltas, so float sums do not drift.

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

/** Sum of weights over positions, and a position drawn with probability proportional to its weight. */
export class SumTree {
  readonly size: number;
  readonly tree: Float64Array;

  constructor(readonly n: number) {
    this.size = sizeFor(Math.max(1, n));
    this.tree = new Float64Array(this.size * 2);
  }

  fill(valueAt: (position: number) => number): void {
    const { tree, size } = this;
    for (let i = 0; i < this.n; i++) tree[size + i] = valueAt(i);
    for (let i = size - 1; i >= 1; i--) tree[i] = (tree[2 * i] as number) + (tree[2 * i + 1] as number);
  }

  set(position: number, value: number): void {
    const tree = this.tree;
    let i = this.size + position;
    tree[i] = value;
    for (i >>= 1; i >= 1; i >>= 1) tree[i] = (tree[2 * i] as number) + (tree[2 * i + 1] as number);
  }

  get total(): number {
    return this.tree[1] as number;
  }

  /**
   * The position where the running sum passes `u * total`, for u = `draw[0]` in [0, 1). -1 when the total
   * is 0. The draw is read from an array so that no double is boxed on the way in.
   */
  sample(draw: Float64Array): number {
    const tree = this.tree;
    if (!((tree[1] as number) > 0)) return -1;
    let r = (draw[0] as number) * (tree[1] as number);
    let i = 1;
    // Branch-free descent: a random draw makes each left/right turn unpredictable, and ten mispredicted
    // branches cost more than the arithmetic.
    while (i < this.size) {
      const left = tree[2 * i] as number;
      const right = Number(r >= left);
      r -= left * right;
      i = 2 * i + right;
    }
    let position = i - this.size;
    // Rounding can land on a zero-weight pad past the end; step back to the last weighted position.
    while (position > 0 && (position >= this.n || !((tree[this.size + position] as number) > 0))) position--;
    return position;
  }
}
