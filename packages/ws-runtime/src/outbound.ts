// Encoding outbound events. What an agent yields is untrusted: a BigInt, a circular object, a throwing
// toJSON or a string of hundreds of megabytes must cost its session an agent.error, never the process.

/** Default bound on one outbound event's JSON, in bytes (`maxEventBytes`). */
export const DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** An event that cannot go on the wire: not serialisable as JSON, or over the size bound. */
export class UnsendableEventError extends Error {
  override readonly name = 'UnsendableEventError';
  constructor(
    message: string,
    readonly reason: 'unserialisable' | 'too_large',
  ) {
    super(message);
  }
}

/** JSON of `value`, or UnsendableEventError; `maxBytes` 0 turns the size bound off. */
export function encodeEvent(value: unknown, maxBytes: number): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UnsendableEventError(`The event cannot be sent as JSON: ${why}`, 'unserialisable');
  }
  // A UTF-16 length under a third of the bound cannot exceed it in UTF-8: most events skip the count.
  if (maxBytes > 0 && text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) {
      throw new UnsendableEventError(
        `The event is ${bytes} bytes, over the limit of ${maxBytes} bytes per event`,
        'too_large',
      );
    }
  }
  return text;
}

/**
 * A one-line description of anything an agent threw, that never throws itself (a thrown null, a Symbol,
 * an object whose message or toString throws), bounded to `max` characters.
 */
export function describeError(error: unknown, max = 2000): string {
  try {
    const message = error instanceof Error ? error.message : undefined;
    const text = typeof message === 'string' ? message : String(error);
    return text.length > max ? `${text.slice(0, max)}...` : text;
  } catch {
    return 'an error that cannot be described';
  }
}

/** The string `code` of a thrown value, if it has one (never throws). */
export function codeOf(error: unknown): string | undefined {
  try {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}
