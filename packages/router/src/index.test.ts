import { expect, it } from 'vitest';
import * as router from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(router).sort()).toMatchInlineSnapshot(`
    [
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
