import { expect, it } from 'vitest';
import * as api from './index.js';

it('exports exactly its public surface', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "AgentManager",
      "Alerts",
      "AuditLog",
      "CONSOLE_DIR",
      "COUNTER_METRICS",
      "DEFAULT_MANAGER_PORT",
      "DEFAULT_METRICS_INTERVAL_MS",
      "DEFAULT_METRIC_TIERS",
      "MANAGER_VERSION",
      "MetricsSampler",
      "RESERVED_PREFIXES",
      "SIGNATURE_HEADER",
      "TraceHub",
      "coded",
      "createApiHost",
      "createManagerApp",
      "createOtlpExporter",
      "guardUpgrade",
      "isLoopback",
      "runDaemon",
      "serveManager",
      "serveManagerPort",
      "systemStats",
      "withConsole",
    ]
  `);
});
