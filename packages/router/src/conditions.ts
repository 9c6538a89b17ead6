import { AppError, type RoutingCondition, regexProblem } from '@myagent/models';
import type { FieldCache } from './fields.js';
import { type Cidr, inCidr, parseCidr, parseIp } from './ip.js';

/** A condition compiled once at add time: regexes built, lists held as sets, CIDRs parsed. */
export interface CompiledCondition {
  source: RoutingCondition;
  slot: number;
  /** Cheaper operators run first; a rule's conditions are all ANDed, so the order changes no result. */
  cost: number;
  /** For `equals` and `in_list`: the (case-folded) values, which the rule index is keyed by. */
  keys: Set<string> | null;
  caseSensitive: boolean;
  test(fields: FieldCache): boolean;
}

/** Splits a list value: a comma-separated string (as the seeds write it) or an array. */
function listOf(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? value.split(',') : [...value];
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}

function scalarsOf(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}

function invalid(condition: RoutingCondition, why: string): AppError {
  return new AppError('INVALID_REQUEST', `Invalid condition on '${condition.field}': ${why}`, {
    details: { field: condition.field, operator: condition.operator },
  });
}

/**
 * Compiles one condition. An array value on a scalar operator (equals, contains, ...) means "any of
 * them"; its `not_` form means "none of them". Throws INVALID_REQUEST for a bad regex or CIDR.
 */
export function compileCondition(condition: RoutingCondition, fields: FieldCache): CompiledCondition {
  const slot = fields.slot(condition.field);
  const cs = condition.case_sensitive === true;
  const fold = (text: string) => (cs ? text : text.toLowerCase());
  const read = cs ? (f: FieldCache) => f.get(slot) : (f: FieldCache) => f.getLower(slot);
  const base = { source: condition, slot, caseSensitive: cs, keys: null as Set<string> | null };
  const op = condition.operator;
  switch (op) {
    case 'in_list':
    case 'not_in_list':
    case 'equals':
    case 'not_equals': {
      const values =
        op === 'in_list' || op === 'not_in_list' ? listOf(condition.value) : scalarsOf(condition.value);
      const set = new Set(values.map(fold));
      const negate = op === 'not_in_list' || op === 'not_equals';
      return {
        ...base,
        cost: 1,
        keys: negate ? null : set,
        test: negate ? (f) => !set.has(read(f)) : (f) => set.has(read(f)),
      };
    }
    case 'contains':
    case 'not_contains':
    case 'starts_with':
    case 'ends_with': {
      const needles = scalarsOf(condition.value).map(fold);
      const one = needles.length === 1 ? (needles[0] as string) : null;
      let match: (text: string) => boolean;
      if (op === 'starts_with')
        match = one !== null ? (t) => t.startsWith(one) : (t) => needles.some((n) => t.startsWith(n));
      else if (op === 'ends_with')
        match = one !== null ? (t) => t.endsWith(one) : (t) => needles.some((n) => t.endsWith(n));
      else match = one !== null ? (t) => t.includes(one) : (t) => needles.some((n) => t.includes(n));
      return {
        ...base,
        cost: 2,
        test: op === 'not_contains' ? (f) => !match(read(f)) : (f) => match(read(f)),
      };
    }
    case 'regex_match': {
      if (typeof condition.value !== 'string') throw invalid(condition, 'a regex value must be a string');
      // A stored rule of an older release may hold a pattern that compiles but is unsafe: refused here too.
      const problem = regexProblem(condition.value, cs);
      if (problem) throw invalid(condition, problem);
      const regex = new RegExp(condition.value, cs ? 'u' : 'iu');
      // The regex carries the case folding itself, so it reads the field as written. Its input is cut to
      // maxRegexInput: the patterns models accepts cost at most about its square in backtracking steps.
      const limit = fields.maxRegexInput;
      return {
        ...base,
        cost: 3,
        test: (f) => {
          const text = f.get(slot);
          return regex.test(text.length > limit ? text.slice(0, limit) : text);
        },
      };
    }
    case 'ip_in_range': {
      const ranges: Cidr[] = [];
      for (const item of listOf(condition.value)) {
        const cidr = parseCidr(item);
        if (!cidr) throw invalid(condition, `'${item}' is not an IPv4 or IPv6 address or CIDR`);
        ranges.push(cidr);
      }
      return {
        ...base,
        cost: 2,
        test: (f) => {
          const address = parseIp(f.get(slot));
          return address !== null && ranges.some((range) => inCidr(address, range));
        },
      };
    }
    default:
      throw invalid(condition, `unknown operator '${String(op)}'`);
  }
}
