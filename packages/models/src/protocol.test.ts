import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseServerMessage } from './protocol.js';

describe('parseClientMessage', () => {
  it('parses the seed clients messages', () => {
    const created = parseClientMessage('{"event":"user.create_session","timestamp":"2024-01-01T00:00:00Z"}');
    expect(created).toEqual({
      ok: true,
      message: { event: 'user.create_session', timestamp: '2024-01-01T00:00:00Z' },
    });
    const message = parseClientMessage(
      JSON.stringify({ event: 'user.message', session_id: 's1', content: 'hi' }),
    );
    expect(message.ok && message.message.event === 'user.message' && message.message.content).toBe('hi');
  });

  it('accepts the original health checker ping and both ack shapes', () => {
    expect(parseClientMessage('{"type":"ping"}')).toMatchObject({ ok: true, message: { event: 'ping' } });
    expect(parseClientMessage('{"event":"user.ack","content":{"last_seq":7}}')).toMatchObject({
      ok: true,
      message: { last_seq: 7 },
    });
    expect(parseClientMessage('{"event":"user.ack","content":12}')).toMatchObject({
      ok: true,
      message: { last_seq: 12 },
    });
  });

  it('finds signed_state at the top level or in content', () => {
    const signed = { state: { a: 1 }, timestamp: 1, signature: 'sig', checksum: 'sum', version: '1.0' };
    for (const text of [
      JSON.stringify({ event: 'user.reconnect_with_state', signed_state: signed }),
      JSON.stringify({ event: 'user.reconnect_with_state', content: { signed_state: signed } }),
    ]) {
      expect(parseClientMessage(text)).toMatchObject({ ok: true, message: { signed_state: signed } });
    }
  });

  it.each([
    ['{not json', 'INVALID_JSON'],
    ['[1,2]', 'INVALID_MESSAGE'],
    ['"text"', 'INVALID_MESSAGE'],
    ['null', 'INVALID_MESSAGE'],
    ['{"content":"no event"}', 'INVALID_MESSAGE'],
    ['{"event":42}', 'INVALID_MESSAGE'],
    ['{"event":"user.teleport"}', 'UNKNOWN_EVENT'],
    ['{"event":"user.message","content":"hi"}', 'INVALID_MESSAGE'],
    ['{"event":"user.message","session_id":"s","content":""}', 'INVALID_MESSAGE'],
    ['{"event":"user.message","session_id":"s","content":{"a":1}}', 'INVALID_MESSAGE'],
    [
      '{"event":"user.response","session_id":"s","step_id":"c","content":{"confirmed":"yes"}}',
      'INVALID_MESSAGE',
    ],
    ['{"event":"user.reconnect_with_state"}', 'INVALID_MESSAGE'],
    ['{"event":"user.ack","content":{"last_seq":-1}}', 'INVALID_MESSAGE'],
  ])('refuses %s with %s', (text, code) => {
    const result = parseClientMessage(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('refuses oversize frames before parsing them', () => {
    const text = JSON.stringify({ event: 'user.message', session_id: 's', content: '好'.repeat(400) });
    expect(parseClientMessage(text, { maxBytes: 1000 })).toMatchObject({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect(parseClientMessage(text, { maxBytes: 2000 }).ok).toBe(true);
  });

  it('names the offending field', () => {
    const result = parseClientMessage('{"event":"user.cancel"}');
    expect(!result.ok && result.error.message).toMatch(/session_id/);
  });
});

describe('parseServerMessage', () => {
  it('parses agent and proxy events', () => {
    expect(
      parseServerMessage(
        '{"event":"agent.final_answer","session_id":"s","content":"done","seq":3,"event_id":"c-3"}',
      ),
    ).toMatchObject({ ok: true, message: { event: 'agent.final_answer', content: 'done' } });
    expect(
      parseServerMessage(
        '{"event":"error","data":{"code":"ROUTING_FAILED","message":"No healthy service","recoverable":false}}',
      ),
    ).toMatchObject({ ok: true, message: { event: 'error', data: { code: 'ROUTING_FAILED' } } });
  });

  it('refuses unknown events and malformed proxy events', () => {
    expect(parseServerMessage('{"event":"agent.dance"}').ok).toBe(false);
    expect(parseServerMessage('{"event":"service_switched","data":{"from_service":"a"}}').ok).toBe(false);
    expect(parseServerMessage('nope').ok).toBe(false);
  });
});
