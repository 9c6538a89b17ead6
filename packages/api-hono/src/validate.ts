import { AppError } from '@myagent/models';
import type { ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import * as v from 'valibot';

// Validation of every input through hono-openapi's validator, so that the schema that checks a request is
// the one its OpenAPI operation shows. A failure is 400 INVALID_REQUEST with every issue in details.

type Issue = { message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> };

const WHAT: Record<string, string> = { json: 'request body', query: 'query string', param: 'path' };

/** A validator middleware of `target` whose failure throws AppError INVALID_REQUEST. */
export function valid<S extends v.GenericSchema, T extends keyof ValidationTargets>(target: T, schema: S) {
  return validator(target, schema, (result) => {
    if (result.success) return;
    const issues = (result.error as readonly Issue[]).map((issue) => ({
      path: (issue.path ?? []).map((item) => String(typeof item === 'object' ? item.key : item)).join('.'),
      message: issue.message,
    }));
    const first = issues[0];
    const where = first?.path ? ` at '${first.path}'` : '';
    throw new AppError(
      'INVALID_REQUEST',
      `Invalid ${WHAT[target] ?? target}${where}: ${first?.message ?? 'rejected'}`,
      {
        details: { issues },
      },
    );
  });
}

/** Text from a client that is safe to store and log: bounded, without control characters. */
export function safeText(max: number, min = 1) {
  return v.pipe(
    v.string(),
    v.minLength(min),
    v.maxLength(max),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    v.regex(/^[^\u0000-\u001f\u007f]*$/u, 'control characters are not allowed'),
  );
}

/** A path id: a service, rule, webhook or connection id, or a name. */
export const IdParam = v.object({ id: safeText(256) });

/** An integer query parameter within `[min, max]`, with a default. */
export function intQuery(min: number, max: number, fallback: number) {
  return v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,9}$/u, 'an integer'),
      v.transform(Number),
      v.minValue(min),
      v.maxValue(max),
    ),
    String(fallback),
  );
}

/** A boolean query parameter: `true`/`false`/`1`/`0`. */
export function boolQuery(fallback: boolean) {
  return v.optional(
    v.pipe(
      v.picklist(['true', 'false', '1', '0']),
      v.transform((text) => text === 'true' || text === '1'),
    ),
    String(fallback) as 'true' | 'false',
  );
}

/** A comma-separated list of items (`a,b`), each checked with `item`; at most `max` of them. */
export function listQuery<S extends v.GenericSchema<string>>(item: S, max = 32) {
  return v.pipe(
    v.string(),
    v.maxLength(4096),
    v.transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    ),
    v.maxLength(max),
    v.array(item),
  );
}

/** An ISO 8601 timestamp query parameter. */
export const TimestampQuery = v.pipe(v.string(), v.maxLength(64), v.isoTimestamp('an ISO 8601 timestamp'));
