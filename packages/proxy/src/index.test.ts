import { expect, it } from 'vitest';
import * as proxy from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(proxy).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_CLOSE_TIMEOUT_MS",
      "DEFAULT_CONNECT_TIMEOUT_MS",
      "DEFAULT_FAILOVER_WAIT_MS",
      "DEFAULT_MAX_BUFFERED_BYTES",
      "DEFAULT_MAX_CONNECTIONS",
      "DEFAULT_MAX_MESSAGE_BYTES",
      "DEFAULT_MAX_PENDING_HANDSHAKES",
      "DEFAULT_MAX_STATE_BYTES",
      "DEFAULT_STATS_INTERVAL_MS",
      "OP_TEXT",
      "ProxyOptions",
      "connectUpstream",
      "createProxy",
      "encodeFrame",
      "proxyMark",
    ]
  `);
});
