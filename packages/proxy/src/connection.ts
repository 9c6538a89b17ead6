import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError, type RoutingStrategy } from '@myagent/models';
import { FrameReader } from './frame-reader.js';
import { type FrameSink, Mode } from './frame-sink.js';
import {
  closeFrame,
  type FrameFault,
  heldPayload,
  isSendableCloseCode,
  jsonFrame,
  mayMention,
  OP_TEXT,
  parseClose,
} from './frames.js';
import type { ResolvedProxyOptions } from './options.js';
import type { ManagementNotification, ProxyCandidate, ProxyConnectionInfo } from './types.js';
import type { UpstreamLeg } from './upstream.js';

// One client and its agent server: two frame readers, one per direction, that pass frames through
// unchanged and stop reading a side while the other does not drain. The proxy speaks only at message
// boundaries, so its own events never land inside a relayed message.

/** The prefixes (the agent server writes `event` first) of the upstream frames the proxy looks into. */
const PREFIX = {
  sessionControl: Buffer.from('{"event":"system.session_'),
  proxyControl: Buffer.from('{"event":"system.proxy_'),
  sessionCreated: Buffer.from('{"event":"agent.session_created"'),
  stateRestored: Buffer.from('{"event":"agent.state_restored"'),
  sessionEnd: Buffer.from('{"event":"agent.session_end"'),
};
const PREFIX_BYTES = Math.max(...Object.values(PREFIX).map((p) => p.length));
/** Session replies are small; control frames carry a signed state of up to 1 MiB; larger is not read. */
const MAX_CAPTURE_BYTES = 1024 * 1024 + 4096;
/** A client text message that cannot spell this (nor hold a `\u` escape) is no `proxy.*` message. */
const PROXY_WORD = Buffer.from('proxy.');

/** How the upstream leg ended, when the client did not ask for it. */
export type UpstreamEnd =
  /** The agent server sent a close frame (its raw bytes are `frame`). */
  | { kind: 'closed'; code: number; reason: string; frame: Buffer }
  /** The leg broke: handshake refused or timed out, TCP reset or end without a close frame, a protocol fault. */
  | { kind: 'lost'; error: AppError };

/** What the proxy hands a connection when it opens. */
export interface ConnectionSetup {
  id: string;
  client: Duplex;
  clientIp: string;
  clientPort: number | null;
  userAgent: string | null;
  service: ProxyCandidate;
  strategy: RoutingStrategy;
  upstreamUrl: URL;
  upstreamHeaders: Record<string, string>;
  proxyMetadata: boolean;
  options: ResolvedProxyOptions;
  /** The connection ended (the proxy forgets it and tells the close hook). */
  onEnded(connection: ProxyConnection): void;
  /** A session was learnt (for affinity). */
  onSession(connection: ProxyConnection, sessionId: string): void;
  /** The upstream handshake ended, either way (the proxy counts pending handshakes). */
  onHandshakeDone(): void;
}

/** Scratch space for unmasking client messages: one per process, used synchronously. */
const scratch = { buf: Buffer.allocUnsafe(64 * 1024) };

/** One proxied connection. */
export class ProxyConnection {
  readonly id: string;
  readonly connectedAt = Date.now();
  lastActivity = this.connectedAt;
  status: ProxyConnectionInfo['status'] = 'connecting';
  readonly sessions: string[] = [];
  service: ProxyCandidate;
  strategy: RoutingStrategy;
  bytesSent = 0;
  closeReason: string | undefined;
  /** Counters at the last `update` hook, to skip connections that did not move. */
  reported = -1;

  protected readonly setup: ConnectionSetup;
  protected readonly client: Duplex;
  protected upstream: Socket | null = null;
  private readonly fromClient: FrameReader;
  /** Replaced when failover opens a new leg. */
  protected fromUpstream: FrameReader;
  /** Client bytes waiting for the upstream leg to open (or, with `holdClient`, to be restored). */
  protected pendingUp: Buffer[] = [];
  protected pendingUpBytes = 0;
  /** Client bytes wait in `pendingUp` even with a leg open: a failover restores its sessions first. */
  protected holdClient = false;
  /** The client's text messages go to {@link clientText} (once the proxy keeps their sessions' state). */
  protected watchClient = false;
  /** Upstream messages counted by the readers of earlier legs. */
  protected carriedMessages = 0;
  /** The proxy's own frames waiting for a message boundary of the stream they join. */
  private queuedToClient: Buffer[] = [];
  private queuedToUpstream: Buffer[] = [];
  protected readonly abort = new AbortController();
  /** The client sent a close frame / the proxy sent one to the client / to the upstream. */
  private clientClosed = false;
  protected closingClient = false;
  protected closingUpstream = false;
  protected ended = false;
  private clientTimer: NodeJS.Timeout | undefined;
  protected upstreamTimer: NodeJS.Timeout | undefined;

  constructor(setup: ConnectionSetup) {
    this.setup = setup;
    this.id = setup.id;
    this.client = setup.client;
    this.service = setup.service;
    this.strategy = setup.strategy;
    const limits = setup.options;
    const clientSink: FrameSink = {
      pass: (bytes) => this.toUpstream(bytes),
      classify: (opcode) => (opcode === OP_TEXT ? Mode.Hold : Mode.Pass),
      inspect: (buf, start, length, maskOffset) => this.clientPassesUnread(buf, start, length, maskOffset),
      held: (frames) => this.clientMessage(frames),
      captured: () => {},
      close: (frame, payload) => this.clientClose(frame, payload),
      fault: (fault) => this.clientFault(fault),
      boundary: () => this.flushQueued('upstream'),
    };
    this.fromClient = new FrameReader(clientSink, {
      masked: true,
      prefixBytes: 0,
      maxMessageBytes: limits.maxMessageBytes,
      maxCaptureBytes: 0,
    });
    this.fromUpstream = this.upstreamReader();
    const client = this.client;
    client.on('data', (chunk: Buffer) => {
      this.lastActivity = Date.now();
      this.fromClient.feed(chunk);
    });
    client.on('drain', () => this.upstream?.resume());
    client.on('error', () => client.destroy());
    client.on('close', () => this.clientGone());
  }

  /** A reader of the agent server's frames, for the first leg and each one a failover opens. */
  protected upstreamReader(): FrameReader {
    const upstreamSink: FrameSink = {
      pass: (bytes) => this.toClient(bytes),
      classify: (opcode, buf, start, length) => classifyUpstream(opcode, buf, start, length),
      held: () => {},
      captured: (payload, dropped) => this.upstreamCaptured(payload, dropped),
      close: (frame, payload) => this.upstreamClose(frame, payload),
      fault: (fault) =>
        this.upstreamEnded({
          kind: 'lost',
          error: new AppError('UPSTREAM_LOST', `The agent server broke the protocol: ${fault.reason}`),
        }),
      boundary: () => this.flushQueued('client'),
    };
    return new FrameReader(upstreamSink, {
      masked: false,
      prefixBytes: PREFIX_BYTES,
      maxMessageBytes: Number.MAX_SAFE_INTEGER,
      // Control frames carry a session's signed state (bounded by the agent server at 1 MiB).
      maxCaptureBytes: MAX_CAPTURE_BYTES,
    });
  }

  /** Starts reading the client (with the bytes that came with its upgrade) and opens the upstream leg. */
  start(head: Buffer): void {
    if (head.length > 0) this.fromClient.feed(head);
    this.openUpstream();
  }

  // ---- the upstream leg ----------------------------------------------------------------------------------

  private openUpstream(): void {
    const { options } = this.setup;
    const connect = options.connectUpstream as NonNullable<typeof options.connectUpstream>;
    connect({
      url: this.setup.upstreamUrl,
      headers: this.setup.upstreamHeaders,
      timeoutMs: options.connectTimeoutMs,
      signal: this.abort.signal,
    }).then(
      (leg) => {
        this.setup.onHandshakeDone();
        this.attachUpstream(leg);
      },
      (error: unknown) => {
        this.setup.onHandshakeDone();
        if (this.ended || this.closingClient) return;
        this.upstreamEnded({ kind: 'lost', error: AppError.from(error, 'UPSTREAM_LOST') });
      },
    );
  }

  /** Makes `socket` the upstream leg and starts reading it; client bytes flow unless `holdClient`. */
  protected attachUpstream({ socket, head }: UpstreamLeg): void {
    if (this.ended || this.closingClient) {
      socket.destroy();
      return;
    }
    this.upstream = socket;
    this.status = 'active';
    socket.on('data', (chunk: Buffer) => {
      this.lastActivity = Date.now();
      if (socket === this.upstream) this.fromUpstream.feed(chunk);
    });
    socket.on('drain', () => this.client.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.upstreamGone(socket));
    if (!this.holdClient) this.releaseClient();
    if (head.length > 0) this.fromUpstream.feed(head);
  }

  /** Sends the client bytes that waited for the leg, and reads the client again. */
  protected releaseClient(): void {
    this.holdClient = false;
    const pending = this.pendingUp;
    this.pendingUp = [];
    this.pendingUpBytes = 0;
    for (const bytes of pending) this.toUpstream(bytes);
    this.client.resume();
  }

  private upstreamGone(socket: Socket): void {
    if (socket !== this.upstream) return;
    clearTimeout(this.upstreamTimer);
    this.upstream = null;
    if (this.ended) return;
    if (this.closingClient || this.clientClosed) {
      // The close handshake is over on this side; the client's side ends with its own reply or timer.
      if (this.clientClosed && !this.closingClient) this.endClient();
      return;
    }
    this.upstreamEnded({
      kind: 'lost',
      error: new AppError('UPSTREAM_LOST', 'The connection to the agent server was lost'),
    });
  }

  /**
   * THE place where the upstream leg ends without the client having asked (failover builds here): a close
   * frame the agent server sent on its own, or a leg that broke (handshake refused or timed out, reset,
   * EOF without a close frame, a protocol fault). Today a clean close goes to the client as it came, and a
   * lost leg ends the client with `error` {UPSTREAM_LOST, recoverable: false} and close 1011.
   */
  protected upstreamEnded(end: UpstreamEnd): void {
    if (this.ended || this.closingClient) return;
    if (end.kind === 'closed') {
      // The client answers through the relay; the leg then ends and so does the client's socket.
      this.closingUpstream = true;
      this.fromUpstream.stop();
      this.writeClientFrame(end.frame);
      this.closeReason = end.reason || `closed by the agent server (${end.code})`;
      this.armClientTimer();
      this.upstreamClosedFirst = true;
      return;
    }
    const code = end.error.code === 'UPSTREAM_TIMEOUT' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_LOST';
    this.status = 'error';
    this.sendEvent('error', { code, message: end.error.message, recoverable: false });
    this.close(1011, code === 'UPSTREAM_TIMEOUT' ? 'Agent server timed out' : 'Agent server lost');
  }

  /** Set when the agent server closed first: the client's close reply then goes up and ends the leg. */
  protected upstreamClosedFirst = false;

  /**
   * The hot path: may this whole client text frame (payload `buf[start, start + length)`, still masked with
   * the key at `maskOffset`) go on as it came, unread? Yes unless it could name `proxy.*` or the metadata
   * envelope is on. Whatever this refuses reaches {@link clientMessage} unmasked; an extension that must read
   * more client messages (failover watching `user.message`) refuses those here too, with {@link mayMention}:
   * a message passed here is never seen again.
   */
  protected clientPassesUnread(buf: Buffer, start: number, length: number, maskOffset: number): boolean {
    return !this.setup.proxyMetadata && !mayMention(buf, start, length, maskOffset, PROXY_WORD);
  }

  /**
   * A frame the agent server meant for the proxy (`system.session_*`, `system.proxy_*`), never relayed:
   * the failover extension reads the sessions' signed state here. Today nothing is kept.
   */
  protected upstreamControl(_payload: Buffer | null): void {}

  private upstreamCaptured(payload: Buffer | null, dropped: boolean): void {
    if (dropped) {
      this.upstreamControl(payload);
      return;
    }
    if (payload === null) return;
    let event: { event?: unknown; session_id?: unknown };
    try {
      event = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const sessionId = typeof event.session_id === 'string' ? event.session_id : undefined;
    if (sessionId === undefined) return;
    if (event.event === 'agent.session_end') {
      const at = this.sessions.indexOf(sessionId);
      if (at >= 0) this.sessions.splice(at, 1);
      this.sessionEnded(sessionId);
      return;
    }
    if (!this.sessions.includes(sessionId)) {
      this.sessions.push(sessionId);
      this.setup.onSession(this, sessionId);
    }
  }

  /** A session ended on the agent server (failover forgets its state here). */
  protected sessionEnded(_sessionId: string): void {}

  /** A client text message about to go up, unmasked in `buf[0, length)` (only while `watchClient`). */
  protected clientText(_buf: Buffer, _length: number): void {}

  private upstreamClose(frame: Buffer, payload: Buffer): void {
    if (this.closingUpstream && !this.upstreamClosedFirst) {
      // The reply to the proxy's own close: the leg is done.
      this.upstream?.end();
      return;
    }
    if (this.clientClosed) {
      // The agent server's reply to the client's close: relay it, then end the client's socket.
      this.writeClientFrame(frame);
      this.upstream?.end();
      this.endClient();
      return;
    }
    const { code, reason } = parseClose(payload);
    this.upstreamEnded({ kind: 'closed', code, reason, frame });
  }

  // ---- the client side -----------------------------------------------------------------------------------

  private clientMessage(frames: Buffer[]): void {
    if (this.closingClient) return;
    const { buf, length } = heldPayload(frames, scratch);
    const suspicious = mayMention(buf, 0, length, -1, PROXY_WORD);
    let parsed: unknown;
    let parsedOk = false;
    if (suspicious || this.setup.proxyMetadata) {
      try {
        parsed = JSON.parse(buf.toString('utf8', 0, length));
        parsedOk = true;
      } catch {
        // Not JSON: the agent server answers it with INVALID_JSON, as it would without the proxy.
      }
    }
    if (parsedOk && isProxyMessage(parsed)) {
      this.sendEvent('error', {
        code: 'FORBIDDEN',
        message: 'proxy.* messages are reserved for the manager',
        recoverable: true,
      });
      return;
    }
    if (this.watchClient) this.clientText(buf, length);
    if (this.setup.proxyMetadata && parsedOk) {
      this.toUpstream(
        jsonFrame(
          {
            proxy_metadata: {
              connection_id: this.id,
              target_service: this.service.name,
              routing_strategy: this.strategy,
              timestamp: new Date().toISOString(),
            },
            original_message: parsed,
          },
          true,
        ),
      );
      return;
    }
    for (const frame of frames) this.toUpstream(frame);
  }

  private clientClose(frame: Buffer, payload: Buffer): void {
    if (this.closingClient) {
      // The reply to the proxy's close.
      this.endClient();
      return;
    }
    if (this.upstreamClosedFirst) {
      // The client answers the agent server's close.
      this.clientClosed = true;
      if (this.upstream) this.upstream.write(frame);
      this.endClient();
      return;
    }
    this.clientClosed = true;
    const { code, reason } = parseClose(payload);
    this.closeReason = reason || `closed by the client (${code})`;
    this.status = 'disconnected';
    if (this.upstream && !this.fromClient.midMessage) {
      this.upstream.write(frame);
      this.armUpstreamTimer();
      this.armClientTimer();
      return;
    }
    // No upstream yet (or it cannot take a frame now): the proxy answers the close itself.
    this.abort.abort();
    this.upstream?.destroy();
    this.writeClientFrame(closeFrame(isSendableCloseCode(code) ? code : 1000, '', false));
    this.endClient();
  }

  private clientFault(fault: FrameFault): void {
    this.status = 'error';
    this.close(fault.code, fault.reason);
  }

  private clientGone(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.clientTimer);
    this.abort.abort();
    this.fromClient.stop();
    this.fromUpstream.stop();
    const upstream = this.upstream;
    if (upstream && !upstream.destroyed) {
      if (!this.closingUpstream && !this.clientClosed && !this.fromClient.midMessage) {
        upstream.end(closeFrame(1001, 'Client went away', true));
        setTimeout(() => upstream.destroy(), this.setup.options.closeTimeoutMs).unref();
      } else if (!this.clientClosed) upstream.destroy();
      else setTimeout(() => upstream.destroy(), this.setup.options.closeTimeoutMs).unref();
    }
    if (this.status !== 'error') this.status = 'disconnected';
    this.closeReason ??= 'client went away';
    this.setup.onEnded(this);
  }

  // ---- writing -------------------------------------------------------------------------------------------

  private toUpstream(bytes: Buffer): void {
    if (this.closingClient || this.ended) return;
    const upstream = this.upstream;
    if (upstream === null || this.holdClient) {
      this.pendingUp.push(bytes);
      this.pendingUpBytes += bytes.length;
      if (this.pendingUpBytes > this.setup.options.maxBufferedBytes) this.client.pause();
      return;
    }
    if (!upstream.write(bytes) || upstream.writableLength > this.setup.options.maxBufferedBytes)
      this.client.pause();
  }

  private toClient(bytes: Buffer): void {
    if (this.ended) return;
    this.bytesSent += bytes.length;
    if (!this.client.write(bytes) || this.client.writableLength > this.setup.options.maxBufferedBytes)
      this.upstream?.pause();
  }

  /** A frame of the proxy's own to the client, at the next message boundary of the relayed stream. */
  protected writeClientFrame(frame: Buffer): void {
    if (this.ended) return;
    if (this.fromUpstream.midMessage && this.upstream !== null && !this.closingUpstream) {
      this.queuedToClient.push(frame);
      this.fromUpstream.wantBoundary = true;
      return;
    }
    this.toClient(frame);
  }

  private flushQueued(to: 'client' | 'upstream'): void {
    if (to === 'client') {
      const frames = this.queuedToClient;
      this.queuedToClient = [];
      for (const frame of frames) this.toClient(frame);
    } else {
      const frames = this.queuedToUpstream;
      this.queuedToUpstream = [];
      for (const frame of frames) this.toUpstream(frame);
    }
  }

  /** Sends a proxy event (`connection_routed`, `management_notification`, `error`, ...) to the client. */
  sendEvent(event: string, data: Record<string, unknown>): void {
    if (this.closingClient || this.ended) return;
    this.writeClientFrame(jsonFrame({ event, data, timestamp: new Date().toISOString() }, false));
  }

  /** Sends a `management_notification`. */
  notify(notification: ManagementNotification): void {
    this.sendEvent('management_notification', { ...notification });
  }

  /**
   * Ends the connection from the proxy's side: a close frame with `code` and `reason` to the client (after
   * whatever is queued for it) and a going-away close to the agent server.
   */
  close(code: number, reason: string): void {
    if (this.ended || this.closingClient) return;
    this.closeReason ??= reason;
    this.flushQueued('client');
    this.closingClient = true;
    this.abort.abort();
    this.fromUpstream.stop();
    const upstream = this.upstream;
    if (upstream && !this.closingUpstream) {
      this.closingUpstream = true;
      if (this.fromClient.midMessage) upstream.destroy();
      else {
        upstream.end(closeFrame(1001, 'Client connection closed by the manager', true));
        this.armUpstreamTimer();
      }
    }
    if (this.fromUpstream.midMessage && upstream !== null) {
      // A relayed frame was cut off half way: no close frame can follow it on this stream.
      this.client.destroy();
      return;
    }
    this.toClientRaw(closeFrame(isSendableCloseCode(code) ? code : 1011, reason, false));
    this.armClientTimer();
  }

  private toClientRaw(frame: Buffer): void {
    if (this.ended) return;
    this.bytesSent += frame.length;
    this.client.write(frame);
  }

  private endClient(): void {
    clearTimeout(this.clientTimer);
    const client = this.client as Socket;
    client.end();
    this.armClientTimer();
  }

  private armClientTimer(): void {
    clearTimeout(this.clientTimer);
    this.clientTimer = setTimeout(() => this.client.destroy(), this.setup.options.closeTimeoutMs);
    this.clientTimer.unref();
  }

  private armUpstreamTimer(): void {
    clearTimeout(this.upstreamTimer);
    const upstream = this.upstream;
    this.upstreamTimer = setTimeout(() => upstream?.destroy(), this.setup.options.closeTimeoutMs);
    this.upstreamTimer.unref();
  }

  /** Drops both sockets at once (proxy shutdown). */
  destroy(): void {
    this.upstream?.destroy();
    this.client.destroy();
  }

  // ---- reporting ------------------------------------------------------------------------------------------

  /** Bytes queued for both peers (client and agent server) that they have not read yet. */
  get bufferedBytes(): number {
    return (
      (this.client as Socket).writableLength + (this.upstream?.writableLength ?? 0) + this.pendingUpBytes
    );
  }

  /** A number that moves whenever a counter does. */
  get activity(): number {
    return this.fromClient.bytes + this.bytesSent;
  }

  info(): ProxyConnectionInfo {
    const ended = this.ended;
    return {
      connection_id: this.id,
      session_ids: [...this.sessions],
      client_ip: this.setup.clientIp,
      client_port: this.setup.clientPort,
      user_agent: this.setup.userAgent,
      target_service_id: this.service.service_id,
      target_service: this.service.name,
      status: this.status,
      connected_at: new Date(this.connectedAt).toISOString(),
      last_activity: new Date(this.lastActivity).toISOString(),
      disconnected_at: ended ? new Date().toISOString() : null,
      bytes_sent: this.bytesSent,
      bytes_received: this.fromClient.bytes,
      message_count: this.fromClient.messages + this.fromUpstream.messages + this.carriedMessages,
      routing_strategy: this.strategy,
      ...(this.closeReason !== undefined && { close_reason: this.closeReason }),
    };
  }
}

/** A parsed client message whose `event` or `type` is the proxy's own. */
function isProxyMessage(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { event, type } = value as { event?: unknown; type?: unknown };
  return (
    (typeof event === 'string' && event.startsWith('proxy.')) ||
    (typeof type === 'string' && type.startsWith('proxy.'))
  );
}

function startsWith(buf: Buffer, start: number, length: number, prefix: Buffer): boolean {
  return length >= prefix.length && buf.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/** Which upstream messages the proxy reads or drops, by their first bytes. */
function classifyUpstream(opcode: number, buf: Buffer, start: number, length: number): Mode {
  // 0x7b is '{': every JSON event starts so, and almost every frame is decided by this one byte.
  if (opcode !== OP_TEXT || length < 20 || buf[start] !== 0x7b || buf[start + 10] === undefined)
    return Mode.Pass;
  // `{"event":"` then the name: `s` for system.*, `a` for agent.*.
  const first = buf[start + 10];
  if (first === 0x73) {
    if (
      startsWith(buf, start, length, PREFIX.sessionControl) ||
      startsWith(buf, start, length, PREFIX.proxyControl)
    )
      return Mode.DropCapture;
    return Mode.Pass;
  }
  // `agent.` then `s` for the three read here (session_created, state_restored, session_end): a streamed
  // token or any other agent event is told apart by one more byte, before any compare.
  if (first === 0x61 && buf[start + 16] === 0x73) {
    if (
      startsWith(buf, start, length, PREFIX.sessionCreated) ||
      startsWith(buf, start, length, PREFIX.stateRestored) ||
      startsWith(buf, start, length, PREFIX.sessionEnd)
    )
      return Mode.Capture;
  }
  return Mode.Pass;
}
