import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { parseOrThrow } from './common.js';
import { CreateRoutingRuleRequest, UpdateRoutingRuleRequest } from './requests.js';
import { isValidRegex, RoutingCondition, RoutingRule } from './routing.js';

describe('RoutingCondition', () => {
  it('defaults case_sensitive to false and takes lists as strings or arrays', () => {
    expect(v.parse(RoutingCondition, { field: 'user_agent', operator: 'contains', value: 'Mobile' })).toEqual(
      {
        field: 'user_agent',
        operator: 'contains',
        value: 'Mobile',
        case_sensitive: false,
      },
    );
    expect(
      v.parse(RoutingCondition, { field: 'region', operator: 'in_list', value: ['asia', 'europe'] }).value,
    ).toEqual(['asia', 'europe']);
  });

  it('refuses an invalid regex, an unknown operator and an unbounded value', () => {
    expect(
      v.safeParse(RoutingCondition, { field: 'ua', operator: 'regex_match', value: '([a-' }).success,
    ).toBe(false);
    expect(
      v.safeParse(RoutingCondition, { field: 'ua', operator: 'regex_match', value: 'Chrome\\/\\d+' }).success,
    ).toBe(true);
    expect(v.safeParse(RoutingCondition, { field: 'ua', operator: 'like', value: 'x' }).success).toBe(false);
    expect(
      v.safeParse(RoutingCondition, { field: 'ua', operator: 'equals', value: 'x'.repeat(5000) }).success,
    ).toBe(false);
    expect(v.safeParse(RoutingCondition, { field: '', operator: 'equals', value: 'x' }).success).toBe(false);
  });

  it('checks regexes the way the router compiles them', () => {
    expect(isValidRegex('a+b')).toBe(true);
    expect(isValidRegex('(')).toBe(false);
  });
});

describe('RoutingRule', () => {
  it('applies defaults', () => {
    const rule = v.parse(RoutingRule, {
      rule_id: 'r1',
      name: 'mobile',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    });
    expect(rule).toMatchObject({
      priority: 0,
      enabled: true,
      conditions: [],
      target_strategy: 'round_robin',
      target_services: [],
      target_tags: [],
      weight: 1,
      fallback_strategy: null,
    });
  });

  it('takes the seed 003 rule body', () => {
    const body = parseOrThrow(CreateRoutingRuleRequest, {
      name: 'VIP用户路由',
      priority: 10,
      conditions: [{ field: 'header.x-user-tier', operator: 'equals', value: 'vip' }],
      target_strategy: 'least_connections',
      target_tags: ['high-performance'],
      enabled: true,
    });
    expect(body.conditions[0]?.case_sensitive).toBe(false);
    expect(body.target_strategy).toBe('least_connections');
  });

  it.each([
    [{ priority: 1.5 }],
    [{ target_strategy: 'fastest' }],
    [{ conditions: Array.from({ length: 33 }, () => ({ field: 'a', operator: 'equals', value: 'b' })) }],
    [{ conditions: [{ field: 'ua', operator: 'regex_match', value: '[' }] }],
    [{ weight: -1 }],
    [{ name: '' }],
  ])('refuses %j', (patch) => {
    expect(() => parseOrThrow(CreateRoutingRuleRequest, { name: 'r', ...patch })).toThrow(/Invalid/);
  });

  it('updates without defaults', () => {
    expect(parseOrThrow(UpdateRoutingRuleRequest, { enabled: false })).toEqual({ enabled: false });
  });
});
