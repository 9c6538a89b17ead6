import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "CONNECTION_GUARD_DEFAULTS",
      "SIGNED_STATE_TTL_MS",
      "createAgentRuntime",
      "createStateSigner",
      "guardConnections",
      "loadAgentModule",
      "resolveAgent",
      "resolveGuardOptions",
    ]
  `);
});
