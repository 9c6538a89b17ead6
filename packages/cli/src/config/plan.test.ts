import {
  MyAgentConfig,
  type MyAgentConfigInput,
  type RoutingRule,
  type Service,
  ServiceConfig,
} from '@myagent/models';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { planApply } from './plan.js';

const desired = (input: MyAgentConfigInput) => v.parse(MyAgentConfig, input);

function service(
  name: string,
  fields: Partial<Service> = {},
  config: Partial<Service['config']> = {},
): Service {
  return {
    service_id: '00000000-0000-4000-8000-000000000000',
    name,
    description: '',
    host: '127.0.0.1',
    port: 8081,
    endpoint: 'ws://127.0.0.1:8081',
    tags: [],
    agent_type: 'myagent',
    version: '1.0.0',
    status: 'stopped',
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    last_health_check: null,
    error_message: null,
    restart_count: 0,
    restart_due_at: null,
    stats: {} as Service['stats'],
    ...fields,
    config: v.parse(ServiceConfig, { agent_factory_path: '/app/agent.ts', ...config }),
  };
}

function rule(name: string, fields: Partial<RoutingRule> = {}): RoutingRule {
  return {
    rule_id: `id-${name}`,
    name,
    priority: 0,
    enabled: true,
    conditions: [],
    target_strategy: 'round_robin',
    target_services: [],
    target_tags: [],
    weight: 1,
    fallback_strategy: null,
    description: '',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

describe('planApply', () => {
  it('leaves alone what matches: tags in another order, an allocated port the file does not name', () => {
    const plan = planApply(
      desired({
        services: [{ name: 'a', path: '/app/agent.ts', tags: ['y', 'x'] }],
        rules: [{ name: 'r', conditions: [{ field: 'query.x', operator: 'equals', value: '1' }] }],
      }),
      {
        services: [service('a', { tags: ['x', 'y'], port: 9001 })],
        rules: [
          rule('r', {
            conditions: [{ field: 'query.x', operator: 'equals', value: '1', case_sensitive: false }],
          }),
        ],
      },
      { prune: true },
    );
    expect(plan).toEqual({
      changes: [],
      unchanged: [
        { kind: 'service', name: 'a' },
        { kind: 'rule', name: 'r' },
      ],
      extra: [],
    });
  });

  it('updates only the fields that differ, and resets what the file leaves out to its default', () => {
    const plan = planApply(
      desired({ services: [{ name: 'a', path: '/app/other.ts', config: { restart_delay: 5 } }] }),
      { services: [service('a', {}, { max_sessions: 9, restart_delay: 5 })], rules: [] },
      { prune: false },
    );
    expect(plan.changes).toEqual([
      {
        kind: 'service',
        action: 'update',
        name: 'a',
        fields: ['path', 'config.max_sessions'],
        patch: { config: { agent_factory_path: '/app/other.ts', max_sessions: 0 } },
        stopFirst: false,
        start: false,
      },
    ]);
  });

  it('stops a running service first for a new port; starts an auto_start one that is not running', () => {
    const plan = planApply(
      desired({
        services: [
          { name: 'moved', path: '/app/agent.ts', port: 9100 },
          { name: 'down', path: '/app/agent.ts', auto_start: true },
          { name: 'up', path: '/app/agent.ts', auto_start: true },
        ],
      }),
      {
        services: [
          service('moved', { status: 'running' }),
          service('down', { status: 'error' }),
          service('up', { status: 'running' }),
        ],
        rules: [],
      },
      { prune: false },
    );
    expect(plan.changes).toEqual([
      expect.objectContaining({ name: 'moved', action: 'update', patch: { port: 9100 }, stopFirst: true }),
      { kind: 'service', action: 'start', name: 'down' },
    ]);
    expect(plan.unchanged).toEqual([{ kind: 'service', name: 'up' }]);
  });

  it('removes what the file does not name only with prune: rules before services', () => {
    const current = { services: [service('old')], rules: [rule('gone')] };
    expect(planApply(desired({}), current, { prune: false })).toMatchObject({
      changes: [],
      extra: [
        { kind: 'rule', name: 'gone' },
        { kind: 'service', name: 'old' },
      ],
    });
    expect(planApply(desired({}), current, { prune: true }).changes).toEqual([
      { kind: 'rule', action: 'remove', name: 'gone' },
      { kind: 'service', action: 'remove', name: 'old' },
    ]);
  });
});
