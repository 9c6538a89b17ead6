import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError, type RoutingStrategy } from '@myagent/models';
import { FrameReader } from './frame-reader.js';
import { type FrameSink, Mode } from './frame-sink.js';
import { type FrameFault, jsonFrame, OP_TEXT } from './frames.js';
import type { ResolvedProxyOptions } from './options.js';
import type { ProxyCandidate, ProxyConnectionInfo } from './types.js';
import { classifyUpstream, MAX_CAPTURE_BYTES, PREFIX_BYTES } from './upstream-frames.js';

// One client and its agent server: two frame readers, one per direction, that pass frames through
// unchanged and stop reading a side while the other does not drain. The proxy speaks only at message
// boundaries, so its own events never land inside a relayed message.

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
  onEnded(connection: RelayConnection): void;
  /** A session was learnt (for affinity). */
  onSession(connection: RelayConnection, sessionId: string): void;
  /** The upstream handshake ended, either way (the proxy counts pending handshakes). */
  onHandshakeDone(): void;
}

/** One proxied connection's byte path: its state, its two frame readers and its writes both ways. */
export abstract class RelayConnection {
  readonly id: string;
  readonly connectedAt = Date.now();
  lastActivity = this.connectedAt;
  status: ProxyConnectionInfo['status'] = 'connecting';
  service: ProxyCandidate;
  strategy: RoutingStrategy;
  bytesSent = 0;
  closeReason: string | undefined;

  protected readonly setup: ConnectionSetup;
  protected readonly client: Duplex;
  protected upstream: Socket | null = null;
  protected readonly fromClient: FrameReader;
  /** Replaced when failover opens a new leg. */
  protected fromUpstream: FrameReader;
  /** Client bytes waiting for the upstream leg to open (or, with `holdClient`, to be restored). */
  protected pendingUp: Buffer[] = [];
  protected pendingUpBytes = 0;
  /** Client bytes wait in `pendingUp` even with a leg open: a failover restores its sessions first. */
  protected holdClient = false;
  /** The proxy's own frames to the client, waiting for a message boundary of the relayed stream. */
  private queuedToClient: Buffer[] = [];
  protected readonly abort = new AbortController();
  /** The client sent a close frame / the proxy sent one to the client / to the upstream. */
  protected clientClosed = false;
  protected closingClient = false;
  protected closingUpstream = false;
  protected ended = false;
  protected clientTimer: NodeJS.Timeout | undefined;
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
      // Nothing of the proxy's own waits to go up between the client's messages: no boundary is asked for.
      boundary: () => {},
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
      boundary: () => this.flushToClient(),
    };
    return new FrameReader(upstreamSink, {
      masked: false,
      prefixBytes: PREFIX_BYTES,
      maxMessageBytes: Number.MAX_SAFE_INTEGER,
      // Control frames carry a session's signed state (bounded by the agent server at 1 MiB).
      maxCaptureBytes: MAX_CAPTURE_BYTES,
    });
  }

  // ---- what the readers hand on: connection-lifecycle.ts opens and ends, connection.ts looks in --------

  protected abstract clientPassesUnread(buf: Buffer, start: number, length: number, maskAt: number): boolean;
  protected abstract clientMessage(frames: Buffer[]): void;
  protected abstract clientClose(frame: Buffer, payload: Buffer): void;
  protected abstract clientFault(fault: FrameFault): void;
  protected abstract clientGone(): void;
  protected abstract upstreamCaptured(payload: Buffer | null, dropped: boolean): void;
  protected abstract upstreamClose(frame: Buffer, payload: Buffer): void;
  protected abstract upstreamEnded(end: UpstreamEnd): void;

  /** Sends the client bytes that waited for the leg, and reads the client again. */
  protected releaseClient(): void {
    this.holdClient = false;
    const pending = this.pendingUp;
    this.pendingUp = [];
    this.pendingUpBytes = 0;
    for (const bytes of pending) this.toUpstream(bytes);
    this.client.resume();
  }

  // ---- writing -------------------------------------------------------------------------------------------

  protected toUpstream(bytes: Buffer): void {
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

  /** Writes the proxy's frames that waited for a message boundary. */
  protected flushToClient(): void {
    const frames = this.queuedToClient;
    this.queuedToClient = [];
    for (const frame of frames) this.toClient(frame);
  }

  /** Sends a proxy event (`connection_routed`, `management_notification`, `error`, ...) to the client. */
  sendEvent(event: string, data: Record<string, unknown>): void {
    if (this.closingClient || this.ended) return;
    this.writeClientFrame(jsonFrame({ event, data, timestamp: new Date().toISOString() }, false));
  }
}
