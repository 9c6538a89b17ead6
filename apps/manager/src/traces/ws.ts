import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, parseOrThrow, TraceClientMessage, type TraceEvent } from '@myagent/models';
import { encodeFrame, OP_TEXT } from '@myagent/proxy';
import type { RouteContext } from '@myagent/router';
import { type WebSocket, WebSocketServer } from 'ws';
import type { TraceFilter, TraceHub } from './hub.js';
import { type AgentNotice, AgentSession, type RoutedAgent } from './start-agent.js';

// `/ws/traces` (every run's trace events as they arrive, `?service_id=` and `?session_id=` filters) and
// seed 004's `/ws/traces/{session_id}` (that session's events, and `{action: "start_agent", question}` to
// run a question on an agent the router picks). Frames out are seed 004's messages, one per event; a
// client that stops reading is closed once its queue passes a bound, so a slow client costs memory only
// up to that bound and never slows the others.

/** What the trace endpoints need of the manager. */
export interface TraceStreamHost {
  /** The running manager's hub, or undefined when it is not running. */
  hub(): TraceHub | undefined;
  /** Picks the agent for a question: the named service (id or name), else the router's choice. */
  route(context: RouteContext, service?: string): Promise<RoutedAgent>;
}

/** Options of the `/ws/traces` endpoints (part of `AgentManagerOptions.traces`). Times in ms. */
export interface TraceStreamOptions {
  /** Trace clients at once; more are refused with 503. @default 1000 */
  maxClients?: number;
  /** Bytes queued for one client before it is closed as too slow. @default 8388608 */
  maxBufferedBytes?: number;
  /** A client frame over this many bytes closes the connection (1009). @default 65536 */
  maxMessageBytes?: number;
  /** WebSocket ping period; a client missing two is closed. @default 30000 */
  heartbeatMs?: number;
}

/** The `/ws/traces` endpoints: the upgrade handler, and a close that ends every client. */
export interface TraceStream {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly clients: number;
  close(): Promise<void>;
}

const SESSION_PATH = /^\/ws\/traces\/([\w.:-]{1,128})$/u;

/** A trace client: its WebSocket and the socket under it, which the group writes ready frames to. */
interface Client {
  ws: WebSocket;
  raw: Duplex;
}

/**
 * The clients of one filter share one subscription: each event is framed once, and the frames that
 * arrive in one turn of the event loop go to every client of the group as one write of the same bytes.
 * Writing whole frames to the socket under `ws` is safe because `ws` (without compression) writes its
 * own frames whole and synchronously, so the two never interleave inside a frame.
 */
class Groups {
  readonly #groups = new Map<
    string,
    { clients: Set<Client>; frames: Buffer[]; off: () => void; due: boolean }
  >();

  constructor(
    private readonly hub: () => TraceHub | undefined,
    private readonly maxBuffered: number,
  ) {}

  join(filter: TraceFilter, client: Client): () => void {
    const key = `${filter.service_id ?? ''}\u0000${filter.session_id ?? ''}`;
    let group = this.#groups.get(key);
    if (!group) {
      const created = { clients: new Set<Client>(), frames: [] as Buffer[], off: () => {}, due: false };
      created.off =
        this.hub()?.subscribe(filter, (_event, json) => {
          created.frames.push(encodeFrame(OP_TEXT, Buffer.from(json), false));
          if (created.due) return;
          created.due = true;
          setImmediate(() => this.#flush(created));
        }) ?? (() => {});
      this.#groups.set(key, created);
      group = created;
    }
    const joined = group;
    joined.clients.add(client);
    return () => {
      joined.clients.delete(client);
      if (joined.clients.size > 0) return;
      joined.off();
      this.#groups.delete(key);
    };
  }

  #flush(group: { clients: Set<Client>; frames: Buffer[]; due: boolean }): void {
    group.due = false;
    const bytes = group.frames.length === 1 ? (group.frames[0] as Buffer) : Buffer.concat(group.frames);
    group.frames = [];
    for (const { ws, raw } of group.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      // A client that stopped reading is closed once its queue passes the bound; the others go on.
      if (raw.writableLength > this.maxBuffered)
        ws.close(1013, 'Too slow: the trace stream outran this client');
      else raw.write(bytes);
    }
  }
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function param(url: URL, name: string): string | undefined {
  const value = url.searchParams.get(name);
  return value === null || value === '' ? undefined : value.slice(0, 128);
}

/** The `/ws/traces` and `/ws/traces/{session_id}` endpoints over a {@link TraceStreamHost}. */
export function createTraceStream(host: TraceStreamHost, options: TraceStreamOptions = {}): TraceStream {
  const maxClients = options.maxClients ?? 1000;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  // No compression: the groups write ready frames straight to the sockets (see Groups).
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 64 * 1024,
    perMessageDeflate: false,
  });
  const alive = new WeakSet<WebSocket>();
  const groups = new Groups(() => host.hub(), maxBuffered);
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  function serve(ws: WebSocket, request: IncomingMessage, url: URL, pathSession: string | undefined): void {
    const hub = host.hub();
    if (!hub) {
      ws.close(1013, 'The manager is not running');
      return;
    }
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    const filter: TraceFilter = {};
    const service = param(url, 'service_id');
    if (service !== undefined) filter.service_id = service;
    const session = pathSession ?? param(url, 'session_id');
    if (session !== undefined) filter.session_id = session;

    const send = (json: string) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) ws.close(1013, 'Too slow: the trace stream outran this client');
      else ws.send(json);
    };
    const client: Client = { ws, raw: (ws as unknown as { _socket: Duplex })._socket };
    const unsubscribe: Array<() => void> = [groups.join(filter, client)];
    const own = (event_type: TraceEvent['event_type'], data: Record<string, unknown>) =>
      send(
        JSON.stringify({
          event_type,
          timestamp: new Date().toISOString(),
          message_id: `${event_type}_${Math.random().toString(36).slice(2, 10)}`,
          session_id: session ?? '',
          data,
        }),
      );
    own('connection_established', { ...(session && { session_id: session }), filters: { ...filter } });

    let agent: Promise<AgentSession> | undefined;
    const notify = (notice: AgentNotice) =>
      own('status_update', { status: notice.status, message: notice.message });
    ws.on('message', (data, binary) => {
      void (async () => {
        try {
          if (pathSession === undefined) {
            throw new AppError(
              'INVALID_MESSAGE',
              'Send start_agent on /ws/traces/{session_id}; /ws/traces only streams',
            );
          }
          if (binary)
            throw new AppError('UNSUPPORTED_FRAME', 'Binary frames are not supported; send JSON text');
          let parsed: unknown;
          try {
            parsed = JSON.parse(String(data));
          } catch {
            throw new AppError('INVALID_JSON', 'The message is not valid JSON');
          }
          const message = parseOrThrow(TraceClientMessage, parsed, 'message');
          if (message.action === 'ping') return own('status_update', { status: 'pong', message: 'pong' });
          agent ??= (async () => {
            const routed = await host.route(
              {
                client_ip: request.socket.remoteAddress ?? null,
                user_agent: request.headers['user-agent'] ?? null,
                session_id: pathSession,
                query_params: Object.fromEntries(url.searchParams),
              },
              message.service,
            );
            const opened = await AgentSession.open(routed, pathSession, notify);
            // The agent may give the session another id (one already taken there): follow that one too.
            if (opened.sessionId !== pathSession) {
              unsubscribe.push(hub.subscribe({ session_id: opened.sessionId }, (_e, json) => send(json)));
            }
            own('status_update', {
              status: 'agent_selected',
              message: `Running on ${routed.name} (${routed.service_id}), session ${opened.sessionId}`,
            });
            return opened.session;
          })();
          let upstream: AgentSession;
          try {
            upstream = await agent;
          } catch (error) {
            agent = undefined;
            throw error;
          }
          if (!upstream.open) {
            agent = undefined;
            throw new AppError('UPSTREAM_LOST', 'The agent connection was lost; send start_agent again');
          }
          await upstream.ask(message.question);
        } catch (error) {
          const coded = AppError.from(error, 'INTERNAL_ERROR');
          // Only our own coded errors reach a client; anything else is a plain internal error.
          own('run_error', {
            code: coded.code,
            message: AppError.is(error) ? coded.message : 'Internal error',
          });
        }
      })();
    });
    ws.on('close', () => {
      for (const off of unsubscribe) off();
      void agent?.then((a) => a.close()).catch(() => {});
    });
    ws.on('error', () => ws.terminate());
  }

  return {
    handleUpgrade(request, socket, head) {
      let url: URL;
      try {
        url = new URL(request.url ?? '/', 'http://localhost');
      } catch {
        refuse(socket, '400 Bad Request');
        return;
      }
      let pathSession: string | undefined;
      if (url.pathname !== '/ws/traces') {
        const match = SESSION_PATH.exec(url.pathname);
        if (!match) {
          refuse(socket, '404 Not Found');
          return;
        }
        pathSession = match[1];
      }
      if (wss.clients.size >= maxClients) {
        refuse(socket, '503 Service Unavailable');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => serve(ws, request, url, pathSession));
    },
    get clients() {
      return wss.clients.size;
    },
    close: async () => {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.close(1001, 'The manager is stopping');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const ws of wss.clients) ws.terminate();
    },
  };
}
