import { AppError } from '@myagent/models';
import WebSocket from 'ws';

// Seed 004's `start_agent`: the manager asks an agent server the question itself, as a client of the
// agent's WebSocket protocol, in a session named after the `/ws/traces/{session_id}` path, so the run's
// trace events (which reach the manager through the agent server's stdout) carry that session id and reach
// the client's subscription. One upstream connection per trace client, opened at the first question and
// kept for the next ones: the conversation goes on in the same agent session.

/** The agent a question goes to, as the router picked it. */
export interface RoutedAgent {
  service_id: string;
  name: string;
  endpoint: string;
}

/** Options of {@link AgentSession}. Times in ms. */
export interface AgentSessionOptions {
  /** Connect and create the session within this. @default 10000 */
  connectTimeoutMs?: number;
  /** Frames from the agent over this many bytes close the connection. @default 1048576 */
  maxMessageBytes?: number;
}

/** What the agent said that a trace client is shown (the answer text, an error, a confirmation refused). */
export interface AgentNotice {
  status: 'final_answer' | 'agent_error' | 'confirmation_denied' | 'disconnected';
  message: string;
}

/** One trace client's session on an agent server. */
export class AgentSession {
  readonly #ws: WebSocket;
  readonly #ready: Promise<string>;
  #closed = false;

  private constructor(
    readonly agent: RoutedAgent,
    ws: WebSocket,
    requestedId: string,
    onNotice: (notice: AgentNotice) => void,
    options: AgentSessionOptions,
  ) {
    this.#ws = ws;
    this.#ready = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new AppError('UPSTREAM_TIMEOUT', `The agent ${agent.name} did not open a session in time`));
        ws.terminate();
      }, options.connectTimeoutMs ?? 10_000);
      ws.once('open', () =>
        ws.send(JSON.stringify({ event: 'user.create_session', session_id: requestedId })),
      );
      ws.on('message', (data, binary) => {
        if (binary) return;
        let event: { event?: unknown; session_id?: unknown; content?: unknown; step_id?: unknown };
        try {
          event = JSON.parse(String(data));
        } catch {
          return;
        }
        if (event.event === 'agent.session_created' && typeof event.session_id === 'string') {
          clearTimeout(timer);
          resolve(event.session_id);
        } else if (event.event === 'agent.final_answer') {
          onNotice({ status: 'final_answer', message: text(event.content) });
        } else if (event.event === 'agent.error' || event.event === 'system.error') {
          onNotice({ status: 'agent_error', message: text(event.content) });
          // An error before the session exists (MAX_SESSIONS, draining) fails the start.
          reject(
            new AppError(
              'AGENT_ERROR',
              `The agent ${agent.name} refused the session: ${text(event.content)}`,
            ),
          );
        } else if (event.event === 'agent.user_confirm' && typeof event.step_id === 'string') {
          // A trace client has no way to confirm a tool call: refused, and said so.
          ws.send(
            JSON.stringify({
              event: 'user.response',
              session_id: event.session_id,
              step_id: event.step_id,
              content: { confirmed: false },
            }),
          );
          onNotice({ status: 'confirmation_denied', message: text(event.content) });
        }
      });
      ws.once('error', () => {
        clearTimeout(timer);
        reject(new AppError('UPSTREAM_LOST', `Cannot reach the agent ${agent.name}`));
      });
      ws.once('close', () => {
        clearTimeout(timer);
        reject(new AppError('UPSTREAM_LOST', `The agent ${agent.name} closed the connection`));
        if (!this.#closed) onNotice({ status: 'disconnected', message: `The agent ${agent.name} went away` });
        this.#closed = true;
      });
    });
    this.#ready.catch(() => {});
  }

  /** Connects to the agent and creates the session (resolves with the session id the agent gave). */
  static async open(
    agent: RoutedAgent,
    requestedId: string,
    onNotice: (notice: AgentNotice) => void,
    options: AgentSessionOptions = {},
  ): Promise<{ session: AgentSession; sessionId: string }> {
    const ws = new WebSocket(agent.endpoint, {
      maxPayload: options.maxMessageBytes ?? 1024 * 1024,
      handshakeTimeout: options.connectTimeoutMs ?? 10_000,
    });
    const session = new AgentSession(agent, ws, requestedId, onNotice, options);
    return { session, sessionId: await session.#ready };
  }

  /** True while the agent connection is open. */
  get open(): boolean {
    return !this.#closed && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends the question as a `user.message`. */
  async ask(question: string): Promise<void> {
    const sessionId = await this.#ready;
    if (!this.open) throw new AppError('UPSTREAM_LOST', `The agent ${this.agent.name} is not connected`);
    this.#ws.send(JSON.stringify({ event: 'user.message', session_id: sessionId, content: question }));
  }

  close(): void {
    this.#closed = true;
    this.#ws.close(1000);
    const timer = setTimeout(() => this.#ws.terminate(), 2_000);
    timer.unref();
  }
}

function text(content: unknown): string {
  const value = typeof content === 'string' ? content : JSON.stringify(content ?? '');
  return (value ?? '').slice(0, 1000);
}
