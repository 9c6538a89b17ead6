import { REGEX_INPUT_LIMIT } from '@myagent/models';
import type { RouteContext } from './types.js';

/** Where a condition's field is read from. */
export type FieldSpec =
  | { kind: 'user_agent' }
  | { kind: 'client_ip' }
  | { kind: 'header'; name: string }
  | { kind: 'query'; name: string }
  | { kind: 'key'; name: string; lower: string };

/** Parses `user_agent`, `client_ip`, `header.<name>`, `query.<name>` or a bare name. */
export function parseField(field: string): FieldSpec {
  if (field === 'user_agent') return { kind: 'user_agent' };
  if (field === 'client_ip') return { kind: 'client_ip' };
  if (field.startsWith('header.') && field.length > 7)
    return { kind: 'header', name: field.slice(7).toLowerCase() };
  if (field.startsWith('headers.') && field.length > 8)
    return { kind: 'header', name: field.slice(8).toLowerCase() };
  if (field.startsWith('query.') && field.length > 6) return { kind: 'query', name: field.slice(6) };
  return { kind: 'key', name: field, lower: field.toLowerCase() };
}

function stringify(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) {
      const text = stringify(item);
      if (text !== undefined) parts.push(text);
    }
    return parts.join(', ');
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Header names are case-insensitive: node:http gives them lower-cased, other callers may not. */
function readHeader(headers: unknown, lowerName: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  const direct = stringify(headers[lowerName]);
  if (direct !== undefined) return direct;
  for (const key in headers) {
    if (key.length === lowerName.length && key.toLowerCase() === lowerName) return stringify(headers[key]);
  }
  return undefined;
}

function readQuery(query: unknown, name: string): string | undefined {
  if (!isRecord(query)) return undefined;
  return Object.hasOwn(query, name) ? stringify(query[name]) : undefined;
}

/** Reads a field from a context; a missing field reads as the empty string. */
export function readField(context: RouteContext, spec: FieldSpec): string {
  switch (spec.kind) {
    case 'client_ip':
      return stringify(context.client_ip) ?? '';
    case 'user_agent':
      return stringify(context.user_agent) || readHeader(context.headers, 'user-agent') || '';
    case 'header':
      return readHeader(context.headers, spec.name) ?? '';
    case 'query':
      return readQuery(context.query_params, spec.name) ?? '';
    case 'key': {
      // A bare name is a context key first, then a header (case-insensitive), then a query parameter.
      const own = Object.hasOwn(context, spec.name) ? stringify(context[spec.name]) : undefined;
      return (
        own ?? readHeader(context.headers, spec.lower) ?? readQuery(context.query_params, spec.name) ?? ''
      );
    }
  }
}

/**
 * Reads each field at most once per route call, and lower-cases it at most once: many rules read the same
 * few fields. Values are cut to `maxLength` so that no header, however long, makes matching unbounded.
 */
export class FieldCache {
  readonly specs: FieldSpec[] = [];
  private readonly slotByField = new Map<string, number>();
  private raw: string[] = [];
  private lower: string[] = [];
  private rawGen: number[] = [];
  private lowerGen: number[] = [];
  private gen = 0;
  private context: RouteContext = {};

  /**
   * @param maxLength every value is cut to this many characters
   * @param maxRegexInput a regex condition sees at most this many (its worst case grows with the square)
   */
  constructor(
    private readonly maxLength: number,
    readonly maxRegexInput: number = REGEX_INPUT_LIMIT,
  ) {}

  /** The slot of a field, allocated on first sight. */
  slot(field: string): number {
    let slot = this.slotByField.get(field);
    if (slot === undefined) {
      slot = this.specs.length;
      this.specs.push(parseField(field));
      this.slotByField.set(field, slot);
      this.raw.push('');
      this.lower.push('');
      this.rawGen.push(-1);
      this.lowerGen.push(-1);
    }
    return slot;
  }

  /** Starts a new route call over `context`; earlier values are forgotten. */
  begin(context: RouteContext): void {
    this.context = context;
    this.gen = (this.gen + 1) | 0;
  }

  get(slot: number): string {
    if (this.rawGen[slot] === this.gen) return this.raw[slot] as string;
    let value = readField(this.context, this.specs[slot] as FieldSpec);
    if (value.length > this.maxLength) value = value.slice(0, this.maxLength);
    this.raw[slot] = value;
    this.rawGen[slot] = this.gen;
    return value;
  }

  /**
   * `get(slot)` for the `client_ip` slot, reading a plain string straight off the context: hash_based
   * reads this field on every call, and the cache's bookkeeping would cost as much as the read.
   */
  clientIp(slot: number): string {
    const ip = this.context.client_ip;
    return typeof ip === 'string' && ip.length <= this.maxLength ? ip : this.get(slot);
  }

  getLower(slot: number): string {
    if (this.lowerGen[slot] === this.gen) return this.lower[slot] as string;
    const value = this.get(slot).toLowerCase();
    this.lower[slot] = value;
    this.lowerGen[slot] = this.gen;
    return value;
  }
}

/**
 * Reads a condition field (`user_agent`, `client_ip`, `header.<name>`, `query.<name>`, a bare name) from a
 * context the way rules read it; a missing field reads as ''.
 */
export function readContextField(context: RouteContext, field: string): string {
  return readField(context, parseField(field));
}
