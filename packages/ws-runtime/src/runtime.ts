import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AgentServerHealth } from '@myagent/models';
import { PROBE_HEADER } from '@myagent/models';
import { WebSocketServer } from 'ws';
import { createMessageHandler } from './client-messages.js';
import { Connection, RetiredEvents } from './connection.js';
import { type AgentRuntimeOptions, type ResolvedRuntimeOptions, resolveRuntimeOptions } from './options.js';
import { createPoolRunner } from './pool-runner.js';
import { createProxyControl } from './proxy-control.js';
import { type AgentRunner, createInProcessRunner } from './runner.js';
import { SessionHub } from './sessions.js';
import { createStateSigner } from './signed-state.js';
import type { RuntimeSocket } from './socket.js';

/** Live counters of a runtime, as `GET /health` reports them. */
export interface RuntimeStats {
  active_connections: number;
  active_sessions: number;
  total_connections: number;
  /** The most connections open at once since the runtime started. */
  peak_connections: number;
  total_sessions: number;
  completed_sessions: number;
  /** Mean lifetime of the completed sessions, in seconds (0 before the first one ends). */
  avg_session_duration: number;
  active_runs: number;
  total_runs: number;
  error_count: number;
  avg_response_time_ms: number;
  uptime_seconds: number;
}

/** The protocol of protocol.md over `ws`, for one agent; attach it to any node:http server. */
export interface AgentRuntime {
  readonly agentName: string;
  readonly mode: 'worker' | 'in-process';
  /** True once {@link AgentRuntime.drain} began: upgrades are refused, new sessions and runs too. */
  readonly draining: boolean;
  /**
   * Serves WebSocket upgrades of `server` on its own paths (`/` unless `options.paths` says otherwise);
   * an upgrade on any other path is answered 404 and closed. Hosts with other upgrade paths of their own
   * call {@link AgentRuntime.handleUpgrade} from their router instead.
   */
  attach(server: Server, options?: { paths?: readonly string[] }): void;
  /** Completes one upgrade request (for hosts that route upgrades themselves). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Serves an already open WebSocket (a `ws` one fits). */
  handleConnection(ws: RuntimeSocket, request?: IncomingMessage): void;
  stats(): RuntimeStats;
  /** The body of the agent server's `GET /health` (models' `AgentServerHealth`). */
  health(): AgentServerHealth;
  /** Lets running turns finish within `graceMs`, then ends every session and closes every socket. */
  drain(graceMs?: number): Promise<void>;
  /** Drains without grace and stops the worker pool and timers. */
  close(): Promise<void>;
}

/**
 * Creates the runtime for one agent: sessions, runs (worker pool or in-process), heartbeats, limits,
 * replay and signed state.
 * @example
 * const runtime = createAgentRuntime({ agent: await loadAgentModule('agent.ts') });
 * runtime.attach(http.createServer().listen(8081));
 */
export function createAgentRuntime(options: AgentRuntimeOptions): AgentRuntime {
  const opts: ResolvedRuntimeOptions = resolveRuntimeOptions(options);
  const { logger } = opts;
  const runner: AgentRunner =
    opts.mode === 'worker'
      ? createPoolRunner(opts.agent, {
          workers: opts.workers,
          workerMemoryMb: opts.workerMemoryMb,
          runsPerWorker: opts.runsPerWorker,
          logger,
          limits: {
            maxHistoryMessages: opts.maxHistoryMessages,
            maxHistoryBytes: opts.maxHistoryBytes,
            maxStateBytes: opts.maxStateBytes,
          },
        })
      : createInProcessRunner(opts.agent, opts);
  const signer = createStateSigner(opts.stateSecret);
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // ws closes the socket on frames over maxPayload; frames up to this bound get a coded error instead.
    maxPayload: Math.max(opts.maxMessageBytes * 4, 4 * 1024 * 1024),
  });
  const hub = new SessionHub(opts, runner);
  const { sessions, counters } = hub;
  const control = createProxyControl({
    secret: opts.stateSecret,
    signer,
    agentName: opts.agent.name,
    hub,
    logger,
  });
  hub.onRunChange = (session, phase, stopReason) =>
    control.snapshot(session, phase, stopReason === 'shutdown');
  const connections = new Set<Connection>();
  const retired = new RetiredEvents(opts.retiredSessions, opts.retiredBytes);
  const startedAt = Date.now();
  let totalConnections = 0;
  let peakConnections = 0;
  let probes = 0;
  let closed = false;

  const onMessage = createMessageHandler({ opts, hub, control, signer, retired });

  const heartbeat =
    opts.heartbeatIntervalMs > 0 ? setInterval(beat, opts.heartbeatIntervalMs).unref() : undefined;

  function beat() {
    const uptime = Math.round((Date.now() - startedAt) / 1000);
    for (const conn of connections) {
      if (conn.missedPings >= 2) {
        logger.debug('closing dead peer', { connection_id: conn.id });
        conn.ws.terminate();
        continue;
      }
      conn.missedPings++;
      conn.ws.ping();
      if (conn.spoke) {
        conn.send('system.heartbeat', {
          content: 'heartbeat',
          metadata: { active_sessions: sessions.size, uptime },
        });
      }
    }
  }

  function handleConnection(ws: RuntimeSocket, request?: IncomingMessage) {
    if (hub.draining) {
      ws.close(1001, 'Server shutting down');
      return;
    }
    const conn = new Connection(ws, opts);
    connections.add(conn);
    control.accept(conn, request);
    // The manager's readiness pings and health checks say so: they are not clients, and are not counted.
    const probe = request?.headers[PROBE_HEADER] !== undefined;
    if (probe) probes++;
    else {
      totalConnections++;
      peakConnections = Math.max(peakConnections, connections.size - probes);
    }
    logger.debug('connection opened', { connection_id: conn.id, remote: request?.socket.remoteAddress });
    ws.on('message', (data, isBinary) => onMessage(conn, data, isBinary));
    ws.on('pong', () => {
      conn.missedPings = 0;
    });
    ws.on('error', (error) => logger.debug('socket error', { connection_id: conn.id, error: error.message }));
    ws.on('close', () => {
      connections.delete(conn);
      if (probe) probes--;
      for (const session of [...conn.sessions.values()]) {
        retired.keep(session.id, conn.eventsOf(session.id).slice(-200));
        hub.release(session);
      }
      conn.clear();
      logger.debug('connection closed', { connection_id: conn.id });
    });
    const wantsGreeting = opts.greeting || /[?&]greeting=(1|true)\b/.test(request?.url ?? '');
    if (wantsGreeting) {
      conn.spoke = true;
      conn.send('system.connected', {
        content: `Connected to agent ${opts.agent.name}`,
        metadata: { agent_name: opts.agent.name },
      });
    }
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
    if (hub.draining || closed) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => handleConnection(ws, request));
  }

  async function drain(graceMs = 10_000) {
    if (!hub.draining) {
      hub.draining = true;
      logger.info('draining', { active_runs: hub.activeRuns, active_sessions: sessions.size });
    }
    await hub.waitForRuns(graceMs);
    for (const session of sessions.values()) hub.stopRun(session, 'shutdown');
    await hub.waitForRuns(opts.killGraceMs + 100);
    for (const session of [...sessions.values()]) {
      // A proxied session moves to another agent server with its last state: it does not end.
      if (control.handsOver(session)) hub.release(session);
      else hub.end(session, 'shutdown', 'The server is shutting down');
    }
    const closing = [...connections].map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState === conn.ws.CLOSED) return resolve();
          const timer = setTimeout(() => {
            conn.ws.terminate();
            resolve();
          }, 1000);
          conn.ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          conn.ws.close(1001, 'Server shutting down');
        }),
    );
    await Promise.all(closing);
  }

  function stats(): RuntimeStats {
    return {
      active_connections: connections.size - probes,
      active_sessions: sessions.size,
      total_connections: totalConnections,
      peak_connections: peakConnections,
      total_sessions: counters.sessions,
      completed_sessions: counters.completed,
      // Seconds to the microsecond: a test's sessions may last well under a millisecond.
      avg_session_duration: counters.completed
        ? Math.round((counters.sessionMs / counters.completed) * 1000) / 1_000_000
        : 0,
      active_runs: hub.activeRuns,
      total_runs: counters.runs,
      error_count: counters.errors,
      avg_response_time_ms: counters.finished
        ? Math.round((counters.runMs / counters.finished) * 100) / 100
        : 0,
      uptime_seconds: Math.round((Date.now() - startedAt) / 100) / 10,
    };
  }

  return {
    agentName: opts.agent.name,
    mode: runner.mode,
    get draining() {
      return hub.draining;
    },
    attach(server, attachOptions = {}) {
      const paths = new Set(attachOptions.paths ?? ['/']);
      server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (!paths.has(pathnameOf(request.url))) {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        handleUpgrade(request, socket, head);
      });
    },
    handleUpgrade,
    handleConnection,
    stats,
    health: () => {
      const all = stats();
      return {
        status: hub.draining ? 'draining' : 'ok',
        agent: opts.agent.name,
        active_connections: all.active_connections,
        active_sessions: all.active_sessions,
        total_connections: all.total_connections,
        peak_connections: all.peak_connections,
        total_sessions: all.total_sessions,
        completed_sessions: all.completed_sessions,
        avg_session_duration: all.avg_session_duration,
        error_count: all.error_count,
        avg_response_time_ms: all.avg_response_time_ms,
        uptime_seconds: all.uptime_seconds,
        pid: process.pid,
      };
    },
    drain,
    async close() {
      if (closed) return;
      await drain(0);
      closed = true;
      clearInterval(heartbeat);
      wss.close();
      await runner.close();
    },
  };
}

/** The path of a request URL; an unparsable one matches no path. */
function pathnameOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}
