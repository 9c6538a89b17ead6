import { parseOrThrow, type Service, type ServiceConfig } from '@myagent/models';
import { type ResolvedRestartPolicy, RestartPolicyOptions } from './options.js';

/** Fills in the defaults of {@link RestartPolicyOptions}; a bad value throws INVALID_REQUEST. */
export function resolveRestartPolicy(options: RestartPolicyOptions = {}): ResolvedRestartPolicy {
  return parseOrThrow(RestartPolicyOptions, options, 'restart policy');
}

/** What the tracker decided about one failure. */
export type RestartDecision =
  | { restart: true; attempt: number; delayMs: number }
  | { restart: false; count: number; windowMs: number };

/** Counts the restarts of one service within a sliding window and computes the backoff. */
export class RestartTracker {
  #restarts: number[] = [];
  readonly #policy: ResolvedRestartPolicy;

  constructor(policy: ResolvedRestartPolicy) {
    this.#policy = policy;
  }

  /** Restarts that still count. */
  count(now = Date.now()): number {
    this.#restarts = this.#restarts.filter((at) => now - at < this.#policy.windowMs);
    return this.#restarts.length;
  }

  /**
   * Counts `restarts` a previous registry made before it went away. Their times went with it, so they count
   * from `now`: the cap holds for a full window rather than too short a one.
   */
  resume(restarts: number, now = Date.now()): void {
    for (let i = 0; i < restarts; i++) this.#restarts.push(now);
  }

  /** Forgets every restart: after a healthy stretch, or when a person starts the service by hand. */
  reset(): void {
    this.#restarts = [];
  }

  /** Decides on a failure: restart after a delay, or stay down because the cap is reached. */
  next(config: { restart_delay: number; max_restart_count: number }, now = Date.now()): RestartDecision {
    const done = this.count(now);
    if (done >= config.max_restart_count) {
      return { restart: false, count: done, windowMs: this.#policy.windowMs };
    }
    this.#restarts.push(now);
    const base = config.restart_delay * 1000;
    const cap = Math.max(this.#policy.maxDelayMs, base);
    const delayMs = Math.min(cap, base * this.#policy.backoffFactor ** done);
    return { restart: true, attempt: done + 1, delayMs };
  }
}

/** What to do after a failure: the error_message to store, and the restart to schedule, if any. */
export interface RecoveryPlan {
  message: string;
  restart?: { attempt: number; delayMs: number };
}

/**
 * Decides on a crash or a failed check of a service: stay in ERROR (auto_restart off, or the cap reached) or
 * restart after the backoff. Counts the restart in `tracker`.
 */
export function planRecovery(
  reason: string,
  config: { auto_restart: boolean; restart_delay: number; max_restart_count: number },
  tracker: RestartTracker,
): RecoveryPlan {
  if (!config.auto_restart) return { message: reason };
  const decision = tracker.next(config);
  if (!decision.restart) {
    return {
      message: `${reason}\nrestart limit reached: ${decision.count} restarts within ${decision.windowMs / 1000} s (max_restart_count ${config.max_restart_count}); not restarting`,
    };
  }
  return {
    message: `${reason}\nrestart ${decision.attempt} of ${config.max_restart_count} in ${decision.delayMs / 1000} s`,
    restart: { attempt: decision.attempt, delayMs: decision.delayMs },
  };
}

/** A restart a previous registry had scheduled: the restarts it had counted, and the wait still to do. */
export interface PendingRestart {
  restarts: number;
  delayMs: number;
}

/**
 * The auto-restart a stored service was waiting for when its registry went away (ERROR with restart_due_at
 * set, auto_restart still on, restart_count, which includes the pending restart, within max_restart_count);
 * undefined for any other. A due time already past is a wait of 0.
 */
export function pendingRestart(
  service: Pick<Service, 'status' | 'restart_due_at' | 'restart_count'> & {
    config: Pick<ServiceConfig, 'auto_restart' | 'max_restart_count'>;
  },
  now = Date.now(),
): PendingRestart | undefined {
  const { auto_restart, max_restart_count } = service.config;
  const due = service.restart_due_at;
  const waiting =
    service.status === 'error' && auto_restart && due !== null && service.restart_count <= max_restart_count;
  if (!waiting) return undefined;
  return { restarts: service.restart_count, delayMs: Math.max(0, Date.parse(due) - now) };
}
