import { describe, expect, it } from 'vitest';
import { seeded } from '../test/seeded.js';
import { WeightIndex } from './trees.js';

/** Reference: the first position whose running sum exceeds u * total (the definition of the draw). */
function linearDraw(weights: readonly number[], u: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = u * total;
  for (let i = 0; i < weights.length; i++) {
    if (r < (weights[i] as number)) return i;
    r -= weights[i] as number;
  }
  return weights.length - 1;
}

const draw = (u: number) => Float64Array.of(u);

describe('WeightIndex', () => {
  it.each([1, 9, 16, 17, 100, 1000, 5000])('draws what a linear scan draws over %i weights', (n) => {
    const random = seeded(n);
    // Integer weights keep every partial sum exact, so the index and the scan must agree on every draw.
    const weights = Array.from({ length: n }, (_, i) => (i % 5 === 3 ? 0 : 1 + Math.floor(random() * 9)));
    const index = new WeightIndex(n);
    index.fill((i) => weights[i] as number);
    for (let k = 0; k < 2000; k++) {
      const u = random();
      expect(index.sample(draw(u))).toBe(linearDraw(weights, u));
    }
    // The edges of the range: the first weighted position, and the last one just below u = 1.
    expect(index.sample(draw(0))).toBe(weights.findIndex((w) => w > 0));
    expect(index.sample(draw(1 - 2 ** -53))).toBe(weights.findLastIndex((w) => w > 0));
  });

  it('keeps its sums equal to a fresh fill, bit for bit, through any run of updates', () => {
    const n = 1000;
    const random = seeded(7);
    const weights = Array.from({ length: n }, () => random() * 3);
    const index = new WeightIndex(n);
    index.fill((i) => weights[i] as number);
    for (let k = 0; k < 5000; k++) {
      const i = Math.floor(random() * n);
      weights[i] = k % 7 === 0 ? 0 : (random() * 3) / (1 + Math.floor(random() * 20));
      index.set(i, weights[i] as number);
    }
    const fresh = new WeightIndex(n);
    fresh.fill((i) => weights[i] as number);
    expect(index.total).toBe(fresh.total);
    for (let k = 0; k < 2000; k++) {
      const u = random();
      expect(index.sample(draw(u))).toBe(fresh.sample(draw(u)));
    }
  });

  it('never draws a zero weight, and answers -1 when every weight is zero', () => {
    const n = 300;
    const index = new WeightIndex(n);
    index.fill(() => 0);
    expect(index.sample(draw(0.5))).toBe(-1);
    // One weighted position at the end of a block, one alone in a later block.
    index.set(63, 1);
    index.set(250, 3);
    const seen = new Map<number, number>();
    for (let k = 0; k < 4000; k++) {
      const i = index.sample(draw(k / 4000));
      seen.set(i, (seen.get(i) ?? 0) + 1);
    }
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual([63, 250]);
    expect(seen.get(63)).toBe(1000);
    // A draw that rounding pushes past the total lands on the last weighted position, not on a pad.
    expect(index.sample(draw(1))).toBe(250);
  });
});
