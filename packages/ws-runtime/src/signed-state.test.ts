import { describe, expect, it } from 'vitest';
import { createStateSigner, SIGNED_STATE_TTL_MS } from './index.js';

describe('createStateSigner', () => {
  const state = { session_id: 's1', current_step: 2, messages: [{ role: 'user', content: 'hi' }] };

  it('round-trips, also through another signer with the same secret and through JSON', () => {
    const signed = createStateSigner('k').sign(state);
    expect(signed).toMatchObject({ version: '1.0', state });
    expect(createStateSigner('k').verify(JSON.parse(JSON.stringify(signed)))).toEqual(state);
  });

  it('refuses another secret, tampering, expiry and garbage with INVALID_STATE', () => {
    const signer = createStateSigner('k');
    const signed = signer.sign(state);
    const refuse = (input: unknown, now?: Date) =>
      expect(() => signer.verify(input, now)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    refuse(createStateSigner('other').sign(state));
    refuse({ ...signed, state: { ...state, current_step: 3 } });
    refuse({ ...signed, signature: '00'.repeat(32) });
    refuse({ ...signed, timestamp: new Date(Date.now() + 1000).toISOString() });
    refuse(signed, new Date(Date.now() + SIGNED_STATE_TTL_MS + 1000));
    refuse(null);
    refuse({ state: 1, timestamp: 'x', signature: 'y', checksum: 'z' });
  });

  it('draws a random secret when none is given', () => {
    const signed = createStateSigner().sign(state);
    expect(() => createStateSigner().verify(signed)).toThrow(/signature/);
  });
});
