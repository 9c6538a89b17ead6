import { randomUUID } from 'node:crypto';
import type { AgentSessionState } from '@myagent/models';
import { AppError } from '@myagent/models';
import type { Connection, Session } from './connection.js';
import type { ResolvedRuntimeOptions } from './options.js';
import { describeError } from './outbound.js';
import type { AgentRunner } from './runner.js';
import { SessionRuns } from './session-runs.js';

// Sessions: creation under max_sessions, idle expiry, ending and release, and the notice of a session whose
// agent instance was lost; their runs are SessionRuns' (session-runs.ts).

const freshState = (): AgentSessionState => ({ messages: [], current_step: 0, data: {} });

/** Every session of a runtime, over all its connections. */
export class SessionHub extends SessionRuns {
  readonly sessions = new Map<string, Session>();

  constructor(opts: ResolvedRuntimeOptions, runner: AgentRunner) {
    super(opts, runner);
    runner.onSessionLost = (sessionId, message) => this.lost(sessionId, message);
  }

  // The session's agent instance is gone with its worker: the next run rebuilds it from the session state.
  // The client hears of it once the run going on (if any) has ended, after that run's last event.
  protected override lost(sessionId: string, message: string): void {
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

  protected override armIdle(session: Session): void {
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
      this.output.closeStream(session, run);
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
}
