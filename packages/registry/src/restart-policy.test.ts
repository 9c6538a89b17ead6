import { describe, expect, it } from 'vitest';
import { pendingRestart, RestartTracker, resolveRestartPolicy } from './restart-policy.js';

const config = { restart_delay: 1, max_restart_count: 3 };

describe('RestartTracker', () => {
  it('backs off exponentially up to the cap, then refuses past max_restart_count', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ backoffFactor: 2, maxDelayMs: 3_000 }));
    expect(tracker.next(config, 0)).toEqual({ restart: true, attempt: 1, delayMs: 1_000 });
    expect(tracker.next(config, 10)).toEqual({ restart: true, attempt: 2, delayMs: 2_000 });
    expect(tracker.next(config, 20)).toEqual({ restart: true, attempt: 3, delayMs: 3_000 });
    expect(tracker.next(config, 30)).toMatchObject({ restart: false, count: 3 });
  });

  it('forgets restarts older than the window, and everything on reset', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ windowMs: 1_000 }));
    tracker.next(config, 0);
    tracker.next(config, 100);
    tracker.next(config, 200);
    expect(tracker.next(config, 300).restart).toBe(false);
    expect(tracker.next(config, 1_150)).toMatchObject({ restart: true, attempt: 2 });
    tracker.reset();
    expect(tracker.count(1_200)).toBe(0);
  });

  it('never waits less than restart_delay, and 0 means at once', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ maxDelayMs: 10 }));
    expect(tracker.next({ restart_delay: 5, max_restart_count: 9 }, 0)).toMatchObject({ delayMs: 5_000 });
    expect(tracker.next({ restart_delay: 5, max_restart_count: 9 }, 1)).toMatchObject({ delayMs: 5_000 });
    const instant = new RestartTracker(resolveRestartPolicy());
    expect(instant.next({ restart_delay: 0, max_restart_count: 9 }, 0)).toMatchObject({ delayMs: 0 });
  });

  it('counts the restarts a previous registry made toward the cap', () => {
    const tracker = new RestartTracker(resolveRestartPolicy());
    tracker.resume(2, 0);
    expect(tracker.next(config, 10)).toMatchObject({ restart: true, attempt: 3 });
    expect(tracker.next(config, 20)).toMatchObject({ restart: false, count: 3 });
  });

  it('with max_restart_count 0 never restarts', () => {
    const tracker = new RestartTracker(resolveRestartPolicy());
    expect(tracker.next({ restart_delay: 1, max_restart_count: 0 }).restart).toBe(false);
  });
});

describe('pendingRestart', () => {
  const policy = { auto_restart: true, restart_delay: 5, max_restart_count: 2 };
  const now = Date.parse('2026-01-01T00:00:00.000Z');
  const waiting = {
    status: 'error' as const,
    restart_due_at: new Date(now + 1_500).toISOString(),
    restart_count: 2,
    config: policy,
  };

  it('finds a scheduled restart, up to the last one the cap allows, with the wait still to do', () => {
    expect(pendingRestart(waiting, now)).toEqual({ restarts: 2, delayMs: 1_500 });
    expect(pendingRestart({ ...waiting, restart_count: 1 }, now)).toEqual({ restarts: 1, delayMs: 1_500 });
  });

  it('waits no more once the due time has passed', () => {
    expect(pendingRestart(waiting, now + 60_000)).toEqual({ restarts: 2, delayMs: 0 });
  });

  it('leaves a service with no restart due, or that may no longer restart', () => {
    expect(pendingRestart({ ...waiting, restart_due_at: null }, now)).toBeUndefined();
    expect(pendingRestart({ ...waiting, config: { ...policy, auto_restart: false } }, now)).toBeUndefined();
    expect(pendingRestart({ ...waiting, config: { ...policy, max_restart_count: 1 } }, now)).toBeUndefined();
    expect(pendingRestart({ ...waiting, status: 'stopped' }, now)).toBeUndefined();
  });
});
