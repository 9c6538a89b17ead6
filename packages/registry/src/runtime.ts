import type { Child } from './child.js';
import type { ResolvedRestartPolicy } from './options.js';
import type { ProcSample } from './proc.js';
import { RestartTracker } from './restart-policy.js';
import type { StatTotals } from './stats.js';

// How long a child that got SIGKILL is waited for before the stop goes on without its exit.
const KILL_WAIT_MS = 5_000;

/** True when the child exits within `ms`. */
async function exitsWithin(child: Child, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([
    child.exited.then(() => true),
    new Promise<false>((resolveWait) => {
      timer = setTimeout(() => resolveWait(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return exited;
}

/** What the registry holds in memory for one service: its child, timers and restart count. */
export class ServiceRuntime {
  child?: Child;
  /** The child is being started and the start flow owns its outcome. */
  starting?: Child;
  /** The registry itself is stopping this child: its exit is expected. */
  stopping?: Child;
  startAbort?: AbortController;
  restartTimer?: NodeJS.Timeout;
  healthyTimer?: NodeJS.Timeout;
  readonly tracker: RestartTracker;
  /** The last /proc reading, for CPU deltas. */
  sample?: ProcSample;
  peak = 0;
  /** The stored totals when the current child started; what it reports is added to them. */
  baseline?: StatTotals;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(policy: ResolvedRestartPolicy) {
    this.tracker = new RestartTracker(policy);
  }

  /** The pid of the child while it runs. */
  get pid(): number | undefined {
    return this.child?.running ? this.child.pid : undefined;
  }

  /** Runs operations on this service one at a time, in call order. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited, or `KILL_WAIT_MS` after the
   * SIGKILL (a process stuck in the kernel is not waited for forever). Its exit is expected.
   */
  async kill(child: Child, graceMs: number): Promise<void> {
    this.stopping = child;
    child.kill('SIGTERM');
    if (!(await exitsWithin(child, graceMs))) {
      child.kill('SIGKILL');
      await exitsWithin(child, KILL_WAIT_MS);
    }
  }

  /** After `ms` of running without a crash, forgets the restarts and calls `onReset` (if any were counted). */
  armHealthyReset(ms: number, onReset: () => void): void {
    clearTimeout(this.healthyTimer);
    this.healthyTimer = setTimeout(() => {
      if (this.tracker.count() === 0) return;
      this.tracker.reset();
      onReset();
    }, ms);
    this.healthyTimer.unref();
  }

  clearTimers(): void {
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthyTimer);
    this.restartTimer = undefined;
    this.healthyTimer = undefined;
  }
}
