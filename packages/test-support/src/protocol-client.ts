// A WebSocket client of the event protocol that records everything it gets, for tests that talk to a
// runtime, a `myagent-ws` process or the proxy over a real socket.
import WebSocket from 'ws';
import { until } from './wait.js';

/**
 * A text frame the client received, parsed. The server's events carry the envelope fields; a text frame
 * that is not JSON is kept as `{ raw }` (and in `texts`), so a test of odd upstreams can still see it.
 */
export interface Received {
  event: string;
  session_id?: string;
  step_id?: string;
  content?: unknown;
  metadata?: Record<string, unknown>;
  data?: Record<string, unknown>;
  seq: number;
  event_id: string;
  connection_id: string;
  timestamp: string;
  [key: string]: unknown;
}

/** Which event `waitEvent` waits for: by name (optionally of one session), or by a predicate. */
export type EventMatch = string | ((event: Received) => boolean);

/** Options of `TestClient.waitEvent`. */
export interface WaitEventOptions {
  /** Only events of this session. */
  session?: string;
  /** The nth (0-based) matching event. @default 0 */
  nth?: number;
  /** @default 15_000 */
  timeoutMs?: number;
}

// A client's waits give a busy machine (agent servers in child processes, workers) this long by default.
const WAIT_MS = 15_000;

// The events that end a run: a turn waits for the first of them.
const TURN_ENDS = new Set(['agent.final_answer', 'agent.error', 'agent.timeout', 'agent.interrupted']);

/**
 * A recording protocol client: `messages` holds every parsed text frame, `texts` and `binary` the frames as
 * they came; the waits poll those with a deadline (through `until`).
 * @example
 * const client = await TestClient.connect(url);
 * const session = await client.createSession();
 * const events = await client.turn(session, 'hello');
 * await client.close();
 */
export class TestClient {
  readonly messages: Received[] = [];
  readonly texts: string[] = [];
  readonly binary: Buffer[] = [];
  /** Socket errors after the handshake (a test of a hostile peer may expect one; none crashes the run). */
  readonly errors: Error[] = [];
  closed = false;
  closeCode: number | undefined;
  closeReason = '';

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.binary.push(Buffer.from(data as Buffer));
        return;
      }
      const text = String(data);
      this.texts.push(text);
      try {
        this.messages.push(JSON.parse(text) as Received);
      } catch {
        this.messages.push({ raw: text } as unknown as Received);
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = true;
      this.closeCode = code;
      this.closeReason = String(reason);
    });
    ws.on('error', (error) => this.errors.push(error));
  }

  /** Opens a socket to `url`; rejects when the handshake fails. */
  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Sends a client event (JSON); a string or a Buffer goes out as it is. */
  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  /** Waits for the `nth` (0-based) event matching a name or a predicate, optionally of one session. */
  waitEvent(match: EventMatch, options: WaitEventOptions = {}): Promise<Received> {
    const matches = typeof match === 'string' ? (m: Received) => m.event === match : match;
    const name = typeof match === 'string' ? match : 'a matching event';
    return until(
      () =>
        this.messages.filter((m) => matches(m) && (!options.session || m.session_id === options.session))[
          options.nth ?? 0
        ],
      `${name}${options.session ? ` in ${options.session}` : ''}`,
      options.timeoutMs ?? WAIT_MS,
    );
  }

  /** The names of the events received so far, optionally of one session. */
  events(session?: string): string[] {
    return this.messages.filter((m) => !session || m.session_id === session).map((m) => m.event);
  }

  /** Sends `user.create_session` and returns the new session's id. */
  async createSession(): Promise<string> {
    const before = this.messages.filter((m) => m.event === 'agent.session_created').length;
    this.send({ event: 'user.create_session' });
    const created = await this.waitEvent('agent.session_created', { nth: before });
    return created.session_id as string;
  }

  /**
   * Sends a message and waits for the run's last event (final answer, error, timeout or interrupted); the
   * session's events up to that one.
   */
  async turn(sessionId: string, content: string, timeoutMs = WAIT_MS): Promise<Received[]> {
    const start = this.messages.length;
    this.send({ event: 'user.message', session_id: sessionId, content });
    const mine = () => this.messages.slice(start).filter((m) => m.session_id === sessionId);
    // One past the end event's index, so that an end at index 0 is still truthy for `until`.
    const end = await until(
      () => mine().findIndex((m) => TURN_ENDS.has(m.event)) + 1,
      `end of the turn '${content}'`,
      timeoutMs,
    );
    return mine().slice(0, end);
  }

  /** Waits until the socket closed; its close code. */
  async waitClosed(timeoutMs = WAIT_MS): Promise<number> {
    await until(() => this.closed, 'the socket to close', timeoutMs);
    return this.closeCode as number;
  }

  /** Closes the socket and waits for the close to finish; a no-op once closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await done;
  }
}
