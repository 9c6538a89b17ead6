import { describe, expect, it } from 'vitest';
import { hashSlot, hashString, maglevSize } from './hash.js';

describe('hashString', () => {
  it('tells apart keys that differ in one code unit, at an odd or even place or in the odd tail', () => {
    const keys = [
      '10.0.0.1',
      '10.0.0.2',
      '10.0.0.10',
      '01.0.0.1',
      '10.0.0.1 ',
      'ab',
      'ba',
      'a',
      '',
      'é',
      'e',
    ];
    expect(new Set(keys.map((k) => hashString(k))).size).toBe(keys.length);
    expect(hashString('10.0.0.1')).toBe(hashString('10.0.0.1'));
    expect(hashString('10.0.0.1', 1)).not.toBe(hashString('10.0.0.1', 2));
  });

  it('spreads similar keys evenly over the low and the high bits', () => {
    const buckets = new Array<number>(64).fill(0);
    const high = new Array<number>(64).fill(0);
    const n = 64_000;
    for (let i = 0; i < n; i++) {
      const h = hashString(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      buckets[h & 63] = (buckets[h & 63] as number) + 1;
      high[h >>> 26] = (high[h >>> 26] as number) + 1;
    }
    // 1,000 expected per bucket; a fair hash stays well within ±15 %.
    for (const count of [...buckets, ...high]) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });
});

describe('hashSlot', () => {
  it('maps the whole 32-bit range onto [0, size) for every Maglev table size', () => {
    for (const size of [1, 7, maglevSize(1000), maglevSize(1e9)]) {
      expect(hashSlot(0, size)).toBe(0);
      expect(hashSlot(0xffffffff, size)).toBe(size - 1);
      expect(hashSlot(0x80000000, size)).toBe(Math.floor(size / 2));
    }
  });
});
