import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { AgentEvent, AgentSessionState, ConfirmationRequest } from '@myagent/models';
import { AppError } from '@myagent/models';
import { Tinypool } from 'tinypool';
import type { LoadedAgent } from './agent-module.js';
import { applyHistory } from './history.js';
import type { RuntimeLogger } from './options.js';
import { describeError } from './outbound.js';
import {
  type AgentRunner,
  RunKilledError,
  type RunRequest,
  type RunResult,
  type SessionLimits,
} from './runner.js';
import type { RuntimeMessage, WorkerInit, WorkerMessage } from './worker.js';

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

// From source (vitest, tsx) the task module is a small .mjs that loads worker.ts through tsx (Node 20 workers
// do not run --import hooks for a .ts entry); built, dist/worker.js.
function workerEntry(): string {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return fileURLToPath(new URL('./worker-loader.mjs', here));
  return fileURLToPath(new URL('./worker.js', here));
}

// Options a worker accepts from the parent's command line (process-wide ones such as --expose-gc or
// --max-old-space-size are refused by Worker with ERR_WORKER_INVALID_EXEC_ARGV).
const WORKER_FLAGS =
  /^(--conditions|-C|--import|--require|-r|--loader|--experimental-loader|--no-warnings|--enable-source-maps)$/;

// Workers resolve our packages the way this process does: from source when it runs from source.
function workerExecArgv(): string[] {
  const argv: string[] = [];
  const parent = process.execArgv;
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!WORKER_FLAGS.test(flag)) continue;
    const takesValue = !/^--(no-warnings|enable-source-maps)$/.test(flag);
    if (inline !== undefined || !takesValue) argv.push(arg);
    else if (i + 1 < parent.length) argv.push(arg, parent[++i] as string);
  }
  if (import.meta.url.endsWith('.ts') && !argv.some((arg) => arg.includes('@myagent/source'))) {
    argv.push('--conditions=@myagent/source');
  }
  return argv;
}

interface QueuedRun {
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
}

// Where a session's agent instance lives: the worker that last started one of its runs, and the state
// object that worker's copy of the session state equals (none after a failed run: the next run sends it).
interface SessionHome {
  worker?: PoolWorker;
  synced?: AgentSessionState;
}

// A worker slot: one long-lived tinypool task (serve in worker.ts) on a worker tinypool owns, and our end of
// the port it was given. Aborting the task makes tinypool terminate that worker and start another.
interface PoolWorker {
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
}

// Runs a worker is sent beyond its slots, so that it goes on to the next one without waiting for the busy
// main thread (bench/agent-server: 8 took the worker-mode p99 at 1,000 turns/s from ~6.5 to ~4.7 ms over
// the bare server, against 1), and how long a busy worker may go without a word before the runs waiting in
// it count as stuck (behind a long or hung run) and a less loaded worker takes them over.
const PREFETCH = 8;
const STALE_MS = 20;
// A run waits for the worker holding its session's agent instance, unless it waited this long and another
// worker is idle: then the session moves there and is rebuilt from its state (and says so), so that a run
// never waits on a hung or long run of another session past this.
const MOVE_AFTER_MS = 1_000;

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
  const workers: PoolWorker[] = [];
  const queue: QueuedRun[] = [];
  const homes = new Map<string, SessionHome>();
  const limits: SessionLimits = options.limits ?? {
    maxHistoryMessages: 0,
    maxHistoryBytes: 0,
    maxStateBytes: 0,
  };
  let nextId = 0;
  let closed = false;
  let moveTimer: NodeJS.Timeout | undefined;

  function spawn(): PoolWorker {
    const shared = new SharedArrayBuffer(capacity * Int32Array.BYTES_PER_ELEMENT);
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
      if (freed) dispatch();
    });
    // The task ends only when the worker dies (out of memory, a crash: tinypool rejects it) or is killed.
    const init: WorkerInit = { port: port2, agentPath, slots, claims: shared, limits };
    pool.run(init, { transferList: [port2], signal: task.signal }).then(
      () => retire(pooled, new AppError('AGENT_ERROR', "The run's worker stopped")),
      (error: unknown) => retire(pooled, workerFailure(error)),
    );
    // A worker that exits without an error (process.exit) leaves its tinypool task pending: its port closes.
    // The rejection of a failed worker usually comes first and names the cause; give it a moment.
    port.on('close', () => {
      setTimeout(() => retire(pooled, new AppError('AGENT_ERROR', "The run's worker exited")), 50).unref();
    });
    return pooled;
  }

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

  function unassign(run: QueuedRun): void {
    const pooled = run.worker;
    if (!pooled?.runs.delete(run.id)) return;
    pooled.freeCells.push(run.cell);
    run.worker = undefined;
    if (pooled.runs.size === 0) pooled.port.unref();
  }

  // Takes a run back from its worker if the worker has not claimed it: true when it never started there.
  function revoke(run: QueuedRun): boolean {
    const pooled = run.worker;
    if (!pooled) return false;
    const pending = run.id + 1;
    if (Atomics.compareExchange(pooled.claims, run.cell, pending, 0) !== pending) return false;
    unassign(run);
    return true;
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
      case 'event':
        run.request.onEvent(item.event as AgentEvent);
        return false;
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

  function send(pooled: PoolWorker, message: RuntimeMessage): void {
    if (!pooled.dead) pooled.port.postMessage(message);
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
    if (!closed && pooled.healthy) spawn();
    dispatch();
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
    if (moveTimer || closed || workers.length < 2) return;
    if (!workers.some((pooled) => pooled.backlog.length > 0 || pooled.runs.size > slots)) return;
    moveTimer = setTimeout(() => {
      moveTimer = undefined;
      dispatch();
    }, MOVE_AFTER_MS / 2).unref();
  }

  function dispatch(): void {
    if (closed) return;
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
    if (closed) return Promise.reject(new AppError('AGENT_ERROR', 'The worker pool is closed'));
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
      if (closed) return;
      closed = true;
      const error = new AppError('AGENT_ERROR', 'The worker pool was closed');
      clearTimeout(moveTimer);
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
  return runner;
}

function workerFailure(error: unknown): AppError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new AppError('AGENT_ERROR', 'The run exhausted its worker memory limit; the worker was replaced', {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('AGENT_ERROR', `The run's worker failed: ${message}`, { cause: error });
}
