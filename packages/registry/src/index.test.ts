import { expect, it } from 'vitest';
import * as registry from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(registry).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_PORT_RANGE",
      "START_TIME_FIELDS",
      "ServiceRegistry",
      "allocatePort",
      "checkAgentModule",
      "createRegistry",
      "isAlive",
      "isPortFree",
      "parseLogLine",
      "pingOnce",
      "portState",
      "waitUntilReady",
    ]
  `);
});
