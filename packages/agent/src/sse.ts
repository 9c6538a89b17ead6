// A small reader of Server-Sent Events (the WHATWG format): the chat-completions stream is a series of
// `data:` events. Only `data` matters here; `event`, `id`, `retry` and comments are skipped.

/** Yields the data of each event of an SSE body, as text (multi-line data joined with `\n`). */
export async function* readSseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const flush = function* () {
    if (data.length > 0) yield data.join('\n');
    data = [];
  };
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end = lineEnd(buffer);
    while (end !== -1) {
      const line = buffer.slice(0, end);
      // A lone `\r` at the end of the buffer may be the first half of `\r\n`: wait for more bytes.
      if (buffer[end] === '\r' && end === buffer.length - 1) break;
      buffer = buffer.slice(buffer[end] === '\r' && buffer[end + 1] === '\n' ? end + 2 : end + 1);
      if (line === '') yield* flush();
      else addField(line, data);
      end = lineEnd(buffer);
    }
  }
  buffer += decoder.decode();
  for (const line of buffer.split(/\r\n|\r|\n/u)) {
    if (line === '') yield* flush();
    else addField(line, data);
  }
  yield* flush();
}

function lineEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || code === 13) return i;
  }
  return -1;
}

function addField(line: string, data: string[]): void {
  if (line.startsWith(':')) return;
  const colon = line.indexOf(':');
  const field = colon === -1 ? line : line.slice(0, colon);
  if (field !== 'data') return;
  let value = colon === -1 ? '' : line.slice(colon + 1);
  if (value.startsWith(' ')) value = value.slice(1);
  data.push(value);
}
