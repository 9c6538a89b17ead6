import { AppError, REGEX_INPUT_LIMIT } from '@myagent/models';
import { describe, expect, it } from 'vitest';
import { createRouter } from './index.js';
import { inCidr, parseCidr, parseIp } from './ip.js';
import type { RouteContext } from './types.js';

const services = [
  { service_id: 'hit', status: 'running', tags: ['hit'] },
  { service_id: 'miss', status: 'running', tags: [] },
];

/** Routes with one rule holding one condition; true when the rule applied. */
function holds(condition: Record<string, unknown>, context: RouteContext): boolean {
  const router = createRouter({ affinity: false });
  router.addRule({ name: 'r', conditions: [condition as never], target_tags: ['hit'] });
  const decision = router.route(context, services);
  const explained = router.explain(context, services);
  expect(explained.decision?.reason).toBe(decision.reason);
  return decision.reason === 'rule';
}

const ctx: RouteContext = {
  client_ip: '192.168.1.20',
  user_agent: 'Mozilla/5.0 (iPhone) Mobile Safari',
  headers: { 'x-user-tier': 'VIP', 'X-Api-Version': 'v2', 'set-cookie': ['a=1', 'b=2'] },
  query_params: { region: 'asia', service: 'chat' },
  tenant: 'acme',
  shard: 7,
};

describe('operators (C3), case-insensitive by default', () => {
  it.each([
    ['equals', 'header.x-user-tier', 'vip', true],
    ['equals', 'header.x-user-tier', 'gold', false],
    ['not_equals', 'header.x-user-tier', 'gold', true],
    ['not_equals', 'header.x-user-tier', 'VIP', false],
    ['contains', 'user_agent', 'mobile', true],
    ['contains', 'user_agent', 'android', false],
    ['not_contains', 'user_agent', 'android', true],
    ['not_contains', 'user_agent', 'MOBILE', false],
    ['starts_with', 'client_ip', '192.168.', true],
    ['starts_with', 'client_ip', '10.', false],
    ['ends_with', 'user_agent', 'safari', true],
    ['ends_with', 'user_agent', 'chrome', false],
    ['regex_match', 'user_agent', '^mozilla/\\d', true],
    ['regex_match', 'user_agent', 'chrome/\\d+', false],
    ['in_list', 'region', 'asia,europe,america', true],
    ['in_list', 'region', 'europe, america', false],
    ['not_in_list', 'region', 'europe,america', true],
    ['not_in_list', 'region', 'ASIA', false],
    ['ip_in_range', 'client_ip', '192.168.0.0/16', true],
    ['ip_in_range', 'client_ip', '10.0.0.0/8, 172.16.0.0/12', false],
  ])('%s on %s %j -> %s', (operator, field, value, expected) => {
    expect(holds({ field, operator, value }, ctx)).toBe(expected);
  });

  it('honours case_sensitive: true', () => {
    expect(
      holds({ field: 'header.x-user-tier', operator: 'equals', value: 'vip', case_sensitive: true }, ctx),
    ).toBe(false);
    expect(
      holds({ field: 'header.x-user-tier', operator: 'equals', value: 'VIP', case_sensitive: true }, ctx),
    ).toBe(true);
    expect(
      holds({ field: 'user_agent', operator: 'regex_match', value: 'mobile', case_sensitive: true }, ctx),
    ).toBe(false);
    expect(holds({ field: 'region', operator: 'in_list', value: ['ASIA'], case_sensitive: true }, ctx)).toBe(
      false,
    );
  });

  it('takes array values as "any of" and "none of"', () => {
    expect(holds({ field: 'user_agent', operator: 'contains', value: ['android', 'iphone'] }, ctx)).toBe(
      true,
    );
    expect(holds({ field: 'user_agent', operator: 'not_contains', value: ['android', 'iphone'] }, ctx)).toBe(
      false,
    );
    expect(holds({ field: 'region', operator: 'in_list', value: ['europe', 'asia'] }, ctx)).toBe(true);
  });
});

describe('fields', () => {
  it('reads header names case-insensitively, with or without the header. prefix', () => {
    expect(holds({ field: 'header.X-USER-TIER', operator: 'equals', value: 'vip' }, ctx)).toBe(true);
    expect(holds({ field: 'x-api-version', operator: 'equals', value: 'v2' }, ctx)).toBe(true);
    expect(holds({ field: 'header.set-cookie', operator: 'contains', value: 'b=2' }, ctx)).toBe(true);
  });

  it('reads query parameters, other context keys, and missing fields as the empty string', () => {
    expect(holds({ field: 'query.service', operator: 'equals', value: 'chat' }, ctx)).toBe(true);
    expect(holds({ field: 'tenant', operator: 'equals', value: 'ACME' }, ctx)).toBe(true);
    expect(holds({ field: 'shard', operator: 'in_list', value: '5,6,7' }, ctx)).toBe(true);
    expect(holds({ field: 'header.absent', operator: 'equals', value: '' }, ctx)).toBe(true);
    expect(holds({ field: 'nothing', operator: 'not_equals', value: '' }, ctx)).toBe(false);
    expect(holds({ field: 'user_agent', operator: 'equals', value: '' }, { client_ip: '1.1.1.1' })).toBe(
      true,
    );
  });

  it('falls back to the user-agent header when the context has no user_agent', () => {
    expect(
      holds(
        { field: 'user_agent', operator: 'contains', value: 'curl' },
        { headers: { 'user-agent': 'curl/8' } },
      ),
    ).toBe(true);
  });

  it('cuts very long values instead of matching megabytes', () => {
    const router = createRouter({ maxFieldLength: 16 });
    router.addRule({
      name: 'tail',
      conditions: [{ field: 'header.x-big', operator: 'ends_with', value: 'END' }],
    });
    const big = { client_ip: '1.1.1.1', headers: { 'x-big': `${'a'.repeat(1_000_000)}END` } };
    expect(router.route(big, services).reason).toBe('default');
    expect(router.explain(big, services).rules[0]?.conditions[0]?.actual).toBe('a'.repeat(16));
  });
});

describe('compile-time validation', () => {
  it('rejects an invalid regex, an unknown operator and a bad CIDR when the rule is added', () => {
    const router = createRouter();
    for (const condition of [
      { field: 'user_agent', operator: 'regex_match', value: '([a-' },
      { field: 'user_agent', operator: 'like', value: 'x' },
      { field: 'client_ip', operator: 'ip_in_range', value: '10.0.0.0/33' },
      { field: 'client_ip', operator: 'ip_in_range', value: 'not-an-ip' },
    ]) {
      const attempt = () => router.addRule({ name: 'bad', conditions: [condition as never] });
      expect(attempt).toThrow(AppError);
      try {
        attempt();
      } catch (error) {
        expect((error as AppError).code).toBe('INVALID_REQUEST');
      }
    }
    expect(router.rules()).toEqual([]);
  });

  it('refuses a catastrophic regex when the rule is added, saying why', () => {
    const router = createRouter();
    for (const value of ['^(a+)+$', '(a|aa)+', '.*a.*a.*x', '(a)\\1']) {
      const attempt = () =>
        router.addRule({
          name: 'redos',
          conditions: [{ field: 'user_agent', operator: 'regex_match', value }],
        });
      expect(attempt).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
      expect(attempt).toThrow(/could take exponential or polynomial time/u);
    }
    expect(router.rules()).toEqual([]);
  });
});

describe('regex conditions read a bounded input', () => {
  it('matches only the first maxRegexInput characters (default REGEX_INPUT_LIMIT) of the field', () => {
    const rule = { field: 'user_agent', operator: 'regex_match', value: 'END' } as const;
    const long = { user_agent: `${'a'.repeat(REGEX_INPUT_LIMIT)}END` };
    const short = { user_agent: `${'a'.repeat(REGEX_INPUT_LIMIT - 3)}END` };
    expect(holds(rule, long)).toBe(false);
    expect(holds(rule, short)).toBe(true);
    // The other operators still see the whole field, up to maxFieldLength.
    expect(holds({ field: 'user_agent', operator: 'ends_with', value: 'END' }, long)).toBe(true);
    const wide = createRouter({ affinity: false, maxRegexInput: REGEX_INPUT_LIMIT + 3 });
    wide.addRule({ name: 'r', conditions: [rule], target_tags: ['hit'] });
    expect(wide.route(long, services).reason).toBe('rule');
    expect(() => createRouter({ maxRegexInput: 0 })).toThrow(/maxRegexInput/u);
  });
});

describe('ip_in_range', () => {
  it('parses IPv4, IPv6, compressed forms and IPv4-mapped addresses', () => {
    expect(parseIp('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIp('2001:db8::8a2e:370:7334')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0x8a2e, 0x370, 0x7334]);
    expect(parseIp('::ffff:10.1.2.3')).toEqual(parseIp('10.1.2.3'));
    expect(parseIp('[fe80::1%eth0]')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    for (const bad of ['1.2.3', '256.1.1.1', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', ''])
      expect(parseIp(bad)).toBeNull();
  });

  it('matches CIDRs of both families, and node-style mapped client addresses against IPv4 ranges', () => {
    const v4 = parseCidr('10.0.0.0/8');
    const v6 = parseCidr('2001:db8::/32');
    expect(v4 && inCidr(parseIp('::ffff:10.9.8.7') ?? [], v4)).toBe(true);
    expect(v4 && inCidr(parseIp('11.0.0.1') ?? [], v4)).toBe(false);
    expect(v6 && inCidr(parseIp('2001:db8:1::5') ?? [], v6)).toBe(true);
    expect(v6 && inCidr(parseIp('2001:db9::5') ?? [], v6)).toBe(false);
    expect(
      holds({ field: 'client_ip', operator: 'ip_in_range', value: '::1/128' }, { client_ip: '::1' }),
    ).toBe(true);
    expect(
      holds({ field: 'client_ip', operator: 'ip_in_range', value: '0.0.0.0/0' }, { client_ip: 'nonsense' }),
    ).toBe(false);
  });
});
