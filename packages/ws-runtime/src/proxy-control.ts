import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppError, type ErrorCode } from '@myagent/models';
import type { Connection, Session } from './connection.js';
import type { RuntimeLogger } from './options.js';
import type { SessionHub } from './sessions.js';
import type { StateSigner } from './signed-state.js';
import { exportSessionState, importSessionState } from './state-export.js';

// The control channel between the manager's proxy and this runtime (protocol.md, "Proxy control"), so that
// a client's sessions survive the loss of their agent server. It opens only on a connection whose upgrade
// carries a proxy mark signed with the shared state secret: a plain client can neither forge the mark nor
// (without it) send `proxy.*` messages, which then get UNKNOWN_EVENT like any other unknown event.
// On a marked connection the runtime tells the proxy, after each session's creation and each turn's end,
// the session's signed state (`system.session_state`), and at each turn's start that a turn runs; the
// proxy keeps the latest and, when the agent server dies, restores it on another one with
// `proxy.restore_session`, answered by `system.proxy_restored`. These frames bypass the event stamping
// (no seq, no replay buffer): they are the proxy's, never the client's.

/** The handshake header carrying the proxy mark. */
export const PROXY_MARK_HEADER = 'x-myagent-proxy';
/** A mark older (or newer) than this is refused: the header travels only proxy to agent server. */
const MARK_TTL_MS = 5 * 60 * 1000;
/** The largest signed state sent to the proxy; past it the proxy is told the session cannot be kept. */
export const MAX_CONTROL_STATE_BYTES = 1024 * 1024;

const markMac = (secret: string, timestamp: string, nonce: string) =>
  createHmac('sha256', secret).update(`myagent-proxy-mark.v1.${timestamp}.${nonce}`).digest('hex');

/**
 * True when `value` is a proxy mark (`v1.<ms>.<nonce>.<hmac>`) signed with `secret` within the last five
 * minutes. The proxy makes one per upstream handshake.
 */
export function verifyProxyMark(secret: string, value: unknown, now = Date.now()): boolean {
  if (typeof value !== 'string' || value.length > 256) return false;
  const [version, timestamp, nonce, mac, extra] = value.split('.');
  if (version !== 'v1' || !timestamp || !nonce || !mac || extra !== undefined) return false;
  const at = Number(timestamp);
  if (!Number.isSafeInteger(at) || Math.abs(now - at) > MARK_TTL_MS) return false;
  const expected = Buffer.from(markMac(secret, timestamp, nonce), 'hex');
  const given = Buffer.from(mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Why a snapshot is sent. */
export type SnapshotPhase = 'created' | 'restored' | 'turn_start' | 'turn_end';

/** The runtime's side of the proxy control channel. */
export interface ProxyControl {
  /** Opens the channel on a connection whose upgrade carries a valid mark. */
  accept(conn: Connection, request: IncomingMessage | undefined): void;
  /**
   * Tells the proxy (if the session's connection is one) the session's state or that a turn started;
   * `interrupted`: the turn was stopped by a shutdown (the proxy tells its client it did not complete).
   */
  snapshot(session: Session, phase: SnapshotPhase, interrupted?: boolean): void;
  /** True when the session's connection is the proxy's: at shutdown it is released, not ended. */
  handsOver(session: Session): boolean;
  /** Handles a `proxy.*` message of a marked connection; false when `text` is not one (or not allowed). */
  handle(conn: Connection, text: string): boolean;
}

/** Creates the control channel; without a configured (shared) secret no connection is ever marked. */
export function createProxyControl(deps: {
  secret: string | undefined;
  signer: StateSigner;
  agentName: string;
  hub: SessionHub;
  logger: RuntimeLogger;
}): ProxyControl {
  const { secret, signer, agentName, hub, logger } = deps;
  const marked = new WeakSet<Connection>();

  const send = (conn: Connection, message: Record<string, unknown>) => {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(message));
  };

  async function restore(conn: Connection, sessionId: unknown, signedState: unknown): Promise<void> {
    const id = typeof sessionId === 'string' ? sessionId.slice(0, 128) : '';
    const refuse = (code: ErrorCode, message: string) =>
      send(conn, { event: 'system.proxy_restored', session_id: id, ok: false, code, message });
    if (!/^[\w.:-]{1,128}$/.test(id)) return refuse('INVALID_MESSAGE', 'A session id is required');
    let restored: ReturnType<typeof importSessionState>;
    try {
      restored = importSessionState(signer.verify(signedState), agentName);
    } catch (error) {
      return refuse('INVALID_STATE', AppError.from(error, 'INVALID_STATE').message);
    }
    if (restored.originalSessionId !== id) {
      return refuse('INVALID_STATE', 'The signed state belongs to another session');
    }
    if (hub.sessions.has(id)) return refuse('INVALID_STATE', 'The session exists on this agent server');
    const session = await hub.open(conn, id);
    if (!session) return refuse('INSUFFICIENT_RESOURCES', 'The session could not be opened here');
    if (session.id !== id) {
      hub.release(session);
      return refuse('INVALID_STATE', 'The session exists on this agent server');
    }
    session.state = restored.state;
    logger.debug('session restored for the proxy', { session_id: id });
    send(conn, {
      event: 'system.proxy_restored',
      session_id: id,
      ok: true,
      message_count: restored.state.messages.length,
    });
  }

  return {
    accept(conn, request) {
      if (secret && verifyProxyMark(secret, request?.headers[PROXY_MARK_HEADER])) marked.add(conn);
    },
    handsOver: (session) => marked.has(session.conn),
    snapshot(session, phase, interrupted = false) {
      const conn = session.conn;
      if (!marked.has(conn) || session.closed) return;
      if (phase === 'turn_start') {
        send(conn, { event: 'system.session_state', session_id: session.id, phase });
        return;
      }
      let text: string;
      try {
        const signed = signer.sign(exportSessionState(session, agentName).state);
        text = JSON.stringify({
          event: 'system.session_state',
          session_id: session.id,
          phase,
          ...(interrupted && { interrupted }),
          signed_state: signed,
        });
      } catch (error) {
        // Agent state that is not JSON cannot travel; the proxy then knows not to restore a stale one.
        logger.warn('session state not exportable', { session_id: session.id, error: String(error) });
        text = '';
      }
      if (text === '' || Buffer.byteLength(text) > MAX_CONTROL_STATE_BYTES) {
        send(conn, {
          event: 'system.session_state',
          session_id: session.id,
          phase,
          ...(interrupted && { interrupted }),
          too_large: true,
        });
        return;
      }
      if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(text);
    },
    handle(conn, text) {
      if (!marked.has(conn) || !text.startsWith('{"event":"proxy.')) return false;
      let message: { event?: unknown; session_id?: unknown; signed_state?: unknown };
      try {
        message = JSON.parse(text);
      } catch {
        return false;
      }
      if (message.event !== 'proxy.restore_session') return false;
      restore(conn, message.session_id, message.signed_state).catch((error: unknown) =>
        logger.error('proxy restore failed', { error: String(error) }),
      );
      return true;
    },
  };
}
