import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { regexHazard } from './regex-safety.js';
import { CreateRoutingRuleRequest } from './requests.js';
import { isValidRegex, RoutingCondition, RoutingRule } from './routing.js';

// Known catastrophic patterns: the OWASP ReDoS page's "evil regexes" and its real-world examples, the
// polynomial shapes (chains of overlapping quantifiers), and backreferences.
const CATASTROPHIC = [
  '^(a+)+$',
  '([a-zA-Z]+)*',
  '(a|aa)+',
  '(a|a?)+',
  '(.*a){11}',
  '(.*a){3}',
  // OWASP: an email validator and a Java class name validator from the wild.
  '^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '(\\w|\\d)+$',
  '(.|\\s)*$',
  '^(\\w+\\s?)*$',
  '(x+x+)+y',
  '(a{1,100}){1,100}$',
  '(a?){25}a{25}',
  '.*a.*a.*x',
  '.*a.*x',
  '\\d+\\d+x',
  '\\s*\\s*$',
  'a*a*a*b',
  '.*Mobile.*Safari',
  '(?=.*a.*a.*x)',
  '(a)\\1',
  '(?<n>a)\\k<n>',
];

// What routing rules really say: they must stay accepted.
const ORDINARY = [
  'Mobile',
  'Mobile|Android|iPhone',
  '^Mozilla/5\\.0 \\(iPhone',
  '.*Mobile.*',
  '.*Mobile',
  'Mobile.*Safari',
  'Chrome/\\d+',
  'Chrome/\\d+\\.\\d+',
  'Firefox/(\\d+)',
  '^/api/v[0-9]+/',
  '(iPhone|iPad|iPod)',
  '.*(bot|crawler|spider).*',
  '^10\\.0\\.\\d+\\.\\d+$',
  '(\\d{1,3}\\.){3}\\d{1,3}',
  '^([a-z0-9-]+\\.)+[a-z]{2,}$',
  '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$',
  '^.*foo.*bar$',
  '^(?!.*bot)',
  '\\bvip\\b',
  '^(GET|POST|PUT)$',
  '(?:ab|cd)+',
  '(\\w|-)+',
  '^Bearer [A-Za-z0-9._-]+$',
  '^[^/]+/[^/]+$',
  '\\p{Lu}\\p{Ll}+',
  '\\u{1F600}',
];

describe('regexHazard', () => {
  it.each(CATASTROPHIC)('refuses %s', (pattern) => {
    expect(regexHazard(pattern)).toEqual(expect.any(String));
    expect(isValidRegex(pattern)).toBe(false);
  });

  it.each(ORDINARY)('accepts %s', (pattern) => {
    expect(regexHazard(pattern)).toBeUndefined();
    expect(isValidRegex(pattern)).toBe(true);
    expect(isValidRegex(pattern, true)).toBe(true);
  });

  it('says why, and how to rewrite a polynomial pattern', () => {
    expect(regexHazard('^(a+)+$')).toMatch(/nested quantifiers/u);
    expect(regexHazard('(a|aa)+')).toMatch(/varying length/u);
    expect(regexHazard('(\\w|\\d)+$')).toMatch(/alternatives that match the same text/u);
    expect(regexHazard('(a)\\1')).toMatch(/backreferences/u);
    expect(regexHazard('.*a.*x')).toMatch(/anchor it with \^/u);
    expect(regexHazard('^.*a.*x')).toBeUndefined();
  });

  it('folds case like the router does: [a-z] overlaps A under i, not without it', () => {
    expect(regexHazard('([a-z]|A)+')).toEqual(expect.any(String));
    expect(regexHazard('([a-z]|A)+', true)).toBeUndefined();
  });

  it('is what a routing condition and a rule request check, with the reason in the message', () => {
    const condition = { field: 'user_agent', operator: 'regex_match', value: '^(a+)+$' };
    const result = v.safeParse(RoutingCondition, condition);
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toMatch(/^value is a regex that could take exponential/u);
    expect(v.safeParse(CreateRoutingRuleRequest, { name: 'r', conditions: [condition] }).success).toBe(false);
    expect(v.safeParse(RoutingCondition, { ...condition, value: 'Chrome/\\d+' }).success).toBe(true);
  });

  it('lets a stored rule keep an unsafe regex an older release wrote (the router refuses it), not a broken one', () => {
    const stored = (value: string) => ({
      rule_id: 'r1',
      name: 'old',
      conditions: [{ field: 'user_agent', operator: 'regex_match', value }],
      created_at: '2025-01-01T00:00:00Z',
      updated_at: '2025-01-01T00:00:00Z',
    });
    expect(v.safeParse(RoutingRule, stored('^(a+)+$')).success).toBe(true);
    expect(v.safeParse(RoutingRule, stored('([a-')).success).toBe(false);
  });
});
