import { randomUUID } from 'node:crypto';
import type { AgentSessionState } from '@myagent/models';
import { isoNow } from '@myagent/models';
import { encodeEvent } from './outbound.js';
import type { RuntimeSocket } from './socket.js';
import type { RunTrace } from './traces.js';

// Per-connection bookkeeping: outbound stamping (seq, event_id, connection_id), the replay buffer, and the
// sessions that belong to the connection.

// The size of each kept event as it was sent, for the byte bounds of the replay buffers.
const sentBytes = new WeakMap<SentEvent, number>();
const bytesOf = (event: SentEvent) => sentBytes.get(event) ?? 0;

/** The bounds a connection keeps to (see limits.ts). */
export interface ConnectionLimits {
  replayBufferSize: number;
  replayBufferBytes: number;
  maxEventBytes: number;
  maxBufferedBytes: number;
}

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
  /** Bytes of its message while it waits to start (counted in maxPendingBytes); undefined once started. */
  pendingBytes?: number;
  /** An answer is streaming: partial answers went out and their closing `is_final` one did not yet. */
  answerOpen?: boolean;
  /** Characters of the partial answers sent, for the closing partial's `total_length`. */
  answerLength?: number;
  /** The stream of a stopped run was closed (closing partial, end event): nothing more goes out for it. */
  streamClosed?: boolean;
  /** Its final answer went out: the client may already send the next message (it waits in `next`). */
  answered?: boolean;
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
  /** Its agent instance was lost during the run going on: told once the run ended. */
  lostNotice?: string;
  /** A message that came after the run's final answer, before the run ended: it runs next. */
  next?: string;
}

/** One client connection. */
export class Connection {
  readonly id = randomUUID();
  seq = 0;
  /** Replayable (session) events, oldest first, within `replayBufferSize` and `replayBufferBytes`. */
  buffer: SentEvent[] = [];
  /** Bytes of the events in `buffer`. */
  bufferBytes = 0;
  readonly sessions = new Map<string, Session>();
  missedPings = 0;
  /** True once the client has sent anything: until then the server sends nothing (protocol.md). */
  spoke = false;
  private corked = false;

  private drained?: Promise<void>;
  private readonly bufferSize: number;
  private readonly bufferMaxBytes: number;
  private readonly maxEventBytes: number;
  private readonly maxBufferedBytes: number;

  constructor(
    readonly ws: RuntimeSocket,
    limits: ConnectionLimits,
  ) {
    this.bufferSize = limits.replayBufferSize > 0 ? limits.replayBufferSize : Number.POSITIVE_INFINITY;
    this.bufferMaxBytes = limits.replayBufferBytes > 0 ? limits.replayBufferBytes : Number.POSITIVE_INFINITY;
    this.maxEventBytes = limits.maxEventBytes;
    this.maxBufferedBytes = limits.maxBufferedBytes > 0 ? limits.maxBufferedBytes : Number.POSITIVE_INFINITY;
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
    if (out.session_id !== undefined) this.keep(out, text.length);
    if (this.ws.readyState === this.ws.OPEN) {
      // A peer that stops reading would otherwise make the server buffer without end.
      if (this.ws.bufferedAmount > this.maxBufferedBytes) {
        this.ws.terminate();
        return out;
      }
      this.cork();
      this.ws.send(text);
    }
    return out;
  }

  // The UTF-16 length stands in for the bytes: exact for the ASCII that JSON mostly is, and it is what the
  // kept strings cost. Pruned in batches (count) so a full buffer costs an occasional splice, not a shift
  // per event; the byte bound is kept exactly.
  private keep(event: SentEvent, bytes: number): void {
    sentBytes.set(event, bytes);
    this.buffer.push(event);
    this.bufferBytes += bytes;
    if (this.buffer.length <= this.bufferSize + 64 && this.bufferBytes <= this.bufferMaxBytes) return;
    let drop = Math.max(0, this.buffer.length - this.bufferSize);
    let bytesLeft = this.bufferBytes;
    for (let i = 0; i < drop; i++) bytesLeft -= bytesOf(this.buffer[i] as SentEvent);
    while (drop < this.buffer.length && bytesLeft > this.bufferMaxBytes) {
      bytesLeft -= bytesOf(this.buffer[drop] as SentEvent);
      drop++;
    }
    this.buffer.splice(0, drop);
    this.bufferBytes = bytesLeft;
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

  /**
   * Back-pressure: a promise to wait on before producing more for this connection when its socket has more
   * than 1 MiB (or a quarter of maxBufferedBytes) queued; undefined when it may go on. Runs wait on it, so a
   * flood of events costs the run time, not the connection or the server's memory.
   */
  whenWritable(): Promise<void> | undefined {
    const high = Math.min(1024 * 1024, this.maxBufferedBytes / 4);
    if (this.ws.readyState !== this.ws.OPEN || this.ws.bufferedAmount <= high) return undefined;
    this.drained ??= new Promise<void>((resolve) => {
      const check = () => {
        if (this.ws.readyState !== this.ws.OPEN || this.ws.bufferedAmount <= high / 4) {
          this.drained = undefined;
          resolve();
        } else setTimeout(check, 5);
      };
      setTimeout(check, 5);
    });
    return this.drained;
  }

  /** Drops acknowledged events (`user.ack`). */
  ack(lastSeq: number): number {
    const before = this.buffer.length;
    let keep = 0;
    while (keep < this.buffer.length && (this.buffer[keep] as SentEvent).seq <= lastSeq) {
      this.bufferBytes -= bytesOf(this.buffer[keep] as SentEvent);
      keep++;
    }
    if (keep > 0) this.buffer.splice(0, keep);
    return before - this.buffer.length;
  }

  /** The buffered events of one session, oldest first. */
  eventsOf(sessionId: string): SentEvent[] {
    const events = this.buffer.filter((item) => item.session_id === sessionId);
    return events.length > this.bufferSize ? events.slice(-this.bufferSize) : events;
  }

  /** Forgets every buffered event (the connection closed). */
  clear(): void {
    this.buffer = [];
    this.bufferBytes = 0;
  }
}

/**
 * Keeps the buffered events of sessions whose connection went away, so that a client reconnecting with
 * `user.reconnect_with_state` still gets them replayed. Bounded by sessions, bytes (the oldest sessions'
 * events go first) and age.
 */
export class RetiredEvents {
  private readonly entries = new Map<string, { at: number; events: SentEvent[]; bytes: number }>();
  /** Bytes of every kept event. */
  bytes = 0;

  constructor(
    private readonly maxSessions = 10_000,
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly ttlMs = 15 * 60 * 1000,
  ) {}

  keep(sessionId: string, events: SentEvent[]): void {
    if (events.length === 0 || this.maxSessions === 0) return;
    this.drop(sessionId);
    let bytes = 0;
    for (const event of events) bytes += bytesOf(event);
    // A session's own events over the whole bound: keep its newest that fit.
    if (this.maxBytes > 0 && bytes > this.maxBytes) {
      let from = 0;
      while (from < events.length && bytes > this.maxBytes) bytes -= bytesOf(events[from++] as SentEvent);
      events = events.slice(from);
      if (events.length === 0) return;
    }
    this.entries.set(sessionId, { at: Date.now(), events, bytes });
    this.bytes += bytes;
    while (
      this.entries.size > (this.maxSessions || Number.POSITIVE_INFINITY) ||
      (this.maxBytes > 0 && this.bytes > this.maxBytes)
    ) {
      this.drop(this.entries.keys().next().value as string);
    }
  }

  take(sessionId: string): SentEvent[] {
    const entry = this.entries.get(sessionId);
    if (!entry) return [];
    this.drop(sessionId);
    return Date.now() - entry.at > this.ttlMs ? [] : entry.events;
  }

  private drop(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    this.bytes -= entry.bytes;
  }
}
