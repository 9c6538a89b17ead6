import { describe, expect, it } from 'vitest';
import { mayMention } from './frames.js';

const WORD = Buffer.from('proxy.');

/** `text` framed as a client would: 6 bytes of header room, a mask key, the payload masked. */
function masked(text: string, key: number[]): { buf: Buffer; start: number; maskOffset: number } {
  const payload = Buffer.from(text);
  const buf = Buffer.alloc(6 + 4 + payload.length, 0xee);
  Buffer.from(key).copy(buf, 6);
  for (let i = 0; i < payload.length; i++) buf[10 + i] = (payload[i] as number) ^ (key[i & 3] as number);
  return { buf, start: 10, maskOffset: 6 };
}

const cases: Array<[string, boolean]> = [
  ['{"type":"proxy.restore_session"}', true],
  ['{"event":"\\u0070roxy.x"}', true],
  ['{"content":"pproxy.x"}', true],
  ['{"content":"proxproxy."}', true],
  ['{"event":"user.message","content":"hello"}', false],
  ['{"content":"proxy"}', false],
  ['{"content":"prox y."}', false],
  ['', false],
];

describe('mayMention (the client-message scan in place)', () => {
  it.each(cases)('%s -> %s, unmasked', (text, expected) => {
    const buf = Buffer.concat([Buffer.from('xx'), Buffer.from(text), Buffer.from('proxy.')]);
    // The bytes after the payload are never read.
    expect(mayMention(buf, 2, Buffer.byteLength(text), -1, WORD)).toBe(expected);
  });

  it.each(cases)('%s -> %s, masked with every key', (text, expected) => {
    for (const key of [
      [0, 0, 0, 0],
      [0x12, 0x34, 0x56, 0x78],
      [0xff, 0x70, 0x5c, 0x01],
    ]) {
      const { buf, start, maskOffset } = masked(text, key);
      expect(mayMention(buf, start, Buffer.byteLength(text), maskOffset, WORD)).toBe(expected);
    }
  });
});
