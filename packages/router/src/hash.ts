// String hashing and Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of prime size
// M filled from each backend's own permutation, so a pick is one hash and one array read, and when one of
// N backends leaves only about 1/N of the table's entries change owner.

/**
 * MurmurHash3's 32-bit block mixing over pairs of UTF-16 code units, with its fmix32 finish. Two units per
 * step halve the loop's steps against a per-unit hash such as FNV-1a; what remains is mostly charCodeAt's
 * per-call check of the string's representation.
 */
export function hashString(text: string, seed = 0x811c9dc5): number {
  const n = text.length;
  const pairs = n & ~1;
  let h = seed | 0;
  let i = 0;
  for (; i < pairs; i += 2) {
    h ^= scramble(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) h ^= scramble(text.charCodeAt(i));
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function scramble(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

/**
 * Maps a 32-bit hash onto [0, size) by scaling (Lemire's fastrange) rather than a modulo: with a uint32
 * operand V8 computes `%` as a floating-point remainder. Exact in doubles while size < 2^21.
 */
export function hashSlot(hash: number, size: number): number {
  return ((hash * size) / 4_294_967_296) | 0;
}

const PRIMES = [
  251, 509, 1021, 2039, 4093, 8191, 16_381, 32_749, 65_521, 131_071, 262_139, 524_287, 1_048_573,
];

/** The table size: the smallest listed prime at least 64 times the backends (bounded at about 1M). */
export function maglevSize(backends: number): number {
  for (const prime of PRIMES) if (prime >= backends * 64) return prime;
  return PRIMES[PRIMES.length - 1] as number;
}

/**
 * Builds a Maglev table over backend ids; entry i is an index into `ids`. The ids are taken in sorted
 * order so that the table depends only on the set, not on the order a caller listed them in.
 */
export function buildMaglev(ids: readonly string[]): { table: Int32Array; order: string[] } {
  const order = [...ids].sort();
  const n = order.length;
  const m = maglevSize(n);
  const table = new Int32Array(m).fill(-1);
  if (n === 0) return { table, order };
  const position = new Float64Array(n);
  const skip = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = order[i] as string;
    position[i] = hashString(id, 0x9747b28c) % m;
    skip[i] = (hashString(id, 0x2f6b1c3d) % (m - 1)) + 1;
  }
  let filled = 0;
  while (filled < m) {
    for (let i = 0; i < n && filled < m; i++) {
      let c = position[i] as number;
      while ((table[c] as number) >= 0) c = (c + (skip[i] as number)) % m;
      table[c] = i;
      position[i] = (c + (skip[i] as number)) % m;
      filled++;
    }
  }
  return { table, order };
}
