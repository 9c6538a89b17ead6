import { describe, expect, it } from 'vitest';
import { readSseData } from './sse.js';

async function read(parts: string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  async function* body() {
    for (const part of parts) yield encoder.encode(part);
  }
  const out: string[] = [];
  for await (const data of readSseData(body())) out.push(data);
  return out;
}

describe('readSseData', () => {
  it('yields the data of each event, whatever the chunking and line endings', async () => {
    const text =
      'data: one\n\n: comment\nevent: x\ndata: two\ndata: lines\r\n\r\ndata:three\r\rdata: [DONE]\n\n';
    const expected = ['one', 'two\nlines', 'three', '[DONE]'];
    expect(await read([text])).toEqual(expected);
    expect(await read(Array.from(text))).toEqual(expected);
    expect(
      await read([
        'data: o',
        'ne\r',
        '\n\r',
        '\ndata: two\nda',
        'ta: lines\n\ndata:three\r\rdata: [DONE]\n\n',
      ]),
    ).toEqual(expected);
  });

  it('decodes multi-byte characters split across chunks and flushes a last event without a blank line', async () => {
    const bytes = new TextEncoder().encode('data: 你好\n\ndata: end');
    async function* body() {
      for (const byte of bytes) yield new Uint8Array([byte]);
    }
    const out: string[] = [];
    for await (const data of readSseData(body())) out.push(data);
    expect(out).toEqual(['你好', 'end']);
  });
});
