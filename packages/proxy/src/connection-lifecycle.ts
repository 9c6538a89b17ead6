import type { Socket } from 'node:net';
import { AppError } from '@myagent/models';
import { closeFrame, type FrameFault, isSendableCloseCode, parseClose } from './frames.js';
import { RelayConnection, type UpstreamEnd } from './relay-connection.js';
import type { UpstreamLeg } from './upstream.js';

// How a connection's legs open and end: the upstream handshake, a lost leg, the close handshakes both ways.

/** A connection's opening and ending, over its byte path. */
export abstract class ConnectionLifecycle extends RelayConnection {
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
  protected override upstreamEnded(end: UpstreamEnd): void {
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

  protected override upstreamClose(frame: Buffer, payload: Buffer): void {
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

  protected override clientClose(frame: Buffer, payload: Buffer): void {
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

  protected override clientFault(fault: FrameFault): void {
    this.status = 'error';
    this.close(fault.code, fault.reason);
  }

  protected override clientGone(): void {
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

  // ---- ending ---------------------------------------------------------------------------------------------

  /**
   * Ends the connection from the proxy's side: a close frame with `code` and `reason` to the client (after
   * whatever is queued for it) and a going-away close to the agent server.
   */
  close(code: number, reason: string): void {
    if (this.ended || this.closingClient) return;
    this.closeReason ??= reason;
    this.flushToClient();
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
    this.client.end();
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
}
