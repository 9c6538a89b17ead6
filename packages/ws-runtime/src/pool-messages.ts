// What a pool worker reports about its runs, handed to each run's request: its start, events (pausing a run
// whose client reads slowly), confirmations, its end with the state, a failure; and where its session lives.
import type { AgentEvent, AgentSessionState, ConfirmationRequest } from '@myagent/models';
import { AppError } from '@myagent/models';
import { applyHistory } from './history.js';
import { send, unassign } from './pool-claims.js';
import type { PoolWorker, QueuedRun, SessionHome } from './pool-state.js';
import type { AgentRunner } from './runner.js';
import type { WorkerMessage } from './worker.js';

/**
 * The handler of one pool's worker reports: it returns true when the item ended its run (a slot of the
 * worker is free). `runner` is told when a session's agent instance moved away from a worker.
 */
export function createDelivery(
  homes: Map<string, SessionHome>,
  runner: Pick<AgentRunner, 'onSessionLost'>,
): (pooled: PoolWorker, item: WorkerMessage) => boolean {
  // A session's run started in `pooled`: its agent instance lives there from now on. One that lived in
  // another worker (the session moved: see MOVE_AFTER_MS) is dropped there.
  function settle(run: QueuedRun, pooled: PoolWorker): void {
    const id = run.request.sessionId;
    const home = homes.get(id);
    if (!home) return;
    const previous = home.worker;
    home.synced = undefined;
    if (previous === pooled) return;
    home.worker = pooled;
    pooled.sessions.add(id);
    if (previous && !previous.dead) {
      previous.sessions.delete(id);
      send(previous, { t: 'close', sessionId: id });
      runner.onSessionLost?.(
        id,
        'The session moved to another worker while its own was busy; its agent was rebuilt from the session state',
      );
    }
  }

  // Returns true when the item ended its run (a slot of the worker is free).
  function deliver(pooled: PoolWorker, item: WorkerMessage): boolean {
    if (item.t === 'ready') {
      pooled.ready = true;
      return true;
    }
    const run = pooled.runs.get(item.id);
    if (!run) return false;
    switch (item.t) {
      case 'start':
        settle(run, pooled);
        run.request.onStart();
        return false;
      case 'event': {
        run.request.onEvent(item.event as AgentEvent);
        const wait = run.paused ? undefined : run.request.backpressure?.();
        if (wait) {
          // The client reads slower than the run yields: its worker holds the run until it caught up.
          run.paused = true;
          Atomics.store(pooled.flow, 1 + run.cell, 1);
          void wait.then(() => {
            run.paused = false;
            if (run.worker === pooled) Atomics.store(pooled.flow, 1 + run.cell, 0);
          });
        }
        return false;
      }
      case 'confirm':
        run.request.confirm(item.request as ConfirmationRequest).then(
          (ok) => send(pooled, { t: 'confirmed', id: item.id, confirm: item.confirm, ok }),
          () => send(pooled, { t: 'confirmed', id: item.id, confirm: item.confirm, ok: false }),
        );
        return false;
      case 'done': {
        unassign(run);
        const state: AgentSessionState = {
          messages: applyHistory(run.request.state.messages, item.history),
          current_step: item.current_step,
          data: item.data,
        };
        const home = homes.get(run.request.sessionId);
        if (home?.worker === pooled) home.synced = state;
        run.resolve({ state });
        return true;
      }
      case 'bad':
        run.request.fail(item.message);
        return false;
      case 'error': {
        unassign(run);
        const home = homes.get(run.request.sessionId);
        if (home) home.synced = undefined;
        run.reject(new AppError('AGENT_ERROR', item.message, { details: { code: item.code } }));
        return true;
      }
    }
  }

  return deliver;
}
