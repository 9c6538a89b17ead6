import { createHmac, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { RoutingStrategy } from '@myagent/models';
import { ProxyConnection } from './connection.js';
import { closeFrame, encodeFrame, jsonFrame, mayMention, OP_TEXT } from './frames.js';
import type { ConnectionSetup, UpstreamEnd } from './relay-connection.js';
import { SessionStates, type StateBudget } from './session-states.js';
import type { ProxyCandidate } from './types.js';
import type { UpstreamLeg } from './upstream.js';

// Failover that keeps the session (spec E6, E7). The agent servers send the proxy, on connections it marks
// with the shared state secret, each session's signed state after its creation and each turn
// (`system.session_state`, see ws-runtime's proxy-control.ts). When the leg ends without the client asking
// (the process died, or it drained and closed 1001), the client's socket stays open: the proxy routes again
// among the other candidates (the same rule, the lost one excluded until it was seen down or restarted),
// opens a leg, restores every session there with `proxy.restore_session` (same id, same history), then tells
// the client `service_switched`. Turns that were running end for the client with `agent.error`
// UPSTREAM_LOST; what the client sends meanwhile waits in the bounded `pendingUp` and goes up after the
// restore. With no candidate it waits (failoverWaitMs) for one, then ends with `error` recoverable:false.

/** Makes the value of `x-myagent-proxy` that an agent server sharing `secret` trusts (ws-runtime checks it). */
export function proxyMark(secret: string, now = Date.now()): string {
  const nonce = randomBytes(12).toString('hex');
  const mac = createHmac('sha256', secret).update(`myagent-proxy-mark.v1.${now}.${nonce}`).digest('hex');
  return `v1.${now}.${nonce}.${mac}`;
}

/** Where a connection can go next. */
export interface FailoverTarget {
  service: ProxyCandidate;
  strategy: RoutingStrategy;
  url: URL;
}

/** What a failing-over connection asks of its proxy. */
export interface FailoverHost {
  /** Routes the connection again (same inputs and context) among the candidates not in `exclude`. */
  reroute(connection: FailoverConnection, exclude: ReadonlySet<string>): FailoverTarget | null;
  /** The service as the source knows it now (undefined once it is gone). */
  current(serviceId: string): ProxyCandidate | undefined;
  /** Resolves at the next change of the candidates (or a drain's end), after `ms`, or on `signal`. */
  changed(ms: number, signal: AbortSignal): Promise<void>;
  /** The handshake headers of a new leg: `base` with a fresh proxy mark. */
  headers(base: Record<string, string>): Record<string, string>;
  /** The connection now runs on `connection.service`, its sessions there. */
  switched(connection: FailoverConnection, from: ProxyCandidate): void;
  readonly budget: StateBudget;
  /** How long to wait for a candidate. */
  readonly waitMs: number;
}

/** Close codes of an agent server that went away (drained, restarted, failed): its clients fail over. */
const GONE_CODES = new Set([1001, 1006, 1011, 1012, 1013, 1014]);
/** Client text messages that may spell it are read (to know which session's turn is asked for). */
const USER_MESSAGE = Buffer.from('user.message');

/** A proxied connection whose sessions survive the loss of their agent server. */
export class FailoverConnection extends ProxyConnection {
  private readonly states: SessionStates;
  private readonly host: FailoverHost;
  /** True once a first leg opened: only then is there a session to keep. */
  private attachedOnce = false;
  private switching = false;
  /** Set while the service drains: the reason failover gives, and the client is held between turns. */
  private drainReason: string | null = null;
  /** The service whose drain holds this connection, until the connection moved off it. */
  drainingFrom: string | null = null;
  /** The service left RUNNING or healthy during a turn: the connection leaves it at the turn's end. */
  private leaveAfterTurn = false;
  /** The drain ended with the service stopped: no waiting for it to come back. */
  private originStopped = false;
  /** Answers `system.proxy_restored` while a restore waits for them. */
  private onRestored: ((sessionId: string, ok: boolean) => void) | null = null;
  /** Wakes a restore when its leg is lost. */
  private onLegLost: (() => void) | null = null;

  constructor(setup: ConnectionSetup, host: FailoverHost) {
    super(setup);
    this.host = host;
    this.states = new SessionStates(host.budget);
  }

  protected override attachUpstream(leg: UpstreamLeg): void {
    this.attachedOnce = true;
    super.attachUpstream(leg);
  }

  // ---- what the agent server tells the proxy ---------------------------------------------------------------

  protected override upstreamControl(payload: Buffer | null): void {
    // Over the capture bound: the agent server bounds its states below it, so this is no state of ours.
    if (payload === null) return;
    let message: {
      event?: unknown;
      session_id?: unknown;
      phase?: unknown;
      signed_state?: unknown;
      too_large?: unknown;
      interrupted?: unknown;
      ok?: unknown;
    };
    try {
      message = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const id = message.session_id;
    if (typeof id !== 'string') return;
    if (message.event === 'system.proxy_restored') {
      this.onRestored?.(id, message.ok === true);
      return;
    }
    // Only sessions the client opened here: an agent server cannot make the proxy keep others.
    if (message.event !== 'system.session_state' || !this.sessions.has(id)) return;
    this.watchClient = true;
    if (message.phase === 'turn_start') {
      this.states.turnStarted(id);
      return;
    }
    const state =
      message.too_large === true || typeof message.signed_state !== 'object' || message.signed_state === null
        ? null
        : JSON.stringify(message.signed_state);
    this.states.keep(id, state, message.phase === 'turn_end', message.interrupted === true);
    if (this.drainReason !== null && !this.states.busy) this.holdClient = true;
    if (this.leaveAfterTurn && !this.states.busy) this.leaveIfStillLeft();
  }

  protected override clientPassesUnread(buf: Buffer, start: number, length: number, maskAt: number): boolean {
    if (!super.clientPassesUnread(buf, start, length, maskAt)) return false;
    return !this.watchClient || !mayMention(buf, start, length, maskAt, USER_MESSAGE);
  }

  protected override clientText(buf: Buffer, length: number): void {
    if (!mayMention(buf, 0, length, -1, USER_MESSAGE)) return;
    try {
      const message = JSON.parse(buf.toString('utf8', 0, length)) as {
        event?: unknown;
        session_id?: unknown;
      };
      if (message.event === 'user.message' && typeof message.session_id === 'string')
        this.states.messageSent(message.session_id);
    } catch {
      // The agent server answers it with INVALID_JSON.
    }
  }

  protected override sessionEnded(sessionId: string): void {
    this.states.forget(sessionId);
  }

  // ---- losing the leg -------------------------------------------------------------------------------------

  protected override upstreamEnded(end: UpstreamEnd): void {
    if (this.ended || this.closingClient) return;
    if (this.switching) {
      // The new leg broke while its sessions were being restored: the failover tries the next one.
      this.onLegLost?.();
      return;
    }
    const gone = end.kind === 'lost' || GONE_CODES.has(end.code);
    // A message cut off half way cannot be completed for the client: nothing can follow it on its stream.
    if (!this.attachedOnce || !gone || this.fromUpstream.midMessage) {
      super.upstreamEnded(end);
      return;
    }
    void this.failOver(
      this.drainReason ?? (end.kind === 'lost' ? 'upstream_lost' : `upstream_closed_${end.code}`),
      end.kind === 'lost',
    );
  }

  /**
   * The service left RUNNING or healthy while the leg is still open (a hung agent server): the connection
   * fails over as if the leg were lost. Mid-message it waits: the next change, or the leg's end, decides.
   */
  serviceLeft(): void {
    if (!this.attachedOnce || this.switching || this.ended || this.closingClient) return;
    if (this.upstream === null || this.fromUpstream.midMessage) return;
    // A running turn may still finish (health checks fail under load too): leave at its end. A server that
    // truly hangs is restarted by its manager, and the leg's loss then ends the turn with UPSTREAM_LOST.
    if (this.states.busy) {
      this.leaveAfterTurn = true;
      return;
    }
    void this.failOver('service_unhealthy', true);
  }

  /** At a turn's end: leave the service if it is still not routable. */
  private leaveIfStillLeft(): void {
    this.leaveAfterTurn = false;
    const now = this.host.current(this.service.service_id);
    if (now?.status !== 'running' || now.healthy === false) this.serviceLeft();
  }

  /**
   * The service is draining (the manager stops or restarts it): between turns the client's messages wait
   * here, so that no new turn starts on an agent server about to go; they go to wherever the sessions move.
   */
  beginDrain(reason: string): void {
    this.drainReason = reason;
    this.drainingFrom = this.service.service_id;
    if (!this.states.busy && this.upstream !== null) this.holdClient = true;
  }

  /** The drain is over; `stopped`: its service will not come back, so a failover waiting for it ends. */
  endDrain(stopped: boolean): void {
    if (stopped && this.switching) this.originStopped = true;
    if (this.switching) return;
    this.drainReason = null;
    this.drainingFrom = null;
    if (this.holdClient && this.upstream !== null) this.releaseClient();
  }

  private async failOver(reason: string, lost: boolean): Promise<void> {
    this.switching = true;
    this.status = 'connecting';
    const origin = this.service;
    this.detachLeg();
    this.holdClient = true;
    for (const sessionId of this.states.interrupted()) {
      this.sessionEvent(
        'agent.error',
        sessionId,
        'The agent server was lost during this turn; the turn did not complete. Send it again.',
        { code: 'UPSTREAM_LOST' },
      );
    }
    this.states.settle();
    const deadline = Date.now() + this.host.waitMs;
    const failed = new Set<string>();
    // The lost service stays out until it was seen down or restarted: until then its record may still say
    // running, and the connection would go back to a dead port.
    let originBack = !lost;
    for (;;) {
      if (this.ended || this.closingClient) return;
      const now = this.host.current(origin.service_id);
      if (now?.status !== 'running' || now.started_at !== origin.started_at) originBack = true;
      const exclude = new Set(failed);
      if (!originBack) exclude.add(origin.service_id);
      const target = this.host.reroute(this, exclude);
      if (target) {
        const outcome = await this.moveTo(target, origin, reason);
        if (outcome !== 'failed') return;
        failed.add(target.service.service_id);
        continue;
      }
      if (Date.now() >= deadline || this.originStopped) break;
      await this.host.changed(Math.min(250, deadline - Date.now()), this.abort.signal);
      failed.clear();
    }
    this.switching = false;
    this.status = 'error';
    this.closeReason = 'no agent server could take over';
    this.sendEvent('error', {
      code: 'UPSTREAM_LOST',
      message: 'The agent server was lost and no other could take over the connection',
      recoverable: false,
    });
    this.close(1011, 'Agent server lost');
  }

  /** Stops reading the old leg and lets it go (a close frame if it is still open). */
  private detachLeg(): void {
    const old = this.upstream;
    this.fromUpstream.stop();
    this.carriedMessages += this.fromUpstream.messages;
    this.upstream = null;
    clearTimeout(this.upstreamTimer);
    if (old && !old.destroyed) {
      old.end(closeFrame(1001, 'Moved to another agent server', true));
      setTimeout(() => old.destroy(), this.setup.options.closeTimeoutMs).unref();
    }
  }

  /** Opens a leg to `target` and restores the sessions there; 'failed' to try another. */
  private async moveTo(
    target: FailoverTarget,
    origin: ProxyCandidate,
    reason: string,
  ): Promise<'done' | 'failed' | 'gone'> {
    const { options } = this.setup;
    const connect = options.connectUpstream as NonNullable<typeof options.connectUpstream>;
    let leg: UpstreamLeg;
    try {
      leg = await connect({
        url: target.url,
        headers: this.host.headers(this.setup.upstreamHeaders),
        timeoutMs: options.connectTimeoutMs,
        signal: this.abort.signal,
      });
    } catch {
      return this.ended || this.closingClient ? 'gone' : 'failed';
    }
    if (this.ended || this.closingClient) {
      leg.socket.destroy();
      return 'gone';
    }
    this.fromUpstream = this.upstreamReader();
    this.closingUpstream = false;
    this.upstreamClosedFirst = false;
    super.attachUpstream(leg);
    const results = await this.restoreOn(leg.socket);
    if (results === null) {
      if (this.upstream === leg.socket) this.detachLeg();
      leg.socket.destroy();
      this.status = 'connecting';
      return this.ended || this.closingClient ? 'gone' : 'failed';
    }
    const lost: string[] = [];
    for (const [sessionId, ok] of results) {
      if (ok) continue;
      lost.push(sessionId);
      this.sessions.delete(sessionId);
      this.states.forget(sessionId);
      this.sessionEvent(
        'agent.session_end',
        sessionId,
        'The session could not be restored after its agent server was lost',
        { reason: 'upstream_lost' },
      );
    }
    this.service = target.service;
    this.strategy = target.strategy;
    this.switching = false;
    this.drainReason = null;
    this.drainingFrom = null;
    this.originStopped = false;
    this.host.switched(this, origin);
    this.sendEvent('service_switched', {
      from_service: origin.name,
      to_service: target.service.name,
      reason,
      session_preserved: lost.length === 0,
    });
    this.releaseClient();
    return 'done';
  }

  /** Sends every session's state up the new leg; its answers by session, or null when the leg was lost. */
  private restoreOn(socket: Socket): Promise<Map<string, boolean> | null> {
    const results = new Map<string, boolean>();
    const waiting = new Set<string>();
    for (const sessionId of this.sessions) {
      const state = this.states.state(sessionId);
      if (state === null) {
        results.set(sessionId, false);
        continue;
      }
      waiting.add(sessionId);
      const text = `{"event":"proxy.restore_session","session_id":${JSON.stringify(sessionId)},"signed_state":${state}}`;
      socket.write(encodeFrame(OP_TEXT, Buffer.from(text), true));
    }
    if (waiting.size === 0) return Promise.resolve(results);
    return new Promise((resolve) => {
      const finish = (value: Map<string, boolean> | null) => {
        clearTimeout(timer);
        this.onRestored = null;
        this.onLegLost = null;
        resolve(value);
      };
      const answered = results.size;
      const timer = setTimeout(() => {
        // An agent server that answers nothing is tried no more; one that answered some keeps only those.
        if (results.size === answered) return finish(null);
        for (const sessionId of waiting) results.set(sessionId, false);
        finish(results);
      }, this.setup.options.connectTimeoutMs);
      this.onLegLost = () => finish(null);
      this.onRestored = (sessionId, ok) => {
        if (!waiting.delete(sessionId)) return;
        results.set(sessionId, ok);
        if (waiting.size === 0) finish(results);
      };
    });
  }

  /** An event of one session, shaped as the agent server's (the proxy speaks for the lost one). */
  private sessionEvent(
    event: string,
    sessionId: string,
    content: string,
    metadata: Record<string, unknown>,
  ): void {
    const at = new Date().toISOString();
    this.writeClientFrame(
      jsonFrame({ event, session_id: sessionId, content, metadata, timestamp: at }, false),
    );
  }

  /** Gives the states' bytes back to the budget (the connection ended). */
  releaseStates(): void {
    this.states.clear();
  }
}
