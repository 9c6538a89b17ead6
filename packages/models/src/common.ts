import * as v from 'valibot';
import { AppError } from './errors.js';

/** An ISO 8601 UTC timestamp, as every wire and column carries it. */
export const Timestamp = v.pipe(v.string(), v.isoTimestamp());

/** The current time as an ISO 8601 UTC string. */
export function isoNow(): string {
  return new Date().toISOString();
}

/** A bounded string: every string that crosses a boundary has a maximum length. */
export function boundedString(max: number, min = 0) {
  return v.pipe(v.string(), v.minLength(min), v.maxLength(max));
}

/**
 * A bounded string without a NUL byte, for text that is stored or becomes a path: PostgreSQL cannot store
 * a NUL in text, and no file name holds one.
 */
export function boundedText(max: number, min = 0) {
  return v.pipe(
    boundedString(max, min),
    v.check((text) => !text.includes('\0'), 'a NUL byte is not allowed'),
  );
}

/**
 * `schema` (an object or record schema) that refuses anything but a plain object: valibot's object and
 * record schemas take an array for an object, so `config: []` would pass as `{}`.
 */
export function plainObject<S extends v.GenericSchema>(schema: S, what: string) {
  return v.pipe(
    v.custom<v.InferInput<S>>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      `${what} must be an object`,
    ),
    schema,
  );
}

/**
 * An option that must be an object with these methods (a store, a sink, a probe the caller brings); its
 * type is the interface the package declares, checked only as far as the methods exist.
 * @example store: objectWithMethods<ServiceStore>('store must have get() and save()', 'get', 'save'),
 */
export function objectWithMethods<T>(message: string, ...methods: string[]) {
  return v.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function'),
    message,
  );
}

/** A tag: short, no spaces, no commas (tags travel comma-separated in query strings and the CLI). */
export const Tag = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(64),
  v.regex(/^[\w.:/-]+$/u, 'a tag holds letters, digits and _ . : / - only'),
);

/** At most 32 distinct tags. */
export const Tags = v.pipe(
  v.array(Tag),
  v.maxLength(32, 'at most 32 tags'),
  v.transform((tags) => [...new Set(tags)]),
);

/** One problem found in an input, with the path to the field. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Flattens valibot issues into `{path, message}` pairs for error details. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): ValidationIssue[] {
  return issues.map((issue) => ({
    path: issue.path?.map((item) => String(item.key)).join('.') ?? '',
    message: issue.message,
  }));
}

/**
 * Parses input with a schema, or throws `AppError('INVALID_REQUEST')` whose details list every issue.
 * @example const body = parseOrThrow(CreateServiceRequest, await c.req.json(), 'service');
 */
export function parseOrThrow<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  what = 'input',
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issues = describeIssues(result.issues);
  const first = issues[0];
  const where = first?.path ? ` at '${first.path}'` : '';
  throw new AppError('INVALID_REQUEST', `Invalid ${what}${where}: ${first?.message ?? 'rejected'}`, {
    details: { issues },
  });
}
