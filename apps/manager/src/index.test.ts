import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "AgentManager",
      "Alerts",
      "AuditLog",
      "COUNTER_METRICS",
      "DEFAULT_MANAGER_PORT",
      "DEFAULT_METRICS_INTERVAL_MS",
      "DEFAULT_METRIC_TIERS",
      "MANAGER_VERSION",
      "MetricsSampler",
      "SIGNATURE_HEADER",
      "coded",
      "createApiHost",
      "createManagerApp",
      "guardUpgrade",
      "isLoopback",
      "runDaemon",
      "serveManager",
      "serveManagerPort",
      "systemStats",
    ]
  `);
});
