// The default draw of weighted_random: xoshiro128** (Blackman and Vigna), four 32-bit words of state in a
// typed array, seeded from the platform CSPRNG. Math.random returns a freshly allocated heap number on
// every call under Node 20, which in a hot loop of picks feeds the young-generation collector; this one
// runs inline and allocates nothing. Two 32-bit outputs make a double with 53 random bits.

/** Four words of xoshiro128** state, never all zero. */
export function createRandomState(): Uint32Array {
  const state = new Uint32Array(4);
  while (state.every((word) => word === 0)) globalThis.crypto.getRandomValues(state);
  return state;
}

function next32(s: Uint32Array): number {
  const s0 = s[0] as number;
  const s1 = s[1] as number;
  const s2 = s[2] as number;
  const s3 = s[3] as number;
  const x = Math.imul(s1, 5);
  const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s[1] = s1 ^ n2;
  s[0] = s0 ^ n3;
  s[2] = n2 ^ t;
  s[3] = (n3 << 11) | (n3 >>> 21);
  return result;
}

/**
 * Writes a uniform double in [0, 1) with 53 random bits to `out[0]` and advances the state. It writes
 * rather than returns: a double returned from a call the compiler did not inline is boxed (allocated).
 */
export function nextRandomInto(state: Uint32Array, out: Float64Array): void {
  const high = next32(state) >>> 5;
  const low = next32(state) >>> 6;
  out[0] = (high * 67_108_864 + low) / 9_007_199_254_740_992;
}
