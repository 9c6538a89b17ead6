// What the pool does to one worker's runs: posting to the worker, letting go of a run that ended there, and
// taking back a run the worker has not claimed yet.
import type { PoolWorker, QueuedRun } from './pool-state.js';
import type { RuntimeMessage } from './worker.js';

/** Lets go of a run its worker ended (or that failed with it): its claim cell is free again. */
export function unassign(run: QueuedRun): void {
  const pooled = run.worker;
  if (!pooled?.runs.delete(run.id)) return;
  Atomics.store(pooled.flow, 1 + run.cell, 0);
  pooled.freeCells.push(run.cell);
  run.worker = undefined;
  if (pooled.runs.size === 0) pooled.port.unref();
}

/** Takes a run back from its worker if the worker has not claimed it: true when it never started there. */
export function revoke(run: QueuedRun): boolean {
  const pooled = run.worker;
  if (!pooled) return false;
  const pending = run.id + 1;
  if (Atomics.compareExchange(pooled.claims, run.cell, pending, 0) !== pending) return false;
  unassign(run);
  return true;
}

/** Posts to a worker unless it is dead. */
export function send(pooled: PoolWorker, message: RuntimeMessage): void {
  if (!pooled.dead) pooled.port.postMessage(message);
}
