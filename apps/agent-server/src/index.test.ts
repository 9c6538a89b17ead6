import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "agentServerCommand",
      "createJsonLogger",
      "resolveServerOptions",
      "startAgentServer",
    ]
  `);
});
