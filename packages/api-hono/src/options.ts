import { parseOrThrow } from '@myagent/models';
import * as v from 'valibot';

/** Request bodies beyond this are refused with 413. @default 1 MiB */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** A comment line on every event stream this often, so proxies keep it open and dead peers show. @default 15 s */
export const DEFAULT_SSE_HEARTBEAT_MS = 15_000;
/** Bytes an event stream may hold for a client that does not read before that client is dropped. @default 1 MiB */
export const DEFAULT_SSE_MAX_BUFFERED_BYTES = 1024 * 1024;
/** Event streams open at once; the next is refused with 503. @default 100 */
export const DEFAULT_SSE_MAX_STREAMS = 100;

const TokenName = v.pipe(
  v.string(),
  v.regex(/^[\w.@-]{1,64}$/u, 'a token name holds letters, digits, _ . @ -'),
);

/** A bearer token and the name the operation log records for its holder. */
export const ApiToken = v.object({
  name: TokenName,
  token: v.pipe(v.string(), v.minLength(16, 'a token has at least 16 characters'), v.maxLength(512)),
});
export type ApiToken = v.InferOutput<typeof ApiToken>;

/** Options of {@link createApi}, checked with valibot; times in ms. */
export const ApiOptions = v.object({
  /** Bearer tokens; none (the default) leaves the API open, which only a loopback bind should do. */
  tokens: v.optional(v.array(ApiToken), []),
  /** Origins allowed by CORS (`*` for any); none by default, so browsers on other origins are refused. */
  corsOrigins: v.optional(v.array(v.pipe(v.string(), v.maxLength(2048))), []),
  maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), DEFAULT_MAX_BODY_BYTES),
  sseHeartbeatMs: v.optional(v.pipe(v.number(), v.minValue(10)), DEFAULT_SSE_HEARTBEAT_MS),
  sseMaxBufferedBytes: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1024)),
    DEFAULT_SSE_MAX_BUFFERED_BYTES,
  ),
  sseMaxStreams: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), DEFAULT_SSE_MAX_STREAMS),
  /** Aborting it closes every event stream (the manager aborts it on shutdown). */
  signal: v.optional(v.instance(AbortSignal)),
  /** Told of every answered request: method, matched route pattern (or `unmatched`), status, duration. */
  onResponse: v.optional(
    v.custom<(method: string, route: string, status: number, ms: number) => void>(
      (f) => typeof f === 'function',
    ),
  ),
  /** Where the causes of 500s go (default: console.error). Never the client. */
  onInternalError: v.optional(
    v.custom<(error: unknown, where: string) => void>((f) => typeof f === 'function'),
  ),
});
export type ApiOptionsInput = v.InferInput<typeof ApiOptions>;
export type ResolvedApiOptions = v.InferOutput<typeof ApiOptions>;

/** Checks and completes the options; a bad option throws INVALID_REQUEST. */
export function resolveApiOptions(options: ApiOptionsInput = {}): ResolvedApiOptions {
  const resolved = parseOrThrow(ApiOptions, options, 'API options');
  const names = new Set<string>();
  for (const { name } of resolved.tokens) {
    if (names.has(name)) parseOrThrow(v.never(`token name '${name}' is used twice`), name, 'API options');
    names.add(name);
  }
  return resolved;
}
