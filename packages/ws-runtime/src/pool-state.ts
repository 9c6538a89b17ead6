// The worker pool's bookkeeping: a queued run, a worker slot, where a session lives, the state the pool's
// parts share, and the tuning of how far ahead runs are sent and when waiting runs move.
import type { MessagePort } from 'node:worker_threads';
import type { AgentSessionState } from '@myagent/models';
import type { RunRequest, RunResult } from './runner.js';

/** A run in the pool: queued, waiting in a worker's backlog, or sent to a worker's claim cell. */
export interface QueuedRun {
  id: number;
  request: RunRequest;
  resolve(result: RunResult): void;
  reject(error: unknown): void;
  /** The worker it was sent to and its claim cell there. */
  worker?: PoolWorker;
  cell: number;
  /** The worker holding its session, where it waits for room (not yet sent). */
  backlogOf?: PoolWorker;
  /** performance.now() when it entered the pool. */
  queuedAt: number;
  /** Its worker is told to pause it until its client catches up. */
  paused?: boolean;
}

/**
 * Where a session's agent instance lives: the worker that last started one of its runs, and the state
 * object that worker's copy of the session state equals (none after a failed run: the next run sends it).
 */
export interface SessionHome {
  worker?: PoolWorker;
  synced?: AgentSessionState;
}

/**
 * A worker slot: one long-lived tinypool task (serve in worker.ts) on a worker tinypool owns, and our end of
 * the port it was given. Aborting the task makes tinypool terminate that worker and start another.
 */
export interface PoolWorker {
  port: MessagePort;
  task: AbortController;
  /** Runs sent to this worker and not ended: running, or waiting there unclaimed. */
  runs: Map<number, QueuedRun>;
  claims: Int32Array;
  freeCells: number[];
  dead: boolean;
  /** True once the worker loaded the agent module: until then it claims no run. */
  ready: boolean;
  /** When it last reported anything, or went from idle to busy. */
  heardAt: number;
  /** True once the worker reported anything: a worker that dies before that is not replaced eagerly. */
  healthy: boolean;
  /** Sessions whose agent instance lives here. */
  sessions: Set<string>;
  /** Runs of those sessions waiting for room here. */
  backlog: QueuedRun[];
  /** Flow control shared with the worker (see WorkerInit.flow). */
  flow: Int32Array;
}

// Runs a worker is sent beyond its slots, so that it goes on to the next one without waiting for the busy
// main thread (bench/agent-server: 8 took the worker-mode p99 at 1,000 turns/s from ~6.5 to ~4.7 ms over
// the bare server, against 1), and how long a busy worker may go without a word before the runs waiting in
// it count as stuck (behind a long or hung run) and a less loaded worker takes them over.
export const PREFETCH = 8;
export const STALE_MS = 20;
// A run waits for the worker holding its session's agent instance, unless it waited this long and another
// worker is idle: then the session moves there and is rebuilt from its state (and says so), so that a run
// never waits on a hung or long run of another session past this.
export const MOVE_AFTER_MS = 1_000;

/** What the parts of one pool share (see createPoolRunner in pool-runner.ts). */
export interface PoolState {
  readonly workers: PoolWorker[];
  readonly queue: QueuedRun[];
  readonly homes: Map<string, SessionHome>;
  /** Worker threads in the pool. */
  readonly size: number;
  /** Runs a worker takes at once (runsPerWorker). */
  readonly slots: number;
  /** Runs a worker may hold: its slots and PREFETCH more. */
  readonly capacity: number;
  /** True once the runner closed: nothing is dispatched or respawned after. */
  closed: boolean;
  /** The pending check that waiting runs move (see armMoveCheck in pool-placement.ts). */
  moveTimer: NodeJS.Timeout | undefined;
}
