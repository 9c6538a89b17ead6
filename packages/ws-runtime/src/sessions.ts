import { randomBytes, randomUUID } from 'node:crypto';
import type { AgentEvent, AgentSessionState, ConfirmationRequest, ErrorCode } from '@myagent/models';
import { AGENT_EVENT_NAMES, AppError } from '@myagent/models';
import type { ActiveRun, Connection, Session } from './connection.js';
import type { ResolvedRuntimeOptions } from './options.js';
import { describeError, UnsendableEventError } from './outbound.js';
import type { AgentRunner } from './runner.js';
import { RunTrace } from './traces.js';

// Sessions and their runs: creation under max_sessions, idle expiry, one run at a time, cancel, the run
// timeout with its kill grace, confirmations, and the counters that GET /health reports.

const AGENT_EVENTS: ReadonlySet<string> = new Set(AGENT_EVENT_NAMES);

const freshState = (): AgentSessionState => ({ messages: [], current_step: 0, data: {} });

/** Why a run was stopped. */
export type StopReason = NonNullable<ActiveRun['stopReason']>;

/** Every session of a runtime, over all its connections. */
export class SessionHub {
  readonly sessions = new Map<string, Session>();
  /** `sessionMs` sums the lifetimes of the completed sessions; `runMs` those of the finished runs. */
  readonly counters = { sessions: 0, completed: 0, sessionMs: 0, runs: 0, errors: 0, runMs: 0, finished: 0 };
  activeRuns = 0;
  /** Runs waiting to start and the bytes of their messages (maxPendingRuns, maxPendingBytes). */
  readonly pending = { runs: 0, bytes: 0 };
  draining = false;
  /** Told when a session's turn starts and ends (the proxy control channel snapshots the state then). */
  onRunChange?: (session: Session, phase: 'turn_start' | 'turn_end', stopReason?: StopReason) => void;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly opts: ResolvedRuntimeOptions,
    private readonly runner: AgentRunner,
  ) {
    runner.onSessionLost = (sessionId, message) => this.lost(sessionId, message);
  }

  // The session's agent instance is gone with its worker: the next run rebuilds it from the session state.
  // The client hears of it once the run going on (if any) has ended, after that run's last event.
  private lost(sessionId: string, message: string): void {
    const session = this.sessions.get(sessionId);
    if (!session || session.closed) return;
    if (session.run) {
      session.lostNotice = message;
      return;
    }
    this.opts.logger.info('session rebuilt', { session_id: sessionId, reason: message });
    session.conn.send('system.notice', {
      session_id: sessionId,
      content: message,
      metadata: { reason: 'session_rebuilt' },
    });
  }

  systemError(conn: Connection, error: AppError, sessionId?: string): void {
    this.counters.errors++;
    conn.send('system.error', {
      session_id: sessionId,
      content: error.message,
      metadata: { code: error.code, details: error.details },
    });
  }

  agentError(conn: Connection, sessionId: string | undefined, code: ErrorCode, message: string): void {
    this.counters.errors++;
    conn.send('agent.error', { session_id: sessionId, content: message, metadata: { code } });
  }

  /** Creates a session on a connection, or answers why not (draining, MAX_SESSIONS, a failing factory). */
  async open(conn: Connection, requestedId?: string): Promise<Session | undefined> {
    const { maxSessions } = this.opts;
    if (this.draining) {
      this.agentError(conn, undefined, 'INSUFFICIENT_RESOURCES', 'The server is shutting down');
      return undefined;
    }
    if (maxSessions > 0 && this.sessions.size >= maxSessions) {
      this.agentError(conn, undefined, 'MAX_SESSIONS', `Session limit reached (max_sessions ${maxSessions})`);
      return undefined;
    }
    const perConnection = this.opts.maxSessionsPerConnection;
    if (perConnection > 0 && conn.sessions.size >= perConnection) {
      this.agentError(
        conn,
        undefined,
        'MAX_SESSIONS',
        `Session limit of this connection reached (maxSessionsPerConnection ${perConnection})`,
      );
      return undefined;
    }
    // A client may propose its own id (a proxy keeping affinity does); anything odd or taken gets a UUID.
    const usable = requestedId && /^[\w.:-]{1,128}$/.test(requestedId) && !this.sessions.has(requestedId);
    const id = usable ? requestedId : randomUUID();
    const session: Session = {
      id,
      conn,
      state: freshState(),
      createdAt: Date.now(),
      confirms: new Map(),
      closed: false,
    };
    // Counted before the await so that concurrent creates cannot overshoot max_sessions.
    this.sessions.set(id, session);
    conn.sessions.set(id, session);
    try {
      await this.runner.openSession(id);
    } catch (error) {
      this.sessions.delete(id);
      conn.sessions.delete(id);
      this.runner.closeSession(id);
      this.agentError(conn, undefined, 'AGENT_ERROR', `Could not create the agent: ${describeError(error)}`);
      return undefined;
    }
    if (session.closed || conn.ws.readyState !== conn.ws.OPEN) {
      this.release(session);
      return undefined;
    }
    this.counters.sessions++;
    session.openedAt = performance.now();
    this.armIdle(session);
    return session;
  }

  /** The connection's session, or SESSION_NOT_FOUND; any message to a session counts as activity. */
  find(conn: Connection, sessionId: string): Session | undefined {
    const session = conn.sessions.get(sessionId);
    if (!session) {
      const shown = sessionId.slice(0, 128);
      this.systemError(
        conn,
        new AppError('SESSION_NOT_FOUND', `Session '${shown}' not found on this connection`, {
          details: { session_id: shown },
        }),
        shown,
      );
      return undefined;
    }
    this.armIdle(session);
    return session;
  }

  private armIdle(session: Session): void {
    if (this.opts.sessionTimeoutMs <= 0) return;
    if (session.idleTimer) {
      session.idleTimer.refresh();
      return;
    }
    session.idleTimer = setTimeout(() => {
      if (session.closed) return;
      if (session.run) return this.armIdle(session);
      this.opts.logger.debug('session expired', { session_id: session.id });
      this.end(session, 'timeout', 'Session expired after inactivity');
    }, this.opts.sessionTimeoutMs).unref();
  }

  /** Ends a session with `agent.session_end` and releases it. */
  end(session: Session, reason: string, message: string): void {
    // A run still going on is cut off here: its stream ends before the session does.
    const run = session.run;
    if (run && !run.streamClosed) {
      this.closeStream(session, run);
      session.conn.send('agent.interrupted', {
        session_id: session.id,
        content: 'The run was stopped',
        metadata: { reason: run.stopReason === 'shutdown' ? 'shutdown' : reason },
      });
    }
    session.conn.send('agent.session_end', {
      session_id: session.id,
      content: message,
      metadata: { reason },
    });
    this.release(session);
  }

  /** Releases a session without telling the client (its socket is gone). */
  release(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    if (session.run) this.stopRun(session, 'closed');
    for (const confirm of session.confirms.values()) confirm.resolve(false);
    session.confirms.clear();
    clearTimeout(session.idleTimer);
    this.sessions.delete(session.id);
    session.conn.sessions.delete(session.id);
    this.runner.closeSession(session.id);
    // One that never finished opening was not counted in total_sessions either.
    if (session.openedAt !== undefined) {
      this.counters.completed++;
      this.counters.sessionMs += performance.now() - session.openedAt;
    }
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
          if (session.run === run && !run.stopReason) this.forward(session, run, event);
        },
        confirm: (request) => this.askConfirm(session, run, request),
        backpressure: () => (run.stopReason ? undefined : session.conn.whenWritable()),
        fail: (message) => {
          if (session.run === run) this.failRun(session, run, message);
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
    if (run.stopReason && !session.closed && !run.streamClosed) this.closeStream(session, run);
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

  // A stopped run's answer may be half sent: the closing partial answer ends it (no chunk is ever left
  // open, protocol.md), and nothing of the run goes out after it.
  private closeStream(session: Session, run: ActiveRun): void {
    run.streamClosed = true;
    if (!run.answerOpen) return;
    run.answerOpen = false;
    session.conn.send('agent.partial_answer', {
      session_id: session.id,
      content: '',
      metadata: { is_final: true, total_length: run.answerLength ?? 0, interrupted: true },
    });
  }

  // Everything here comes from the agent: an odd shape is dropped, an event that cannot be sent (not JSON,
  // too large, a throwing getter) fails the run with a coded agent.error instead of reaching the socket.
  private forward(session: Session, run: ActiveRun, event: AgentEvent): void {
    try {
      const name =
        typeof event?.event === 'string' && AGENT_EVENTS.has(event.event) ? event.event : undefined;
      if (!name) {
        this.opts.logger.warn('agent yielded an unknown event; dropped', {
          session_id: session.id,
          event: typeof event?.event === 'string' ? event.event.slice(0, 100) : typeof event?.event,
        });
        return;
      }
      const given = event.metadata;
      let metadata = typeof given === 'object' && given !== null && !Array.isArray(given) ? given : undefined;
      if (name === 'agent.error') {
        this.counters.errors++;
        metadata = { code: 'AGENT_ERROR', ...metadata };
      }
      session.conn.send(name, {
        session_id: session.id,
        step_id: typeof event.step_id === 'string' ? event.step_id : undefined,
        content: event.content,
        metadata,
      });
      if (name === 'agent.final_answer') run.answered = true;
      run.trace?.observe(name, event);
      if (name === 'agent.partial_answer') {
        const final = (metadata as { is_final?: unknown } | undefined)?.is_final === true;
        run.answerOpen = !final;
        if (final) run.answerLength = 0;
        else if (typeof event.content === 'string')
          run.answerLength = (run.answerLength ?? 0) + event.content.length;
      }
    } catch (error) {
      this.failRun(session, run, error);
    }
  }

  /** Stops a run the runtime cannot go on with; it ends with a coded agent.error. */
  private failRun(session: Session, run: ActiveRun, error: unknown): void {
    if (run.stopReason) return;
    const why =
      error instanceof UnsendableEventError || typeof error === 'string'
        ? String(error instanceof Error ? error.message : error)
        : `The agent yielded a bad event: ${describeError(error, 200)}`;
    this.opts.logger.warn('run failed on an agent event', { session_id: session.id, error: why });
    run.failure = why;
    this.stopRun(session, 'failed');
  }

  private askConfirm(session: Session, run: ActiveRun, request: ConfirmationRequest): Promise<boolean> {
    if (run.stopReason || session.closed) return Promise.resolve(false);
    let tool: string;
    let description: string;
    let args: Record<string, unknown>;
    try {
      tool = String(request?.tool_name ?? 'tool').slice(0, 128);
      description = String(request?.tool_description ?? '');
      args = request?.tool_args ?? {};
    } catch (error) {
      this.failRun(session, run, error);
      return Promise.resolve(false);
    }
    const stepId = `confirm_${randomBytes(4).toString('hex')}_${tool}`;
    return new Promise<boolean>((resolve) => {
      const ms = this.opts.confirmTimeoutMs;
      const timer = ms > 0 ? setTimeout(() => settle(false), ms).unref() : undefined;
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        session.confirms.delete(stepId);
        resolve(ok);
      };
      session.confirms.set(stepId, {
        resolve: settle,
        request: { tool_name: tool, tool_description: description, tool_args: args },
      });
      try {
        session.conn.send('agent.user_confirm', {
          session_id: session.id,
          step_id: stepId,
          content: `Confirm the call of tool '${tool}'`,
          metadata: {
            tool_name: tool,
            tool_description: description,
            tool_args: args,
            requires_confirmation: true,
          },
        });
      } catch (error) {
        settle(false);
        this.failRun(session, run, error);
      }
    });
  }
}
