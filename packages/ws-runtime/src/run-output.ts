// What a run's agent emits on its way to the client: odd events dropped, unsendable ones failing the run,
// the answer stream closed when a run stops, and tool confirmations asked of the client.
import { randomBytes } from 'node:crypto';
import type { AgentEvent, ConfirmationRequest } from '@myagent/models';
import { AGENT_EVENT_NAMES } from '@myagent/models';
import type { ActiveRun, Session } from './connection.js';
import type { ResolvedRuntimeOptions } from './options.js';
import { describeError, UnsendableEventError } from './outbound.js';

const AGENT_EVENTS: ReadonlySet<string> = new Set(AGENT_EVENT_NAMES);

/** The client's side of a session's runs, for SessionHub (sessions.ts). */
export class RunOutput {
  constructor(
    private readonly opts: ResolvedRuntimeOptions,
    /** The hub's counters: an agent.error counts as an error. */
    private readonly counters: { errors: number },
    /** Stops a run the runtime cannot go on with (the hub's stopRun). */
    private readonly stopRun: (session: Session, reason: 'failed') => void,
  ) {}

  // A stopped run's answer may be half sent: the closing partial answer ends it (no chunk is ever left
  // open, protocol.md), and nothing of the run goes out after it.
  closeStream(session: Session, run: ActiveRun): void {
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
  forward(session: Session, run: ActiveRun, event: AgentEvent): void {
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
  failRun(session: Session, run: ActiveRun, error: unknown): void {
    if (run.stopReason) return;
    const why =
      error instanceof UnsendableEventError || typeof error === 'string'
        ? String(error instanceof Error ? error.message : error)
        : `The agent yielded a bad event: ${describeError(error, 200)}`;
    this.opts.logger.warn('run failed on an agent event', { session_id: session.id, error: why });
    run.failure = why;
    this.stopRun(session, 'failed');
  }

  askConfirm(session: Session, run: ActiveRun, request: ConfirmationRequest): Promise<boolean> {
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
