import { describe, expect, it } from 'vitest';
import { eventStream, StreamGate } from './sse.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('eventStream', () => {
  it('drops a client that stops reading once its bytes pass the bound, and closes once', async () => {
    let closes = 0;
    const { body, send } = eventStream({
      heartbeatMs: 60_000,
      maxBufferedBytes: 4096,
      requestSignal: new AbortController().signal,
      onClose: () => closes++,
    });
    let sent = 0;
    while (send('tick', { n: sent, pad: 'x'.repeat(100) })) sent++;
    // About 4 KiB of ~130-byte events was held, then the client was dropped instead of buffered further.
    expect(sent).toBeGreaterThan(20);
    expect(sent).toBeLessThan(40);
    expect(send('tick', {})).toBe(false);
    expect(closes).toBe(1);
    await expect(body.getReader().read()).rejects.toThrow('too slow');
  });

  it('delivers events in order to a reader that keeps up, with heartbeats', async () => {
    const { body, send } = eventStream({
      heartbeatMs: 20,
      maxBufferedBytes: 4096,
      requestSignal: new AbortController().signal,
      onClose: () => {},
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (let i = 0; i < 200; i++) {
      expect(send('tick', { i }, i)).toBe(true);
      text += decoder.decode((await reader.read()).value);
    }
    expect(text.match(/data: \{"i":\d+\}/gu)).toHaveLength(200);
    expect(text.indexOf('{"i":199}')).toBeGreaterThan(text.indexOf('{"i":198}'));
    while (!text.includes(': heartbeat')) text += decoder.decode((await reader.read()).value);
    await reader.cancel();
  });

  it('ends with a close event on shutdown, and when the client goes away', async () => {
    const shutdown = new AbortController();
    const closed: string[] = [];
    const first = eventStream({
      heartbeatMs: 60_000,
      maxBufferedBytes: 4096,
      requestSignal: new AbortController().signal,
      shutdown: shutdown.signal,
      onClose: () => closed.push('first'),
    });
    shutdown.abort();
    expect(await new Response(first.body).text()).toContain('event: close\ndata: {"reason":"shutdown"}');
    const client = new AbortController();
    const second = eventStream({
      heartbeatMs: 60_000,
      maxBufferedBytes: 4096,
      requestSignal: client.signal,
      onClose: () => closed.push('second'),
    });
    client.abort();
    await settle();
    expect(second.send('late', {})).toBe(false);
    expect(closed).toEqual(['first', 'second']);
  });
});

it('StreamGate bounds the open streams and gives a slot back once', () => {
  const gate = new StreamGate(2);
  const a = gate.acquire();
  gate.acquire();
  expect(() => gate.acquire()).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_RESOURCES' }));
  a();
  a();
  gate.acquire();
  expect(() => gate.acquire()).toThrow();
});
