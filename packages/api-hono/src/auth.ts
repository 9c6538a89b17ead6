import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiToken } from './options.js';

/** Who a request came from: the token's name, or `local` when the API runs without tokens. */
export type Actor = string;

/** The actor recorded for calls on an API without tokens (a loopback-only manager). */
export const LOCAL_ACTOR = 'local';

/** Checks bearer tokens in constant time; the same check guards the HTTP API and the WebSocket upgrades. */
export interface TokenAuth {
  /** False when no token is configured: every request passes as {@link LOCAL_ACTOR}. */
  readonly required: boolean;
  /**
   * The name of the token presented in `Authorization: Bearer <token>` or, where a browser cannot set a
   * header (WebSocket upgrades, EventSource), in `?token=`; undefined when it matches none.
   */
  identify(authorization: string | null | undefined, queryToken?: string | null): Actor | undefined;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The token check over a list of named tokens.
 * @example const auth = createTokenAuth([{ name: 'ops', token: process.env.MYAGENT_TOKEN }]); auth.identify(req.headers.authorization)
 */
export function createTokenAuth(tokens: readonly ApiToken[]): TokenAuth {
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  const known = tokens.map(({ name, token }) => ({ name, hash: digest(token) }));
  return {
    required: known.length > 0,
    identify(authorization, queryToken) {
      if (known.length === 0) return LOCAL_ACTOR;
      const bearer = /^Bearer[ \t]+(\S{1,512})[ \t]*$/iu.exec(authorization ?? '')?.[1];
      const presented = bearer ?? (queryToken && queryToken.length <= 512 ? queryToken : undefined);
      if (!presented) return undefined;
      const hash = digest(presented);
      let match: string | undefined;
      // Every token is compared, so the time does not say which one matched.
      for (const entry of known) if (timingSafeEqual(entry.hash, hash)) match ??= entry.name;
      return match;
    },
  };
}
