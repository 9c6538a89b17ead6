import { ConnectionLifecycle } from './connection-lifecycle.js';
import { heldPayload, jsonFrame, mayMention } from './frames.js';
import type { ManagementNotification, ProxyConnectionInfo } from './types.js';

// What the proxy reads in a relayed stream (`proxy.*`, the envelope, sessions) and reports of a connection.

/** A client text message that cannot spell this (nor hold a `\u` escape) is no `proxy.*` message. */
const PROXY_WORD = Buffer.from('proxy.');

/** Scratch space for unmasking client messages: one per process, used synchronously. */
const scratch = { buf: Buffer.allocUnsafe(64 * 1024) };

/** One proxied connection. */
export class ProxyConnection extends ConnectionLifecycle {
  /** In the order they were learnt (`session_ids` is oldest first). */
  readonly sessions = new Set<string>();
  /** Counters at the last `update` hook, to skip connections that did not move. */
  reported = -1;
  /** The client's text messages go to {@link clientText} (once the proxy keeps their sessions' state). */
  protected watchClient = false;
  /** Upstream messages counted by the readers of earlier legs. */
  protected carriedMessages = 0;

  /**
   * The hot path: may this whole client text frame (payload `buf[start, start + length)`, still masked with
   * the key at `maskAt`) go on as it came, unread? Yes unless it could name `proxy.*` or the metadata
   * envelope is on. Whatever this refuses reaches {@link clientMessage} unmasked; an extension that must read
   * more client messages (failover watching `user.message`) refuses those here too, with {@link mayMention}:
   * a message passed here is never seen again.
   */
  protected override clientPassesUnread(buf: Buffer, start: number, length: number, maskAt: number): boolean {
    return !this.setup.proxyMetadata && !mayMention(buf, start, length, maskAt, PROXY_WORD);
  }

  /**
   * A frame the agent server meant for the proxy (`system.session_*`, `system.proxy_*`), never relayed:
   * the failover extension reads the sessions' signed state here. Today nothing is kept.
   */
  protected upstreamControl(_payload: Buffer | null): void {}

  protected override upstreamCaptured(payload: Buffer | null, dropped: boolean): void {
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
      this.sessions.delete(sessionId);
      this.sessionEnded(sessionId);
      return;
    }
    if (!this.sessions.has(sessionId)) {
      this.sessions.add(sessionId);
      this.setup.onSession(this, sessionId);
    }
  }

  /** A session ended on the agent server (failover forgets its state here). */
  protected sessionEnded(_sessionId: string): void {}

  /** A client text message about to go up, unmasked in `buf[0, length)` (only while `watchClient`). */
  protected clientText(_buf: Buffer, _length: number): void {}

  protected override clientMessage(frames: Buffer[]): void {
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

  /** Sends a `management_notification`. */
  notify(notification: ManagementNotification): void {
    this.sendEvent('management_notification', { ...notification });
  }

  // ---- reporting ------------------------------------------------------------------------------------------

  /** Bytes queued for both peers (client and agent server) that they have not read yet. */
  get bufferedBytes(): number {
    return this.client.writableLength + (this.upstream?.writableLength ?? 0) + this.pendingUpBytes;
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
