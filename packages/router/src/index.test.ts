import { expect, it } from 'vitest';
import * as router from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(router).sort()).toMatchInlineSnapshot(`
    [
      "AffinityOptions",
      "DEFAULT_AFFINITY_MAX_ENTRIES",
      "DEFAULT_AFFINITY_TTL_MS",
      "DEFAULT_HASH_KEY",
      "DEFAULT_MAX_FIELD_LENGTH",
      "DEFAULT_STRATEGY",
      "RouterOptions",
      "createRouter",
      "hashString",
      "inCidr",
      "parseCidr",
      "parseIp",
      "readContextField",
      "unroutableReason",
    ]
  `);
});
