// A client's frames on their way in: the binary and size checks, the proxy control channel, the parse, and
// what each protocol message does (sessions, runs, confirmations, state export and restore with replay).
import type { ClientMessage } from '@myagent/models';
import { AppError, parseClientMessage } from '@myagent/models';
import type { Connection, RetiredEvents } from './connection.js';
import type { ResolvedRuntimeOptions } from './options.js';
import type { ProxyControl } from './proxy-control.js';
import type { SessionHub } from './sessions.js';
import type { StateSigner } from './signed-state.js';
import type { SocketData } from './socket.js';
import { exportSessionState, importSessionState } from './state-export.js';

/** What the message handler of {@link createMessageHandler} works with: the runtime's own parts. */
export interface MessageHandlerDeps {
  opts: ResolvedRuntimeOptions;
  hub: SessionHub;
  control: ProxyControl;
  signer: StateSigner;
  retired: RetiredEvents;
}

/** The runtime's handler of one incoming frame of a connection (the socket's `message` listener calls it). */
export function createMessageHandler(
  deps: MessageHandlerDeps,
): (conn: Connection, data: SocketData, isBinary: boolean) => void {
  const { opts, hub, control, signer, retired } = deps;
  const { logger } = opts;
  const { sessions } = hub;

  async function handle(conn: Connection, message: ClientMessage) {
    switch (message.event) {
      case 'ping':
        conn.send('pong', { content: 'pong' });
        return;
      case 'user.ack':
        conn.ack(message.last_seq);
        return;
      case 'user.create_session': {
        const session = await hub.open(conn, message.session_id);
        if (!session) return;
        conn.send('agent.session_created', {
          session_id: session.id,
          content: `Session created with agent ${opts.agent.name}`,
          metadata: { agent_name: opts.agent.name },
        });
        control.snapshot(session, 'created');
        return;
      }
      case 'user.message': {
        const session = hub.find(conn, message.session_id);
        if (session) hub.startRun(session, message.content);
        return;
      }
      case 'user.response': {
        const session = hub.find(conn, message.session_id);
        const pending = session?.confirms.get(message.step_id);
        if (!session) return;
        if (!pending) {
          hub.systemError(
            conn,
            new AppError('INVALID_MESSAGE', `No pending confirmation '${message.step_id.slice(0, 256)}'`),
            session.id,
          );
          return;
        }
        pending.resolve(message.content.confirmed);
        return;
      }
      case 'user.cancel': {
        const session = hub.find(conn, message.session_id);
        if (!session) return;
        if (!session.run) {
          conn.send('system.notice', { session_id: session.id, content: 'No run in progress to cancel' });
          return;
        }
        hub.stopRun(session, 'cancel');
        return;
      }
      case 'user.close_session': {
        const session = hub.find(conn, message.session_id);
        if (session) hub.end(session, 'closed', 'Session closed');
        return;
      }
      case 'user.request_state': {
        const session = hub.find(conn, message.session_id);
        if (!session) return;
        const { state, messageCount } = exportSessionState(session, opts.agent.name);
        const signed = signer.sign(state);
        conn.send('agent.state_exported', {
          session_id: session.id,
          content: 'Session state exported',
          metadata: {
            signed_state: signed,
            state_size: Buffer.byteLength(JSON.stringify(signed)),
            message_count: messageCount,
            current_step: session.state.current_step,
          },
        });
        return;
      }
      case 'user.reconnect_with_state':
        return restore(conn, message.signed_state);
    }
  }

  async function restore(conn: Connection, signedState: unknown) {
    let restored: ReturnType<typeof importSessionState>;
    try {
      restored = importSessionState(signer.verify(signedState), opts.agent.name);
    } catch (error) {
      hub.systemError(conn, AppError.from(error, 'INVALID_STATE'));
      return;
    }
    const session = await hub.open(conn);
    if (!session) return;
    session.state = restored.state;
    conn.send('agent.state_restored', {
      session_id: session.id,
      content: 'Session restored',
      metadata: {
        original_session_id: restored.originalSessionId,
        message_count: restored.state.messages.length,
        agent_name: opts.agent.name,
        warnings: restored.warnings,
      },
    });
    control.snapshot(session, 'restored');
    const original = restored.originalSessionId;
    let events = original ? retired.take(original) : [];
    if (events.length === 0 && original) events = sessions.get(original)?.conn.eventsOf(original) ?? [];
    const replay = events.slice(-200);
    for (const old of replay) {
      conn.send(old.event, {
        session_id: session.id,
        step_id: old.step_id,
        content: old.content,
        metadata: {
          ...old.metadata,
          replayed: true,
          original_session_id: original,
          original_event_id: old.event_id,
        },
      });
    }
    conn.send('system.notice', {
      session_id: session.id,
      content: 'Replay completed',
      metadata: { replayed: replay.length, original_session_id: original },
    });
  }

  function onMessage(conn: Connection, data: SocketData, isBinary: boolean) {
    conn.spoke = true;
    conn.missedPings = 0;
    if (isBinary) {
      hub.systemError(
        conn,
        new AppError('UNSUPPORTED_FRAME', 'Binary frames are not supported; send JSON text'),
      );
      return;
    }
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > opts.maxMessageBytes) {
      hub.systemError(
        conn,
        new AppError('PAYLOAD_TOO_LARGE', `Message exceeds the limit of ${opts.maxMessageBytes} bytes`, {
          details: { max_bytes: opts.maxMessageBytes, size },
        }),
      );
      return;
    }
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as Buffer).toString('utf8');
    if (control.handle(conn, text)) return;
    const parsed = parseClientMessage(text, { maxBytes: opts.maxMessageBytes });
    if (!parsed.ok) {
      hub.systemError(conn, parsed.error);
      return;
    }
    handle(conn, parsed.message).catch((error: unknown) => {
      logger.error('message handling failed', { connection_id: conn.id, error: String(error) });
      hub.systemError(conn, AppError.from(error));
    });
  }

  return onMessage;
}
