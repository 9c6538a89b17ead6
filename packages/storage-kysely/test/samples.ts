// Small factories of valid rows for the tests; each call gives new ids and names.
import { randomUUID } from 'node:crypto';
import type {
  ConnectionInfoInput,
  HealthCheckResultInput,
  RoutingRuleInput,
  ServiceInput,
} from '@myagent/models';
import type { LogLineInput } from '../src/index.js';

let counter = 0;

/** A valid service; `overrides` replace fields. */
export function sampleService(overrides: Partial<ServiceInput> = {}): ServiceInput {
  counter++;
  const port = 8081 + (counter % 900);
  return {
    service_id: randomUUID(),
    name: `svc-${counter}`,
    host: '127.0.0.1',
    port,
    endpoint: `ws://127.0.0.1:${port}`,
    created_at: new Date(Date.UTC(2025, 0, 1, 0, 0, counter)).toISOString(),
    config: { agent_factory_path: '/srv/agents/echo.ts' },
    ...overrides,
  };
}

/** A valid routing rule. */
export function sampleRule(overrides: Partial<RoutingRuleInput> = {}): RoutingRuleInput {
  counter++;
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, counter)).toISOString();
  return {
    rule_id: randomUUID(),
    name: `rule-${counter}`,
    conditions: [{ field: 'header.x-user-tier', operator: 'equals', value: 'vip' }],
    target_tags: ['gpu'],
    created_at: at,
    updated_at: at,
    ...overrides,
  };
}

/** A health result of a service at second `second` of a fixed day. */
export function sampleHealth(
  serviceId: string,
  second: number,
  overrides: Partial<HealthCheckResultInput> = {},
) {
  return {
    service_id: serviceId,
    status: 'healthy',
    response_time_ms: 1.5,
    timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString(),
    checks: { websocket: { status: 'healthy', message: 'pong' } },
    ...overrides,
  } satisfies HealthCheckResultInput;
}

/** A connection record to a service. */
export function sampleConnection(serviceId: string, overrides: Partial<ConnectionInfoInput> = {}) {
  counter++;
  const at = new Date(Date.UTC(2025, 0, 1, 0, 0, counter)).toISOString();
  return {
    connection_id: randomUUID(),
    client_ip: '127.0.0.1',
    target_service_id: serviceId,
    connected_at: at,
    last_activity: at,
    ...overrides,
  } satisfies ConnectionInfoInput;
}

/** A log line of a service. */
export function sampleLog(
  serviceId: string,
  message: string,
  overrides: Partial<LogLineInput> = {},
): LogLineInput {
  return {
    service_id: serviceId,
    timestamp: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    level: 'info',
    stream: 'stdout',
    message,
    ...overrides,
  };
}
