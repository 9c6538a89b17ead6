// Where the pool's runs go: to the worker holding their session, to the least loaded ready worker, or over
// from a worker that is stuck; and the check that makes waiting runs move when they waited too long.
import { revoke } from './pool-claims.js';
import { MOVE_AFTER_MS, type PoolState, type PoolWorker, type QueuedRun, STALE_MS } from './pool-state.js';
import type { RuntimeMessage } from './worker.js';

/** How one pool places its runs (see {@link createPlacement}). */
export interface PoolPlacement {
  /** Sends a run to a worker's free claim cell. */
  assign(run: QueuedRun, pooled: PoolWorker): void;
  /** The live worker holding a session's agent instance, if any. */
  homeOf(run: QueuedRun): PoolWorker | undefined;
  /** Hands waiting runs to workers with room, starting workers for empty slots. */
  dispatch(): void;
  /** Takes a run that has not gone to a worker out of the pool's queues: true if it was there. */
  dequeue(run: QueuedRun): boolean;
}

/** The placement of the runs of the pool whose state this is; `spawn` starts a worker in an empty slot. */
export function createPlacement(state: PoolState, spawn: () => PoolWorker): PoolPlacement {
  const { workers, queue, homes, size, slots, capacity } = state;

  function assign(run: QueuedRun, pooled: PoolWorker): void {
    const cell = pooled.freeCells.pop() as number;
    run.worker = pooled;
    run.cell = cell;
    Atomics.store(pooled.claims, cell, run.id + 1);
    pooled.runs.set(run.id, run);
    if (pooled.runs.size === 1) {
      pooled.port.ref();
      pooled.heardAt = performance.now();
    }
    const { request } = run;
    const home = homes.get(request.sessionId);
    // The state travels only when this worker's copy of it is missing or stale.
    const current = home?.worker === pooled && home.synced === request.state;
    pooled.port.postMessage({
      t: 'run',
      id: run.id,
      cell,
      sessionId: request.sessionId,
      input: request.input,
      state: current ? undefined : request.state,
    } satisfies RuntimeMessage);
  }

  // The live worker holding a session's agent instance, if any.
  function homeOf(run: QueuedRun): PoolWorker | undefined {
    const worker = homes.get(run.request.sessionId)?.worker;
    return worker && !worker.dead ? worker : undefined;
  }

  // A run waiting unclaimed in another worker, for `target` to take over, oldest first: any when `target`
  // is idle; otherwise only from a worker that is still loading the module or silent past STALE_MS (stuck
  // on a long or hung run) and holds at least two runs more than `target`, so runs never bounce back.
  // A run of a session whose agent lives elsewhere moves only to an idle worker, after MOVE_AFTER_MS.
  function stealFor(target: PoolWorker): QueuedRun | undefined {
    const idle = target.runs.size === 0;
    const now = performance.now();
    const movable = (run: QueuedRun) => {
      const home = homeOf(run);
      return !home || home === target || (idle && now - run.queuedAt > MOVE_AFTER_MS);
    };
    if (idle) {
      for (const pooled of workers) {
        if (pooled === target) continue;
        const at = pooled.backlog.findIndex(movable);
        if (at >= 0) {
          const [run] = pooled.backlog.splice(at, 1) as [QueuedRun];
          run.backlogOf = undefined;
          return run;
        }
      }
    }
    let oldest: QueuedRun | undefined;
    for (const pooled of workers) {
      if (pooled === target || (pooled.ready && pooled.runs.size <= slots)) continue;
      const stuck = !pooled.ready || now - pooled.heardAt > STALE_MS;
      if (!idle && !(stuck && pooled.runs.size > target.runs.size + 1)) continue;
      for (const run of pooled.runs.values()) {
        if (Atomics.load(pooled.claims, run.cell) !== run.id + 1 || !movable(run)) continue;
        if (!oldest || run.id < oldest.id) oldest = run;
      }
    }
    return oldest && revoke(oldest) ? oldest : undefined;
  }

  // Runs waiting in a worker (sent ahead, or in its backlog) may have to move once they waited too long,
  // and only a dispatch moves them: make sure one comes.
  function armMoveCheck(): void {
    if (state.moveTimer || state.closed || workers.length < 2) return;
    if (!workers.some((pooled) => pooled.backlog.length > 0 || pooled.runs.size > slots)) return;
    state.moveTimer = setTimeout(() => {
      state.moveTimer = undefined;
      dispatch();
    }, MOVE_AFTER_MS / 2).unref();
  }

  function dispatch(): void {
    if (state.closed) return;
    // Runs waiting for the worker that holds their session go there first.
    for (const pooled of workers) {
      while (pooled.backlog.length > 0 && pooled.runs.size < capacity) {
        const run = pooled.backlog.shift() as QueuedRun;
        run.backlogOf = undefined;
        assign(run, pooled);
      }
    }
    for (;;) {
      let target: PoolWorker | undefined;
      // Ready workers first (a starting one gets runs only when the ready ones are full), least loaded first.
      for (const pooled of workers) {
        if (pooled.runs.size >= capacity) continue;
        if (!target || (pooled.ready && !target.ready)) target = pooled;
        else if (pooled.ready === target.ready && pooled.runs.size < target.runs.size) target = pooled;
      }
      if (!target && workers.length < size && queue.length > 0) target = spawn();
      if (!target) return;
      const next = (target.ready ? stealFor(target) : undefined) ?? queue.shift();
      if (!next) break;
      assign(next, target);
    }
    armMoveCheck();
  }

  // Takes a run that has not gone to a worker out of the pool's queues: true if it was there.
  function dequeue(run: QueuedRun): boolean {
    const backlog = run.backlogOf?.backlog;
    if (backlog) {
      backlog.splice(backlog.indexOf(run), 1);
      run.backlogOf = undefined;
      return true;
    }
    const at = queue.indexOf(run);
    if (at >= 0) queue.splice(at, 1);
    return at >= 0;
  }

  return { assign, homeOf, dispatch, dequeue };
}
