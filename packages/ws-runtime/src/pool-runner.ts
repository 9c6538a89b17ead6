import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { AppError } from '@myagent/models';
import { Tinypool } from 'tinypool';
import type { LoadedAgent } from './agent-module.js';
import type { RuntimeLogger } from './options.js';
import { describeError } from './outbound.js';
import { revoke, send, unassign } from './pool-claims.js';
import { createDelivery } from './pool-messages.js';
import { createPlacement } from './pool-placement.js';
import { type PoolState, type PoolWorker, PREFETCH, type QueuedRun } from './pool-state.js';
import { workerEntry, workerExecArgv, workerFailure } from './pool-threads.js';
import {
  type AgentRunner,
  RunKilledError,
  type RunRequest,
  type RunResult,
  type SessionLimits,
} from './runner.js';
import type { WorkerInit, WorkerMessage } from './worker.js';

/** Options of {@link createPoolRunner}. */
export interface PoolRunnerOptions {
  /** Worker threads in the pool. Default: the machine's parallelism. */
  workers?: number;
  /** Old-generation heap limit per worker, in MB (Worker resourceLimits). Default 256. */
  workerMemoryMb?: number;
  /**
   * Runs a worker takes at once. Default 1: a run killed for a hang or out of memory takes nothing else
   * with it. More trades that isolation for throughput: the runs sharing the killed worker end with
   * agent.error too.
   */
  runsPerWorker?: number;
  /** Where the pool reports what went wrong outside any run. */
  logger?: RuntimeLogger;
  /** What a session may keep; the workers apply it after each run. @default no bound */
  limits?: SessionLimits;
}

/**
 * Runs each turn in a pool worker: tinypool owns the threads (creation, memory limit, termination and
 * replacement) and runs one long-lived task per worker, which loads the agent module once, takes runs over
 * its own port and streams their events back, batched per tick. One run per worker slot at a time, so a run that hangs or
 * runs out of memory is killed with its worker (and only the runs sharing it); a replacement starts at once.
 * A worker is sent up to 8 runs ahead of its slots; each starts only once the worker claims it, and the pool
 * takes back an unclaimed run (to another worker, or to the queue when its worker dies), so none waits on a
 * hang.
 */
export function createPoolRunner(loaded: LoadedAgent, options: PoolRunnerOptions = {}): AgentRunner {
  const file = loaded.path;
  if (!file || !existsSync(file)) {
    throw new AppError('INVALID_REQUEST', 'Worker mode needs an agent module file; use in-process mode');
  }
  const agentPath: string = file;
  const size = Math.max(1, options.workers ?? availableParallelism());
  const slots = Math.max(1, Math.floor(options.runsPerWorker ?? 1));
  const capacity = slots + PREFETCH;
  const entry = workerEntry();
  const logger = options.logger;
  const pool = new Tinypool({
    filename: entry,
    name: 'serve',
    minThreads: size,
    maxThreads: size,
    isolateWorkers: false,
    concurrentTasksPerWorker: 1,
    execArgv: workerExecArgv(),
    resourceLimits: { maxOldGenerationSizeMb: options.workerMemoryMb ?? 256 },
  });
  const state: PoolState = {
    workers: [],
    queue: [],
    homes: new Map(),
    size,
    slots,
    capacity,
    closed: false,
    moveTimer: undefined,
  };
  const { workers, queue, homes } = state;
  const limits: SessionLimits = options.limits ?? {
    maxHistoryMessages: 0,
    maxHistoryBytes: 0,
    maxStateBytes: 0,
  };
  let nextId = 0;

  const { assign, homeOf, dispatch, dequeue } = createPlacement(state, spawn);

  const runner: AgentRunner = {
    mode: 'worker',
    async openSession(sessionId) {
      homes.set(sessionId, {});
    },
    closeSession(sessionId) {
      const worker = homes.get(sessionId)?.worker;
      homes.delete(sessionId);
      if (!worker) return;
      worker.sessions.delete(sessionId);
      send(worker, { t: 'close', sessionId });
    },
    run,
    async close() {
      if (state.closed) return;
      state.closed = true;
      const error = new AppError('AGENT_ERROR', 'The worker pool was closed');
      clearTimeout(state.moveTimer);
      for (const queued of queue.splice(0)) queued.reject(error);
      for (const pooled of workers.splice(0)) {
        pooled.dead = true;
        for (const waiting of pooled.backlog.splice(0)) waiting.reject(error);
        for (const running of pooled.runs.values()) running.reject(error);
        pooled.runs.clear();
        pooled.port.close();
      }
      await pool.destroy();
    },
  };

  const deliver = createDelivery(homes, runner);

  function spawn(): PoolWorker {
    const shared = new SharedArrayBuffer(capacity * Int32Array.BYTES_PER_ELEMENT);
    const flow = new SharedArrayBuffer((1 + capacity) * Int32Array.BYTES_PER_ELEMENT);
    const { port1: port, port2 } = new MessageChannel();
    const task = new AbortController();
    const pooled: PoolWorker = {
      port,
      task,
      runs: new Map(),
      claims: new Int32Array(shared),
      freeCells: Array.from({ length: capacity }, (_, i) => i),
      dead: false,
      ready: false,
      healthy: false,
      heardAt: performance.now(),
      sessions: new Set(),
      backlog: [],
      flow: new Int32Array(flow),
    };
    workers.push(pooled);
    port.unref();
    port.on('message', (items: WorkerMessage[]) => {
      pooled.healthy = true;
      pooled.heardAt = performance.now();
      let freed = false;
      for (const item of items) {
        // Whatever one run's item does on its way to the socket, the other items and runs go on.
        try {
          freed = deliver(pooled, item) || freed;
        } catch (error) {
          freed = true;
          logger?.error('a worker message failed', { error: describeError(error) });
        }
      }
      // The worker may post more once these are handled (see MAX_IN_FLIGHT).
      Atomics.sub(pooled.flow, 0, items.length);
      if (freed) dispatch();
    });
    // The task ends only when the worker dies (out of memory, a crash: tinypool rejects it) or is killed.
    const init: WorkerInit = { port: port2, agentPath, slots, claims: shared, limits, flow };
    pool.run(init, { transferList: [port2], signal: task.signal }).then(
      () => retire(pooled, new AppError('AGENT_ERROR', "The run's worker stopped")),
      (error: unknown) => retire(pooled, workerFailure(error)),
    );
    // A worker that exits without an error (process.exit) leaves its tinypool task pending: its port closes.
    // The rejection of a failed worker names the cause (out of memory) and may come well after the port
    // closed on a loaded machine; give it half a second.
    port.on('close', () => {
      setTimeout(() => retire(pooled, new AppError('AGENT_ERROR', "The run's worker exited")), 500).unref();
    });
    return pooled;
  }

  // A worker that died, or was killed: runs it had not claimed go back to the queue, the others fail, its
  // task is aborted (tinypool terminates the worker, if still alive, and starts a fresh one) and a new task
  // starts for the slot (at once if it was healthy, otherwise when a run needs it, so a worker that cannot
  // start is not restarted in a loop).
  function retire(pooled: PoolWorker, error: unknown, killed?: { run: QueuedRun; reason: Error }): void {
    if (pooled.dead) return;
    pooled.dead = true;
    workers.splice(workers.indexOf(pooled), 1);
    const runs = [...pooled.runs.values()];
    const unclaimed = runs.filter((run) => revoke(run));
    const failed = runs.filter((run) => !unclaimed.includes(run));
    for (const run of failed) unassign(run);
    for (const run of pooled.backlog) run.backlogOf = undefined;
    queue.unshift(...unclaimed, ...pooled.backlog.splice(0));
    // The agent instances of its sessions went with it: each session is rebuilt from its state by its next
    // run, wherever that runs, and is told so.
    for (const id of pooled.sessions) {
      const home = homes.get(id);
      if (home?.worker !== pooled) continue;
      home.worker = undefined;
      home.synced = undefined;
      runner.onSessionLost?.(
        id,
        "The worker holding this session's agent stopped; the session will be rebuilt from its state",
      );
    }
    pooled.sessions.clear();
    pooled.task.abort();
    pooled.port.close();
    // Messages the worker posted before it died may still be on their way: let them land first.
    setImmediate(() => {
      for (const run of failed) run.reject(run === killed?.run ? killed.reason : error);
    });
    if (!state.closed && pooled.healthy) spawn();
    dispatch();
  }

  function abort(run: QueuedRun): void {
    if (run.worker && !revoke(run)) {
      send(run.worker, { t: 'abort', id: run.id, reason: String(run.request.signal.reason ?? 'aborted') });
      return;
    }
    // Not started yet: it never will.
    dequeue(run);
    run.reject(new AppError('AGENT_ERROR', 'The run was stopped before it started'));
  }

  function kill(run: QueuedRun): void {
    const reason = new RunKilledError('The run ignored its abort signal; its worker was killed');
    const pooled = run.worker;
    if (!pooled || pooled.dead || revoke(run)) {
      dequeue(run);
      run.reject(reason);
      return;
    }
    // Runs sharing the worker (runsPerWorker > 1) go down with it; runs waiting there unclaimed move on.
    retire(pooled, new AppError('AGENT_ERROR', `The run's worker was killed: ${reason.message}`), {
      run,
      reason,
    });
  }

  for (let i = 0; i < size; i++) spawn();
  function run(request: RunRequest): Promise<RunResult> {
    if (state.closed) return Promise.reject(new AppError('AGENT_ERROR', 'The worker pool is closed'));
    return new Promise<RunResult>((resolve, reject) => {
      const queued: QueuedRun = {
        id: nextId,
        request,
        resolve,
        reject,
        cell: -1,
        queuedAt: performance.now(),
      };
      // Ids stay positive int32 (claim cells hold id + 1 and its negation); old ids are long gone on wrap.
      nextId = (nextId + 1) & 0x3fffffff;
      const onAbort = () => abort(queued);
      const onKill = () => kill(queued);
      request.signal.addEventListener('abort', onAbort, { once: true });
      request.kill.addEventListener('abort', onKill, { once: true });
      const settle = () => {
        request.signal.removeEventListener('abort', onAbort);
        request.kill.removeEventListener('abort', onKill);
      };
      queued.resolve = (result) => {
        settle();
        resolve(result);
      };
      queued.reject = (error) => {
        settle();
        reject(error);
      };
      // A session's runs go to the worker holding its agent instance (spec A2: one per session).
      const home = homeOf(queued);
      if (home && home.runs.size < capacity) assign(queued, home);
      else if (home) {
        queued.backlogOf = home;
        home.backlog.push(queued);
      } else queue.push(queued);
      dispatch();
    });
  }

  return runner;
}
