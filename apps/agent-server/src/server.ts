import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentServerHealth, AppError, TRACE_LOG_MESSAGE, type TraceEvent } from '@myagent/models';
import {
  type AgentRuntime,
  createAgentRuntime,
  guardConnections,
  loadAgentModule,
  resolveGuardOptions,
} from '@myagent/ws-runtime';
import { createJsonLogger } from './logger.js';
import type { AgentServerOptions } from './options.js';

/** The `GET /health` answer: models' schema, re-exported for the agent server's users. */
export type { AgentServerHealth } from '@myagent/models';

/** A running agent server. */
export interface AgentServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly agentName: string;
  readonly runtime: AgentRuntime;
  readonly server: Server;
  health(): AgentServerHealth;
  /** Stops accepting, lets running turns finish within the drain timeout, ends sessions, closes. */
  close(): Promise<void>;
}

const seconds = (value: number | undefined) => (value === undefined ? undefined : value * 1000);

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new AppError('PORT_IN_USE', `Port ${port} on ${host} is already in use`, { cause: error }));
      } else
        reject(new AppError('SERVICE_START_FAILED', `Cannot listen on ${host}:${port}: ${error.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Bytes queued on stdout past which trace lines are dropped rather than queued. */
const MAX_QUEUED_TRACE_BYTES = 8 * 1024 * 1024;

function traceWriter(write: ((line: string) => void) | undefined): (trace: TraceEvent) => void {
  const line = (trace: TraceEvent) =>
    JSON.stringify({ time: trace.timestamp, level: 'info', msg: TRACE_LOG_MESSAGE, trace });
  if (write) return (trace) => write(line(trace));
  // Node writes to a pipe synchronously: a manager slow to read would stall every run of this server on a
  // full pipe. Non-blocking, a slow reader costs queued memory instead, bounded below by dropping trace
  // lines (never other log lines) while the queue is long.
  (process.stdout as unknown as { _handle?: { setBlocking?: (on: boolean) => void } })._handle?.setBlocking?.(
    false,
  );
  let pending = '';
  const flush = () => {
    const text = pending;
    pending = '';
    if (text === '') return;
    if (process.stdout.writableLength <= MAX_QUEUED_TRACE_BYTES) process.stdout.write(text);
  };
  process.once('exit', flush);
  return (trace) => {
    if (pending === '') setImmediate(flush);
    pending += `${line(trace)}\n`;
  };
}

/**
 * Loads the agent module and serves it over WebSocket with `GET /health` on the same port.
 * @example const server = await startAgentServer({ agentFile: 'examples/echo-agent.ts', port: 0 });
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const logger = createJsonLogger({ debug: options.debug, write: options.write });
  const host = options.host ?? '127.0.0.1';
  const agent = await loadAgentModule(options.agentFile);
  logger.debug('agent loaded', { agent: agent.name, path: agent.path });
  const guard = resolveGuardOptions({
    handshakeTimeoutMs: seconds(options.handshakeTimeout),
    maxPendingHandshakes: options.maxPendingHandshakes,
    maxConnectionsPerIp: options.maxConnectionsPerIp,
  });
  // Assigned right after the port is bound, before any connection can be served (the request handler
  // runs in a later turn of the event loop): a port in use then fails before any worker starts.
  let runtime: AgentRuntime | undefined;
  const server = createServer(
    {
      // After the first request (the guard's), node's own bounds cover a kept-alive connection.
      headersTimeout: guard.handshakeTimeoutMs || 60_000,
      requestTimeout: Math.max(guard.handshakeTimeoutMs, 30_000),
      connectionsCheckingInterval: 1_000,
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (runtime && path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(runtime.draining ? 503 : 200, { 'content-type': 'application/json' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(runtime.health()));
        return;
      }
      const error = new AppError('INVALID_REQUEST', 'Not found: connect with WebSocket, or GET /health');
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(error.toJSON()));
    },
  );
  guardConnections(server, guard);
  await listen(server, host, options.port ?? 8081);
  try {
    runtime = createAgentRuntime({
      agent,
      mode: options.inProcess ? 'in-process' : 'worker',
      workers: options.workers || undefined,
      workerMemoryMb: options.workerMemoryMb,
      runsPerWorker: options.runsPerWorker,
      maxSessions: options.maxSessions,
      sessionTimeoutMs: seconds(options.sessionTimeout),
      heartbeatIntervalMs: seconds(options.heartbeatInterval),
      runTimeoutMs: seconds(options.runTimeout),
      maxMessageBytes: options.maxMessageBytes,
      stateSecret: options.stateSecret,
      greeting: options.greeting,
      maxEventBytes: options.maxEventBytes,
      replayBufferSize: options.replayBufferSize,
      replayBufferBytes: options.replayBufferBytes,
      retiredSessions: options.retiredSessions,
      retiredBytes: options.retiredBytes,
      maxHistoryMessages: options.maxHistoryMessages,
      maxHistoryBytes: options.maxHistoryBytes,
      maxStateBytes: options.maxStateBytes,
      maxPendingRuns: options.maxPendingRuns,
      maxPendingBytes: options.maxPendingBytes,
      maxBufferedBytes: options.maxBufferedBytes,
      maxSessionsPerConnection: options.maxSessionsPerConnection,
      logger,
      ...(options.traces === false ? {} : { onTrace: traceWriter(options.write) }),
    });
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const live = runtime;
  live.attach(server);
  const port = (server.address() as AddressInfo).port;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('listening', { url, agent: agent.name, mode: live.mode, pid: process.pid });
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    agentName: agent.name,
    runtime: live,
    server,
    health: () => live.health(),
    close() {
      closing ??= (async () => {
        // Upgrades are refused from here on, while GET /health keeps answering "draining".
        await live.drain(seconds(options.drainTimeout ?? 10));
        await live.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        logger.info('stopped', { agent: agent.name });
      })();
      return closing;
    },
  };
}
