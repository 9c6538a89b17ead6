/** One Server-Sent Event: its name, its JSON data parsed, its id if it had one. */
export interface StreamEvent {
  event: string;
  data: unknown;
  id?: string;
}

/** Largest event we hold while waiting for its end: a stream that sends more is cut off, not buffered. */
const MAX_EVENT_CHARS = 1_048_576;

/**
 * Reads a `text/event-stream` body into events (the WHATWG framing: `event:`, `data:`, `id:` lines, a blank
 * line ends an event, `:` lines are comments). Data that is not JSON is given as the raw text.
 */
export async function* readEvents(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<StreamEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      if (buffer.length > MAX_EVENT_CHARS) throw new Error('an event stream event is too large');
      let newline = buffer.search(/\r\n|\r|\n/u);
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) {
            const text = data.join('\n');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // Not JSON: given as text.
            }
            yield { event, data: parsed, ...(id === undefined ? {} : { id }) };
          }
          event = 'message';
          data = [];
          id = undefined;
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const rest = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /u, '');
          if (field === 'event') event = rest;
          else if (field === 'data') data.push(rest);
          else if (field === 'id') id = rest;
        }
        newline = buffer.search(/\r\n|\r|\n/u);
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock?.();
  }
}
