import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SignedState } from '@myagent/models';
import { AppError } from '@myagent/models';

// protocol.md, "Signed state": {state, timestamp, signature, version "1.0", checksum}. The HMAC covers the
// state and the timestamp together, so an old export cannot be given a fresh date.

/** How long a signed state stays valid: 7 days. */
export const SIGNED_STATE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Signs and verifies exported session states with one secret. */
export interface StateSigner {
  sign(state: Record<string, unknown>, now?: Date): SignedState;
  /** Returns the state, or throws AppError INVALID_STATE (bad signature or checksum, expired, malformed). */
  verify(signed: unknown, now?: Date): Record<string, unknown>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Creates a signer; without a secret a random one is drawn, so only this process can restore its states.
 * @example const signer = createStateSigner(process.env.MYAGENT_STATE_SECRET);
 */
export function createStateSigner(secret?: string): StateSigner {
  const key = secret && secret.length > 0 ? secret : randomBytes(32).toString('hex');
  const mac = (payload: string, timestamp: string) =>
    createHmac('sha256', key).update(`${timestamp}.${payload}`).digest('hex');
  return {
    sign(state, now = new Date()) {
      const payload = JSON.stringify(state);
      const timestamp = now.toISOString();
      return {
        state,
        timestamp,
        signature: mac(payload, timestamp),
        version: '1.0',
        checksum: sha256(payload),
      };
    },
    verify(signed, now = new Date()) {
      const invalid = (why: string) => new AppError('INVALID_STATE', `Invalid signed state: ${why}`);
      if (typeof signed !== 'object' || signed === null) throw invalid('not an object');
      const { state, timestamp, signature, checksum } = signed as Record<string, unknown>;
      if (typeof state !== 'object' || state === null || Array.isArray(state)) throw invalid('no state');
      if (typeof timestamp !== 'string' || typeof signature !== 'string' || typeof checksum !== 'string') {
        throw invalid('missing timestamp, signature or checksum');
      }
      const payload = JSON.stringify(state);
      if (sha256(payload) !== checksum) throw invalid('checksum mismatch');
      const expected = Buffer.from(mac(payload, timestamp), 'hex');
      const given = Buffer.from(signature, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw invalid('signature mismatch');
      }
      const issued = Date.parse(timestamp);
      if (Number.isNaN(issued)) throw invalid('bad timestamp');
      if (now.getTime() - issued > SIGNED_STATE_TTL_MS) throw invalid('expired');
      if (issued - now.getTime() > 5 * 60 * 1000) throw invalid('timestamp in the future');
      return state as Record<string, unknown>;
    },
  };
}
