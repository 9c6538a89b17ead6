import type { Service } from '@myagent/models';
import { expect, expectTypeOf, it } from 'vitest';
import type { HealthTarget } from './index.js';
import * as mod from './index.js';

it('takes a models Service as a health target', () => {
  expectTypeOf<Service>().toExtend<HealthTarget>();
});

it('exports exactly the public surface', () => {
  expect(Object.keys(mod).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_CONCURRENCY",
      "DEFAULT_FALL",
      "DEFAULT_HISTORY_LIMIT",
      "DEFAULT_RISE",
      "DEFAULT_SYNC_INTERVAL_MS",
      "DEFAULT_UNHEALTHY_GRACE_MS",
      "HealthMonitorOptions",
      "ThresholdOptions",
      "checkResources",
      "checkStatus",
      "checkWebSocket",
      "combineChecks",
      "createHealthMonitor",
      "createProcResourceProbe",
    ]
  `);
});
