import { describe, expect, it } from 'vitest';
import { pendingRestart, planRecovery, RestartTracker, resolveRestartPolicy } from './restart-policy.js';

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
  // What a registry stores on a crash: planRecovery's message, and the attempt as restart_count.
  function stored(tracker: RestartTracker, reason = 'the agent server exited with code 3 unexpectedly') {
    const plan = planRecovery(reason, policy, tracker);
    return {
      status: 'error' as const,
      error_message: plan.message,
      restart_count: plan.restart?.attempt ?? tracker.count(),
      config: policy,
    };
  }

  it('finds a scheduled restart, up to the last one the cap allows, with the restarts counted so far', () => {
    const tracker = new RestartTracker(resolveRestartPolicy());
    expect(pendingRestart(stored(tracker))).toBe(1);
    expect(pendingRestart(stored(tracker))).toBe(2);
  });

  it('leaves a service that gave up, failed a start, or may no longer restart', () => {
    const tracker = new RestartTracker(resolveRestartPolicy());
    tracker.resume(2);
    const gaveUp = stored(tracker);
    expect(gaveUp.error_message).toContain('restart limit reached');
    expect(pendingRestart(gaveUp)).toBeUndefined();
    const waiting = stored(new RestartTracker(resolveRestartPolicy()));
    const failedStart = 'the agent server exited with code 1 before it was ready; stderr:\nError: boom';
    expect(pendingRestart({ ...waiting, error_message: failedStart, restart_count: 0 })).toBeUndefined();
    expect(pendingRestart({ ...waiting, config: { ...policy, auto_restart: false } })).toBeUndefined();
    expect(pendingRestart({ ...waiting, config: { ...policy, max_restart_count: 0 } })).toBeUndefined();
    expect(pendingRestart({ ...waiting, status: 'stopped' })).toBeUndefined();
  });
});
