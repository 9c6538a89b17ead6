// A session's runs: one at a time, the bounds on runs waiting for a worker, cancel, the run timeout with its
// kill grace, the notices that end a stopped run, and the run counters that GET /health reports.
import type { ErrorCode } from '@myagent/models';
import { AppError } from '@myagent/models';
import type { ActiveRun, Connection, Session } from './connection.js';
import type { ResolvedRuntimeOptions } from './options.js';
import { describeError } from './outbound.js';
import { RunOutput } from './run-output.js';
import type { AgentRunner } from './runner.js';
import { RunTrace } from './traces.js';

/** Why a run was stopped. */
export type StopReason = NonNullable<ActiveRun['stopReason']>;

/** The runs of a runtime's sessions; SessionHub (sessions.ts) adds the sessions themselves. */
export abstract class SessionRuns {
  /** `sessionMs` sums the lifetimes of the completed sessions; `runMs` those of the finished runs. */
  readonly counters = { sessions: 0, completed: 0, sessionMs: 0, runs: 0, errors: 0, runMs: 0, finished: 0 };
  activeRuns = 0;
  /** Runs waiting to start and the bytes of their messages (maxPendingRuns, maxPendingBytes). */
  readonly pending = { runs: 0, bytes: 0 };
  draining = false;
  /** Told when a session's turn starts and ends (the proxy control channel snapshots the state then). */
  onRunChange?: (session: Session, phase: 'turn_start' | 'turn_end', stopReason?: StopReason) => void;
  private readonly idleWaiters: Array<() => void> = [];
  protected readonly output: RunOutput;

  constructor(
    protected readonly opts: ResolvedRuntimeOptions,
    protected readonly runner: AgentRunner,
  ) {
    this.output = new RunOutput(opts, this.counters, (session, reason) => this.stopRun(session, reason));
  }

  /** Tells the client its session's agent instance is gone, once no run of it is going on. */
  protected abstract lost(sessionId: string, message: string): void;
  /** Starts (or restarts) the session's idle expiry. */
  protected abstract armIdle(session: Session): void;

  agentError(conn: Connection, sessionId: string | undefined, code: ErrorCode, message: string): void {
    this.counters.errors++;
    conn.send('agent.error', { session_id: sessionId, content: message, metadata: { code } });
  }

  /** Starts a run unless one is going on (SESSION_BUSY) or the server drains. */
  startRun(session: Session, input: string): void {
    // The run gave its final answer and is finishing (its state on the way back): the client has every
    // reason to go on, so the message waits for it instead of SESSION_BUSY.
    if (session.run?.answered && !session.run.stopReason && session.next === undefined) {
      session.next = input;
      return;
    }
    if (session.run) {
      this.agentError(
        session.conn,
        session.id,
        'SESSION_BUSY',
        'A run is already in progress in this session',
      );
      return;
    }
    if (this.draining) {
      this.agentError(session.conn, session.id, 'INSUFFICIENT_RESOURCES', 'The server is shutting down');
      return;
    }
    const { maxPendingRuns, maxPendingBytes } = this.opts;
    const bytes = Buffer.byteLength(input);
    if (
      (maxPendingRuns > 0 && this.pending.runs >= maxPendingRuns) ||
      (maxPendingBytes > 0 && this.pending.bytes + bytes > maxPendingBytes)
    ) {
      this.agentError(
        session.conn,
        session.id,
        'INSUFFICIENT_RESOURCES',
        'Too many messages are waiting for a worker; try again shortly',
      );
      return;
    }
    const run: ActiveRun = {
      controller: new AbortController(),
      kill: new AbortController(),
      startedAt: Date.now(),
      pendingBytes: bytes,
    };
    const { onTrace, agent } = this.opts;
    if (onTrace) {
      run.trace = new RunTrace(onTrace, {
        sessionId: session.id,
        input,
        agentName: agent.name,
        maxSteps: agent.maxSteps,
      });
    }
    this.pending.runs++;
    this.pending.bytes += bytes;
    session.run = run;
    this.activeRuns++;
    this.counters.runs++;
    this.onRunChange?.(session, 'turn_start');
    this.runner
      .run({
        sessionId: session.id,
        input,
        state: session.state,
        signal: run.controller.signal,
        kill: run.kill.signal,
        onStart: () => {
          this.started(run);
          if (this.opts.runTimeoutMs > 0 && !run.stopReason && !run.timer) {
            run.timer = setTimeout(() => this.stopRun(session, 'timeout'), this.opts.runTimeoutMs);
          }
        },
        onEvent: (event) => {
          // Events of a stopped run (cancelled, timed out, failed, shut down) are dropped: its stream ends
          // where it was cut off.
          if (session.run === run && !run.stopReason) this.output.forward(session, run, event);
        },
        confirm: (request) => this.output.askConfirm(session, run, request),
        backpressure: () => (run.stopReason ? undefined : session.conn.whenWritable()),
        fail: (message) => {
          if (session.run === run) this.output.failRun(session, run, message);
        },
      })
      .then(
        (result) => {
          // A cancelled run keeps what it did; a timed-out or killed one leaves the state as it was.
          if (!run.stopReason || run.stopReason === 'cancel') session.state = result.state;
        },
        (error: unknown) => {
          if (run.stopReason || session.closed) return;
          const message = describeError(error);
          run.failure ??= message;
          this.opts.logger.debug('run failed', { session_id: session.id, error: message });
          this.agentError(session.conn, session.id, 'AGENT_ERROR', message);
        },
      )
      .finally(() => this.finishRun(session, run));
  }

  /** Aborts a session's run; past the kill grace the runner gives up on it. */
  stopRun(session: Session, reason: StopReason): void {
    const run = session.run;
    if (!run || run.stopReason) return;
    run.stopReason = reason;
    clearTimeout(run.timer);
    run.controller.abort(
      new AppError(reason === 'timeout' ? 'RUN_TIMEOUT' : 'AGENT_ERROR', run.failure ?? `Run ${reason}`),
    );
    for (const confirm of session.confirms.values()) confirm.resolve(false);
    run.graceTimer = setTimeout(() => run.kill.abort(), this.opts.killGraceMs);
  }

  /** Resolves once no run is going on, or after `ms`. */
  waitForRuns(ms: number): Promise<void> {
    if (this.activeRuns === 0 || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // The run left the pending count (it started, or ended before it could).
  private started(run: ActiveRun): void {
    if (run.pendingBytes === undefined) return;
    this.pending.runs--;
    this.pending.bytes -= run.pendingBytes;
    run.pendingBytes = undefined;
  }

  private finishRun(session: Session, run: ActiveRun): void {
    this.started(run);
    clearTimeout(run.timer);
    clearTimeout(run.graceTimer);
    if (session.run !== run) return;
    session.run = undefined;
    this.activeRuns--;
    this.counters.finished++;
    this.counters.runMs += Date.now() - run.startedAt;
    run.trace?.end({ stopReason: run.stopReason, failure: run.failure });
    if (run.stopReason && !session.closed && !run.streamClosed) this.output.closeStream(session, run);
    else run.streamClosed = true;
    if (run.stopReason === 'cancel' && !session.closed) {
      session.conn.send('agent.interrupted', {
        session_id: session.id,
        content: 'The run was cancelled',
        metadata: { reason: 'user.cancel' },
      });
    } else if (run.stopReason === 'shutdown' && !session.closed) {
      session.conn.send('agent.interrupted', {
        session_id: session.id,
        content: 'The run was stopped: the server is shutting down',
        metadata: { reason: 'shutdown' },
      });
    } else if (run.stopReason === 'failed' && !session.closed) {
      this.agentError(session.conn, session.id, 'AGENT_ERROR', run.failure ?? 'The run failed');
    } else if (run.stopReason === 'timeout' && !session.closed) {
      this.counters.errors++;
      const seconds = this.opts.runTimeoutMs / 1000;
      session.conn.send('agent.timeout', {
        session_id: session.id,
        content: `The run exceeded the run timeout of ${seconds} s and was stopped`,
        metadata: { code: 'RUN_TIMEOUT', run_timeout: seconds },
      });
    }
    if (session.lostNotice !== undefined) {
      const notice = session.lostNotice;
      session.lostNotice = undefined;
      this.lost(session.id, notice);
    }
    if (!session.closed) {
      this.armIdle(session);
      this.onRunChange?.(session, 'turn_end', run.stopReason);
    }
    const next = session.next;
    session.next = undefined;
    if (next !== undefined && !session.closed) this.startRun(session, next);
    if (this.activeRuns === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
