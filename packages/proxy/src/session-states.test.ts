import { describe, expect, it } from 'vitest';
import { SessionStates, StateBudget } from './session-states.js';

describe('session states', () => {
  it('keep every connection within one byte budget, and never restore a stale state', () => {
    const budget = new StateBudget(100);
    const one = new SessionStates(budget);
    const two = new SessionStates(budget);
    one.keep('s1', 'x'.repeat(60), false);
    expect(budget.used).toBe(60);
    // Over the budget: not kept, and the session is known to have no state (it cannot be restored).
    two.keep('s2', 'y'.repeat(60), false);
    expect(two.state('s2')).toBeNull();
    expect(budget.used).toBe(60);
    // A newer state replaces the older one, which is never restored after a failed keep.
    one.keep('s1', 'z'.repeat(200), true);
    expect(one.state('s1')).toBeNull();
    expect(budget.used).toBe(0);
    two.keep('s2', 'y'.repeat(60), false);
    expect(two.state('s2')).toBe('y'.repeat(60));
    two.clear();
    expect(budget.used).toBe(0);
  });

  it('tells which turns a lost agent server interrupted', () => {
    const states = new SessionStates(new StateBudget(1000));
    for (const id of ['idle', 'running', 'asked', 'cut']) states.keep(id, '{}', false);
    states.turnStarted('running');
    states.messageSent('asked');
    states.turnStarted('cut');
    states.keep('cut', '{}', true, true);
    states.messageSent('unknown');
    expect(states.busy).toBe(true);
    expect(states.interrupted().sort()).toEqual(['asked', 'cut', 'running']);
    states.settle();
    expect(states.interrupted()).toEqual([]);
    expect(states.busy).toBe(false);
  });
});
