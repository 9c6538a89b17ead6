import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { objectWithMethods } from './common.js';

describe('objectWithMethods', () => {
  const Store = objectWithMethods<{ get(): void; save(): void }>(
    'store must have get() and save()',
    'get',
    'save',
  );

  it('takes an object, or an instance, that has every method', () => {
    const store = { get() {}, save() {}, extra: 1 };
    expect(v.parse(Store, store)).toBe(store);
    class Kept {
      get() {}
      save() {}
    }
    expect(v.safeParse(Store, new Kept()).success).toBe(true);
  });

  it('refuses a missing method, a method that is not a function, and a non-object, with the message', () => {
    for (const bad of [{ get() {} }, { get() {}, save: 'yes' }, null, 'store', () => {}]) {
      const result = v.safeParse(Store, bad);
      expect(result.success).toBe(false);
      expect(result.issues?.[0]?.message).toBe('store must have get() and save()');
    }
  });
});
