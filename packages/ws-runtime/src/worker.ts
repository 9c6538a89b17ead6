import type { MessagePort } from 'node:worker_threads';
import type { Agent, AgentSessionState } from '@myagent/models';
import { type LoadedAgent, loadAgentFile } from './agent-module.js';
import { diffHistory, type HistoryDelta } from './history.js';
import { codeOf, describeError } from './outbound.js';
import { boundState, driveRun, type SessionLimits } from './runner.js';

// A pool worker's one long-lived tinypool task (serve): it loads the agent module once (at start, so the
// first run does not pay for it), then runs the turns the pool sends it over the task's port, one port for
// the worker's whole life, until the pool closes that port. What a run
// emits goes back on that port in order; the messages of one tick travel in one postMessage (see Outbox).
// The pool may send a run before a slot is free (so the worker need not wait for a round trip through the
// busy main thread); such a run waits here, unclaimed, and the pool can take it back and give it to another
// worker (the claim cell, see claim()) if this one stays busy, hangs or dies.
// Each session that ran here keeps its agent instance (one createAgent() per session, spec A2) and its
// state here: a run carries the state only when this worker's copy is not the runtime's (first run here,
// after a failed run, a restore), and its end carries back only what changed (a HistoryDelta).

/** The long-lived task the pool gives each worker through tinypool (the port is transferred). */
export interface WorkerInit {
  port: MessagePort;
  agentPath: string;
  /** Runs at once (runsPerWorker). */
  slots: number;
  /** Claim cells (Int32Array over a SharedArrayBuffer): run id + 1 while pending, its negation once claimed. */
  claims: SharedArrayBuffer;
  /** What a session may keep (applied here after each run, so the runtime's copy needs no trim). */
  limits: SessionLimits;
}

/** Messages from the pool to a worker. */
export type RuntimeMessage =
  | {
      t: 'run';
      id: number;
      cell: number;
      sessionId: string;
      input: string;
      /** The session's state, when this worker's copy is missing or stale. */
      state?: AgentSessionState;
    }
  | { t: 'abort'; id: number; reason: string }
  /** The session ended (or moved to another worker): its agent instance and state go. */
  | { t: 'close'; sessionId: string }
  | { t: 'confirmed'; id: number; confirm: number; ok: boolean };

/** One item a worker reports about a run; a worker posts them in batches (arrays), oldest first. */
export type WorkerMessage =
  | { t: 'ready'; id: -1 }
  | { t: 'start'; id: number }
  | { t: 'event'; id: number; event: unknown }
  | { t: 'confirm'; id: number; confirm: number; request: unknown }
  | {
      t: 'done';
      id: number;
      history: HistoryDelta;
      current_step: number;
      data: Record<string, unknown>;
    }
  | { t: 'error'; id: number; message: string; code?: string }
  /** An event or confirm request of a running run that could not be posted: the pool fails the run. */
  | { t: 'bad'; id: number; message: string };

// One postMessage per tick instead of one per event: the pool's thread pays for each message it receives.
// Items that someone waits on (a run's first event, a confirm request, the end of a run) flush at once,
// with everything queued before them, so order is kept and a run blocking its thread afterwards does not
// hold them back; the rest flush when the tick ends.
class Outbox {
  private items: WorkerMessage[] = [];
  private scheduled = false;

  constructor(private readonly port: MessagePort) {}

  push(item: WorkerMessage, urgent: boolean): void {
    this.items.push(item);
    if (urgent) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    try {
      this.port.postMessage(items);
    } catch {
      // A value structured clone refuses (a function, a symbol, a host object): find it, item by item, and
      // send in its place what the pool can report on the run; the other items go as they are.
      for (const item of items) {
        try {
          this.port.postMessage([item]);
        } catch (error) {
          this.port.postMessage([uncloneable(item, error)]);
        }
      }
    }
  }
}

function uncloneable(item: WorkerMessage, error: unknown): WorkerMessage {
  const why = describeError(error, 200);
  if (item.t === 'done')
    return { t: 'error', id: item.id, message: `The run's state cannot be kept: ${why}` };
  return { t: 'bad', id: item.id, message: `The agent yielded a value that cannot be sent: ${why}` };
}

interface RunningTask {
  controller: AbortController;
  confirms: Map<number, (ok: boolean) => void>;
}

type RunMessage = Extract<RuntimeMessage, { t: 'run' }>;

/** Runs the turns arriving on `init.port` until the pool closes it; tinypool calls it as the task handler. */
export function serve(init: WorkerInit): Promise<void> {
  const { port } = init;
  const outbox = new Outbox(port);
  const running = new Map<number, RunningTask>();
  const waiting: RunMessage[] = [];
  const claims = new Int32Array(init.claims);
  const sessions = new Map<string, { agent: Agent; state: AgentSessionState }>();

  // Starts waiting runs while a slot is free. A run the pool took back (its cell no longer holds id + 1)
  // is skipped: exactly one of the pool's revoke and this claim wins the compare-and-exchange.
  function pump(): void {
    if (!ready) return;
    while (running.size < init.slots && waiting.length > 0) {
      const next = waiting.shift() as RunMessage;
      const pending = next.id + 1;
      if (Atomics.compareExchange(claims, next.cell, pending, -pending) === pending) void run(next);
    }
  }

  let agent: Promise<LoadedAgent> = loadAgentFile(init.agentPath);
  // Runs are claimed only once the module is loaded (or failed to: each run then reports it, and the next
  // retries), so runs sent here meanwhile can still be taken over by a worker that is ready.
  let ready = false;
  agent
    .catch(() => {})
    .then(() => {
      ready = true;
      outbox.push({ t: 'ready', id: -1 }, true);
      pump();
    });

  async function run(message: RunMessage): Promise<void> {
    const { id } = message;
    const task: RunningTask = { controller: new AbortController(), confirms: new Map() };
    running.set(id, task);
    let nextConfirm = 0;
    let first = true;
    try {
      const loaded = await agent.catch((error: unknown) => {
        agent = loadAgentFile(init.agentPath);
        agent.catch(() => {});
        throw error;
      });
      let session = sessions.get(message.sessionId);
      if (!session) {
        if (!message.state) throw new Error("The session's state is not in this worker");
        session = { agent: await loaded.create(), state: message.state };
        sessions.set(message.sessionId, session);
      } else if (message.state) session.state = message.state;
      const { state } = session;
      const before = Array.isArray(state.messages) ? state.messages.slice() : [];
      // The run timeout counts from here: waiting for a worker and loading the module are not the agent's.
      outbox.push({ t: 'start', id }, false);
      await driveRun(session.agent, {
        sessionId: message.sessionId,
        input: message.input,
        state,
        signal: task.controller.signal,
        onEvent: (event) => {
          outbox.push({ t: 'event', id, event }, first);
          first = false;
        },
        confirm: (request) => {
          if (task.controller.signal.aborted) return Promise.resolve(false);
          const confirm = nextConfirm++;
          return new Promise<boolean>((resolve) => {
            task.confirms.set(confirm, resolve);
            outbox.push({ t: 'confirm', id, confirm, request }, true);
          });
        },
      });
      boundState(state, init.limits);
      const history = diffHistory(before, Array.isArray(state.messages) ? state.messages : []);
      outbox.push({ t: 'done', id, history, current_step: state.current_step, data: state.data }, true);
    } catch (error) {
      outbox.push({ t: 'error', id, message: describeError(error), code: codeOf(error) }, true);
    } finally {
      running.delete(id);
      pump();
    }
  }

  port.on('message', (message: RuntimeMessage) => {
    if (message.t === 'run') {
      waiting.push(message);
      pump();
      return;
    }
    if (message.t === 'close') {
      sessions.delete(message.sessionId);
      return;
    }
    const task = running.get(message.id);
    if (!task) return;
    if (message.t === 'abort') {
      task.controller.abort(new Error(message.reason));
      for (const resolve of task.confirms.values()) resolve(false);
      task.confirms.clear();
    } else {
      task.confirms.get(message.confirm)?.(message.ok);
      task.confirms.delete(message.confirm);
    }
  });
  return new Promise<void>((resolve) => port.once('close', () => resolve()));
}
