import { expect, it } from 'vitest';
import { applyHistory, boundHistory, diffHistory } from './history.js';

const msg = (role: string, content: string) => ({ role, content });

it('carries appends, dropped oldest turns and rewrites as small deltas that apply back', () => {
  const [sys, u1, a1, u2, a2] = [
    msg('system', 's'),
    msg('user', '1'),
    msg('assistant', '1'),
    msg('user', '2'),
    msg('assistant', '2'),
  ];
  const before = [sys, u1, a1];
  const cases = [
    [sys, u1, a1, u2, a2], // appended
    [sys, u2, a2], // oldest turn dropped, a new one added
    [sys, a1, u2], // one dropped, one added
    [u2], // rewritten
    [sys, u1], // the last one removed
    [], // emptied
  ];
  for (const after of cases) {
    const delta = diffHistory(before, after);
    expect(applyHistory(before, delta)).toEqual(after);
  }
  // Only the new messages travel when the history grew or lost its oldest turns.
  expect(diffHistory(before, [sys, u1, a1, u2, a2]).tail).toEqual([u2, a2]);
  expect(diffHistory(before, [sys, u2, a2])).toEqual({ head: 1, from: 3, tail: [u2, a2] });
});

it('bounds a history in count and bytes, keeping the system prompt and starting at a user turn', () => {
  const state = {
    messages: [msg('system', 'be brief')] as Array<{ role: string; content: unknown }>,
    current_step: 0,
    data: {},
  };
  for (let i = 0; i < 10; i++) state.messages.push(msg('user', `q${i}`), msg('assistant', `a${i}`));
  expect(boundHistory(state, { maxHistoryMessages: 5, maxHistoryBytes: 0 })).toBe(16);
  expect(state.messages.map((m) => m.content)).toEqual(['be brief', 'q8', 'a8', 'q9', 'a9']);
  state.messages.push(msg('user', 'x'.repeat(1000)), msg('assistant', 'y'.repeat(1000)));
  boundHistory(state, { maxHistoryMessages: 0, maxHistoryBytes: 1500 });
  expect(state.messages.map((m) => m.role)).toEqual(['system']);
  expect(boundHistory(state, { maxHistoryMessages: 0, maxHistoryBytes: 0 })).toBe(0);
});
