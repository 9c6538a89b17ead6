import { randomUUID } from 'node:crypto';
import type { AgentSessionState } from '@myagent/models';
import { isoNow } from '@myagent/models';
import { encodeEvent } from './outbound.js';
import type { RuntimeSocket } from './socket.js';
import type { RunTrace } from './traces.js';

// Per-connection bookkeeping: outbound stamping (seq, event_id, connection_id), the replay buffer, and the
// sessions that belong to the connection.

/** Outbound bytes a connection may have queued before it is dropped as a peer that stopped reading. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** The fields an outbound event may carry besides its name. */
export interface OutboundFields {
  session_id?: string;
  step_id?: string;
  content?: unknown;
  metadata?: Record<string, unknown>;
}

/** An outbound event as sent, kept in the replay buffer. */
export interface SentEvent extends OutboundFields {
  event: string;
  timestamp: string;
  connection_id: string;
  seq: number;
  event_id: string;
  metadata: Record<string, unknown>;
}

/** A pending `agent.user_confirm`. */
export interface PendingConfirm {
  resolve(ok: boolean): void;
  request: { tool_name: string; tool_description: string; tool_args: Record<string, unknown> };
}

/** One agent run in progress. */
export interface ActiveRun {
  controller: AbortController;
  kill: AbortController;
  startedAt: number;
  /** Why the run was stopped, once it was. */
  stopReason?: 'cancel' | 'timeout' | 'shutdown' | 'closed' | 'failed';
  /** Why the runtime gave up on the run itself (stopReason `failed`), as the client is told. */
  failure?: string;
  timer?: NodeJS.Timeout;
  graceTimer?: NodeJS.Timeout;
  /** The run's trace, when the runtime derives traces. */
  trace?: RunTrace;
}

/** A session: runtime-owned state, one run at a time, pending confirmations. */
export interface Session {
  id: string;
  conn: Connection;
  state: AgentSessionState;
  createdAt: number;
  /** performance.now() when the session was counted open: avg_session_duration measures from here. */
  openedAt?: number;
  run?: ActiveRun;
  confirms: Map<string, PendingConfirm>;
  idleTimer?: NodeJS.Timeout;
  closed: boolean;
}

/** One client connection. */
export class Connection {
  readonly id = randomUUID();
  seq = 0;
  /** Replayable (session) events, oldest first, at most `bufferSize` of them. */
  buffer: SentEvent[] = [];
  readonly sessions = new Map<string, Session>();
  missedPings = 0;
  /** True once the client has sent anything: until then the server sends nothing (protocol.md). */
  spoke = false;
  private corked = false;

  private readonly bufferSize: number;
  private readonly maxEventBytes: number;

  constructor(
    readonly ws: RuntimeSocket,
    limits: { replayBufferSize: number; maxEventBytes: number },
  ) {
    this.bufferSize = limits.replayBufferSize;
    this.maxEventBytes = limits.maxEventBytes;
  }

  /**
   * Stamps and sends an event; session events are also kept for replay. Throws UnsendableEventError (and
   * sends, keeps and counts nothing) when the fields cannot go on the wire as JSON.
   */
  send(event: string, fields: OutboundFields = {}): SentEvent {
    const seq = this.seq + 1;
    const out: SentEvent = {
      event,
      timestamp: isoNow(),
      session_id: fields.session_id,
      connection_id: this.id,
      step_id: fields.step_id,
      content: fields.content,
      metadata: { ...fields.metadata, connection_id: this.id },
      seq,
      event_id: `${this.id}-${seq}`,
    };
    const text = encodeEvent(out, this.maxEventBytes);
    this.seq = seq;
    if (out.session_id !== undefined) {
      this.buffer.push(out);
      // Pruned in batches so a full buffer costs an occasional splice, not a shift per event.
      if (this.buffer.length > this.bufferSize + 64)
        this.buffer.splice(0, this.buffer.length - this.bufferSize);
    }
    if (this.ws.readyState === this.ws.OPEN) {
      // A peer that stops reading would otherwise make the server buffer without end.
      if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.ws.terminate();
        return out;
      }
      this.cork();
      this.ws.send(text);
    }
    return out;
  }

  // A run yields its events over several microtasks; corking the socket until the loop's check phase sends
  // them in one write instead of one syscall per frame.
  private cork(): void {
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (this.corked || !socket) return;
    this.corked = true;
    socket.cork();
    setImmediate(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  /** Drops acknowledged events (`user.ack`). */
  ack(lastSeq: number): number {
    const before = this.buffer.length;
    let keep = 0;
    while (keep < this.buffer.length && (this.buffer[keep] as SentEvent).seq <= lastSeq) keep++;
    if (keep > 0) this.buffer.splice(0, keep);
    return before - this.buffer.length;
  }

  /** The buffered events of one session, oldest first. */
  eventsOf(sessionId: string): SentEvent[] {
    const events = this.buffer.filter((item) => item.session_id === sessionId);
    return events.length > this.bufferSize ? events.slice(-this.bufferSize) : events;
  }
}

/**
 * Keeps the buffered events of sessions whose connection went away, so that a client reconnecting with
 * `user.reconnect_with_state` still gets them replayed. Bounded by count and age.
 */
export class RetiredEvents {
  private readonly entries = new Map<string, { at: number; events: SentEvent[] }>();

  constructor(
    private readonly maxSessions = 10_000,
    private readonly ttlMs = 15 * 60 * 1000,
  ) {}

  keep(sessionId: string, events: SentEvent[]): void {
    if (events.length === 0) return;
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { at: Date.now(), events });
    while (this.entries.size > this.maxSessions) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  take(sessionId: string): SentEvent[] {
    const entry = this.entries.get(sessionId);
    if (!entry) return [];
    this.entries.delete(sessionId);
    return Date.now() - entry.at > this.ttlMs ? [] : entry.events;
  }
}
