import { type ConditionOperator, RoutingCondition } from '@myagent/models';
import * as v from 'valibot';
import { usageError } from './errors.js';

/** A routing condition as the API takes it. */
export interface ParsedCondition {
  field: string;
  operator: ConditionOperator;
  value: string | string[];
  case_sensitive: boolean;
}

/** The condition syntax of `route create --condition`, for `--help`. */
export const CONDITION_SYNTAX = `Conditions (--condition, repeatable; all must hold). FIELD is user_agent, client_ip, header.NAME,
query.NAME, or a bare header or query name:
  FIELD=VALUE            equals                 header.x-user-tier=vip
  FIELD!=VALUE           not equals             query.region!=eu
  FIELD~VALUE            contains               user_agent~Mobile
  FIELD!~VALUE           does not contain       user_agent!~bot
  FIELD^=VALUE           starts with            client_ip^=10.
  FIELD$=VALUE           ends with              header.host$=.example.com
  FIELD=~/REGEX/[i]      matches the regex      user_agent=~/iPhone|Android/
  FIELD in A,B,C         one of                 query.plan in pro,team
  FIELD not in A,B,C     none of                header.x-country not in cn,ru
Comparisons ignore case unless --case-sensitive; a regex ending in /i always ignores case. A condition
may also be given as the API's JSON: '{"field":"client_ip","operator":"ip_in_range","value":"10.0.0.0/8"}'.`;

// Longest first, so that `!=` is not read as `!` and `=`.
const SYMBOLS: [string, ConditionOperator][] = [
  ['=~', 'regex_match'],
  ['!=', 'not_equals'],
  ['!~', 'not_contains'],
  ['^=', 'starts_with'],
  ['$=', 'ends_with'],
  ['=', 'equals'],
  ['~', 'contains'],
];

const FIELD = /^[A-Za-z0-9_][\w.-]*/u;

function invalid(text: string, why: string): Error {
  return usageError(`--condition '${text}': ${why} (see \`myagent-manager route --help\` for the syntax)`);
}

/**
 * Parses one condition of the CLI's syntax ({@link CONDITION_SYNTAX}) into the API's shape, checked with the
 * API's own schema (a regex that does not compile or could backtrack forever is refused here).
 * @example parseCondition('header.x-user-tier=vip') // { field: 'header.x-user-tier', operator: 'equals', value: 'vip', case_sensitive: false }
 */
export function parseCondition(text: string, caseSensitive = false): ParsedCondition {
  const trimmed = text.trim();
  let condition: ParsedCondition;
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw invalid(text, 'not valid JSON');
    }
    const parsed = v.safeParse(RoutingCondition, json);
    if (!parsed.success) throw invalid(text, parsed.issues[0].message);
    return parsed.output as ParsedCondition;
  }
  const list = /^([A-Za-z0-9_][\w.-]*)\s+(not\s+in|in)\s+(.*)$/u.exec(trimmed);
  if (list) {
    const values = (list[3] as string)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (values.length === 0) throw invalid(text, 'a list needs at least one value');
    condition = {
      field: list[1] as string,
      operator: /^not/u.test(list[2] as string) ? 'not_in_list' : 'in_list',
      value: values,
      case_sensitive: caseSensitive,
    };
  } else {
    const field = FIELD.exec(trimmed)?.[0];
    if (!field) throw invalid(text, 'it must start with a field name');
    const rest = trimmed.slice(field.length).trimStart();
    const symbol = SYMBOLS.find(([op]) => rest.startsWith(op));
    if (!symbol) throw invalid(text, `no operator after '${field}'`);
    const [op, operator] = symbol;
    let value = rest.slice(op.length).trimStart();
    let sensitive = caseSensitive;
    if (operator === 'regex_match') {
      const regex = /^\/(.*)\/([a-z]*)$/su.exec(value);
      if (!regex) throw invalid(text, 'a regex is written /REGEX/ (or /REGEX/i)');
      const flags = regex[2] as string;
      if (/[^i]/u.test(flags)) throw invalid(text, `unsupported regex flags '${flags}' (only i)`);
      value = regex[1] as string;
      if (flags.includes('i')) sensitive = false;
      if (value === '') throw invalid(text, 'the regex is empty');
    }
    condition = { field, operator, value, case_sensitive: sensitive };
  }
  const parsed = v.safeParse(RoutingCondition, condition);
  if (!parsed.success) throw invalid(text, parsed.issues[0].message);
  return condition;
}

const SYMBOL_OF: Partial<Record<ConditionOperator, string>> = Object.fromEntries(
  SYMBOLS.map(([symbol, operator]) => [operator, symbol]),
);

/** A condition written back in the CLI's syntax (for `route list`). */
export function formatCondition(condition: {
  field: string;
  operator: string;
  value: string | string[];
}): string {
  const value = Array.isArray(condition.value) ? condition.value.join(',') : condition.value;
  if (condition.operator === 'in_list') return `${condition.field} in ${value}`;
  if (condition.operator === 'not_in_list') return `${condition.field} not in ${value}`;
  if (condition.operator === 'regex_match') return `${condition.field}=~/${value}/`;
  const symbol = SYMBOL_OF[condition.operator as ConditionOperator];
  return symbol ? `${condition.field}${symbol}${value}` : `${condition.field} ${condition.operator} ${value}`;
}
