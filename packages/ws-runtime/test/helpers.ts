// Test helpers: a runtime on a real loopback server, and a WebSocket client that records what it gets.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  type AgentRuntime,
  type AgentRuntimeOptions,
  createAgentRuntime,
  loadAgentModule,
} from '../src/index.js';

export const FIXTURE_AGENT = fileURLToPath(new URL('./fixtures/test-agent.ts', import.meta.url));

/** An event as the server sends it. */
export interface Received {
  event: string;
  session_id?: string;
  step_id?: string;
  content?: unknown;
  metadata?: Record<string, unknown>;
  seq: number;
  event_id: string;
  connection_id: string;
  timestamp: string;
}

/** Polls until `check` returns a value (not undefined/false), or fails after the deadline. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A recording client. */
export class TestClient {
  readonly messages: Received[] = [];
  closed = false;
  closeCode?: number;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.messages.push(JSON.parse(String(data)) as Received));
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
    });
  }

  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits for the `nth` (0-based) event of a name, optionally of one session. */
  waitEvent(
    event: string,
    options: { session?: string; nth?: number; timeoutMs?: number } = {},
  ): Promise<Received> {
    return waitFor(
      () =>
        this.messages.filter(
          (m) => m.event === event && (!options.session || m.session_id === options.session),
        )[options.nth ?? 0],
      `${event}${options.session ? ` in ${options.session}` : ''}`,
      options.timeoutMs,
    );
  }

  events(session?: string): string[] {
    return this.messages.filter((m) => !session || m.session_id === session).map((m) => m.event);
  }

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
  async turn(sessionId: string, content: string, timeoutMs?: number): Promise<Received[]> {
    const start = this.messages.length;
    this.send({ event: 'user.message', session_id: sessionId, content });
    const ends = new Set(['agent.final_answer', 'agent.error', 'agent.timeout', 'agent.interrupted']);
    const mine = () => this.messages.slice(start).filter((m) => m.session_id === sessionId);
    const end = await waitFor(
      () => {
        const at = mine().findIndex((m) => ends.has(m.event));
        return at >= 0 ? at : undefined;
      },
      `end of the turn '${content}'`,
      timeoutMs,
    );
    return mine().slice(0, end + 1);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await done;
  }
}

/** A runtime serving the fixture agent on 127.0.0.1, port 0. */
export async function startRuntime(
  options: Partial<AgentRuntimeOptions> & { agentPath?: string } = {},
): Promise<{ url: string; runtime: AgentRuntime; close(): Promise<void> }> {
  const agent = options.agent ?? (await loadAgentModule(options.agentPath ?? FIXTURE_AGENT));
  const runtime = createAgentRuntime({ mode: 'in-process', ...options, agent });
  const server = createServer();
  runtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    runtime,
    async close() {
      await runtime.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The agent of the hostile-agent suite: it misbehaves as each message asks. */
export const HOSTILE_AGENT = fileURLToPath(new URL('./fixtures/hostile-agent.ts', import.meta.url));
