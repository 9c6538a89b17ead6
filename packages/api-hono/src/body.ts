import { AppError } from '@myagent/models';
import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './env.js';

// The media types hono's validator parses as JSON: anything else would reach it as an empty body.
const JSON_TYPE = /^application\/([\w.-]+\+)?json$/iu;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Reads at most `max` bytes of the request body; past that, 413 without reading the rest. */
async function readBounded(request: Request, max: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () =>
    new AppError('PAYLOAD_TOO_LARGE', `A request body has at most ${max} bytes`, {
      details: { max_bytes: max },
    });
  if (declared > max) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}

/** True when a parsed JSON value holds a NUL character anywhere (PostgreSQL text refuses NUL). */
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * Request bodies: JSON only (415 otherwise), at most `maxBytes` (413), well-formed UTF-8 JSON (400), no NUL
 * characters (400). The parsed body is left in hono's body cache, where the validators read it.
 */
export function jsonBody(maxBytes: number): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const request = c.req.raw;
    if (!WITH_BODY.has(request.method)) return next();
    const length = request.headers.get('content-length');
    const type = request.headers.get('content-type');
    // A body is declared by its length or chunking; a request built in process (app.request) declares
    // neither, so there a content type with a stream counts too. `curl -X POST` with no data has none.
    const hasBody =
      request.headers.has('transfer-encoding') ||
      (length !== null ? length !== '0' : type !== null && request.body !== null);
    if (!hasBody) return next();
    if (!type || !JSON_TYPE.test(type.split(';')[0]?.trim() ?? '')) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Request bodies are JSON: send Content-Type: application/json',
        {
          details: { content_type: type?.slice(0, 200) ?? null },
        },
      );
    }
    let text: string;
    try {
      text = await readBounded(request, maxBytes);
    } catch (error) {
      if (AppError.is(error)) throw error;
      throw new AppError('INVALID_REQUEST', 'The request body is not valid UTF-8');
    }
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new AppError(
        'INVALID_REQUEST',
        `Malformed JSON in request body: ${(error as Error).message.slice(0, 200)}`,
      );
    }
    if (holdsNul(parsed)) {
      throw new AppError('INVALID_REQUEST', 'Request bodies may not hold NUL characters');
    }
    // hono's validator reads `c.req.json()`, which parses this cached text instead of the consumed stream.
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text.trim() === '' ? '{}' : text);
    return next();
  };
}
