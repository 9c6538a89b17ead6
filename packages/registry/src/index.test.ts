import { expect, it } from 'vitest';
import * as registry from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(registry).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_LOG_FLUSH_MS",
      "DEFAULT_MAX_LOG_LINES",
      "DEFAULT_PORT_RANGE",
      "DEFAULT_READY_TIMEOUT_MS",
      "DEFAULT_STATS_INTERVAL_MS",
      "DEFAULT_STOP_GRACE_MS",
      "RegistryOptions",
      "RestartPolicyOptions",
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
