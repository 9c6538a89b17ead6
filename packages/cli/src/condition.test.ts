import { describe, expect, it } from 'vitest';
import { formatCondition, parseCondition } from './condition.js';
import { CliError } from './errors.js';

describe('parseCondition: the nine operators', () => {
  it.each([
    ['header.x-user-tier=vip', 'header.x-user-tier', 'equals', 'vip'],
    ['query.region!=eu', 'query.region', 'not_equals', 'eu'],
    ['user_agent~Mobile', 'user_agent', 'contains', 'Mobile'],
    ['user_agent!~bot', 'user_agent', 'not_contains', 'bot'],
    ['client_ip^=10.', 'client_ip', 'starts_with', '10.'],
    ['header.host$=.example.com', 'header.host', 'ends_with', '.example.com'],
    ['user_agent=~/iPhone|Android/', 'user_agent', 'regex_match', 'iPhone|Android'],
    ['query.plan in pro, team', 'query.plan', 'in_list', ['pro', 'team']],
    ['header.x-country not in cn,ru', 'header.x-country', 'not_in_list', ['cn', 'ru']],
  ])('%s', (text, field, operator, value) => {
    const condition = parseCondition(text);
    expect(condition).toEqual({ field, operator, value, case_sensitive: false });
    // Written back the way it reads, and read again the same.
    expect(parseCondition(formatCondition(condition))).toEqual(condition);
  });

  it('takes spaces around the operator and the case flags', () => {
    expect(parseCondition('header.x-user-tier = vip', true)).toEqual({
      field: 'header.x-user-tier',
      operator: 'equals',
      value: 'vip',
      case_sensitive: true,
    });
    expect(parseCondition('user_agent=~/bot/i', true).case_sensitive).toBe(false);
  });

  it("takes the API's JSON for any operator", () => {
    expect(
      parseCondition('{"field":"client_ip","operator":"ip_in_range","value":"10.0.0.0/8"}'),
    ).toMatchObject({
      operator: 'ip_in_range',
      value: '10.0.0.0/8',
    });
  });

  it.each([
    ['header.x', /no operator after 'header.x'/u],
    ['=vip', /must start with a field name/u],
    ['user_agent=~iPhone', /a regex is written \/REGEX\//u],
    ['user_agent=~/a/g', /unsupported regex flags 'g'/u],
    ['user_agent=~/(a+)+$/', /exponential or polynomial/u],
    ['user_agent=~/[/', /not a valid regular expression/u],
    ['query.plan in ,', /at least one value/u],
    ['{"field":"x"', /not valid JSON/u],
    ['{"field":"x","operator":"nope","value":"1"}', /--condition/u],
  ])('refuses %s as a usage error', (text, why) => {
    let error: unknown;
    try {
      parseCondition(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).message).toMatch(why);
  });
});
