import { expect, it } from 'vitest';
import { createTokenAuth, LOCAL_ACTOR } from './auth.js';

it('names the holder of a valid bearer or query token and nobody else', () => {
  const open = createTokenAuth([]);
  expect([open.required, open.identify(undefined)]).toEqual([false, LOCAL_ACTOR]);
  const auth = createTokenAuth([
    { name: 'ops', token: 'ops-token-0123456789' },
    { name: 'ci', token: 'ci-token-0123456789ab' },
  ]);
  expect(auth.required).toBe(true);
  expect(auth.identify('Bearer ops-token-0123456789')).toBe('ops');
  expect(auth.identify('bearer   ci-token-0123456789ab ')).toBe('ci');
  expect(auth.identify(null, 'ci-token-0123456789ab')).toBe('ci');
  for (const header of [
    '',
    'Bearer',
    'Bearer ops-token-012345678',
    'Basic b3BzOnRva2Vu',
    'Bearer ops-token-0123456789 extra',
    `Bearer ${'x'.repeat(600)}`,
  ]) {
    expect(auth.identify(header)).toBeUndefined();
  }
  expect(auth.identify(undefined, 'x'.repeat(600))).toBeUndefined();
});
