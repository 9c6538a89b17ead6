import { type CheckResult, PROBE_HEADER } from '@myagent/models';
import WebSocket from 'ws';

/** Options of {@link checkWebSocket}. */
export interface WebSocketCheckOptions {
  /** The whole check (connect, handshake, ping, pong) must finish within this. Default 5000 ms. */
  timeoutMs?: number;
  /** Aborting ends the check as unhealthy and drops the socket at once. */
  signal?: AbortSignal;
  /** After the pong, how long the close handshake may take before the socket is dropped. Default 1000 ms. */
  closeGraceMs?: number;
}

/** A websocket check's outcome: a check result plus the time from connect to pong. */
export interface WebSocketCheckResult extends CheckResult {
  /** Milliseconds from the start of the connect to the pong; null when no pong came. */
  response_time_ms: number | null;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function describeError(error: Error & { code?: string }): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ECONNRESET') return 'connection reset';
  return error.code ? `${error.code}: ${error.message}` : error.message;
}

function isPong(data: WebSocket.RawData): boolean {
  try {
    const message = JSON.parse(data.toString()) as { event?: unknown; type?: unknown } | null;
    return message?.event === 'pong' || message?.type === 'pong';
  } catch {
    return false;
  }
}

/**
 * Connects to an agent server, sends `{"event":"ping"}`, waits for `{"event":"pong"}` and measures the
 * round trip. Never rejects: a refusal, a handshake that never completes, a silent server or a timeout are
 * each an unhealthy result with the reason.
 * @example const outcome = await checkWebSocket('ws://127.0.0.1:8081', { timeoutMs: 2000 });
 */
export function checkWebSocket(
  endpoint: string,
  options: WebSocketCheckOptions = {},
): Promise<WebSocketCheckResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const closeGraceMs = options.closeGraceMs ?? 1000;
  const { signal } = options;
  const started = performance.now();

  return new Promise((resolve) => {
    const unhealthy = (message: string, details: Record<string, unknown> = {}) =>
      finish({ status: 'unhealthy', message, details: { endpoint, ...details }, response_time_ms: null });

    if (signal?.aborted) {
      resolve({
        status: 'unhealthy',
        message: 'check aborted',
        details: { endpoint },
        response_time_ms: null,
      });
      return;
    }
    let ws: WebSocket;
    try {
      // Marked as a probe, so that the agent server does not count the check among its client connections.
      ws = new WebSocket(endpoint, {
        perMessageDeflate: false,
        followRedirects: false,
        headers: { [PROBE_HEADER]: 'health' },
      });
    } catch (error) {
      resolve({
        status: 'unhealthy',
        message: `invalid endpoint: ${(error as Error).message}`,
        details: { endpoint },
        response_time_ms: null,
      });
      return;
    }

    let settled = false;
    let openedAt: number | null = null;
    let pingAt = 0;
    let closeTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(closeTimer);
      ws.terminate();
      unhealthy('check aborted');
    };
    const timer = setTimeout(() => {
      const phase = openedAt === null ? 'no WebSocket handshake' : 'no pong';
      unhealthy(`timed out: ${phase} within ${timeoutMs} ms`, { timeout_ms: timeoutMs });
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    function finish(result: WebSocketCheckResult) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
      if (ws.readyState === WebSocket.OPEN) {
        // A polite close, so the agent server does not log an abnormal closure; dropped if it lingers.
        ws.close(1000, 'health check done');
        closeTimer = setTimeout(() => ws.terminate(), closeGraceMs);
      } else if (ws.readyState !== WebSocket.CLOSED) {
        ws.terminate();
      }
    }

    // Errors after the verdict (a terminate during the handshake emits one) are expected and ignored.
    ws.on('error', (error) =>
      unhealthy(describeError(error), { phase: openedAt === null ? 'connect' : 'open' }),
    );
    ws.on('unexpected-response', (_request, response) => {
      response.resume();
      unhealthy(`the server answered the upgrade with HTTP ${response.statusCode}`, {
        http_status: response.statusCode,
      });
    });
    ws.on('open', () => {
      openedAt = performance.now();
      pingAt = openedAt;
      ws.send(JSON.stringify({ event: 'ping', timestamp: new Date().toISOString() }));
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary || settled || !isPong(data)) return;
      const now = performance.now();
      finish({
        status: 'healthy',
        message: `pong in ${round(now - pingAt)} ms`,
        details: {
          endpoint,
          connect_ms: round((openedAt ?? now) - started),
          round_trip_ms: round(now - pingAt),
        },
        response_time_ms: round(now - started),
      });
    });
    ws.on('close', (code) => {
      clearTimeout(closeTimer);
      signal?.removeEventListener('abort', onAbort);
      unhealthy(`the server closed the connection (code ${code}) before answering the ping`, {
        close_code: code,
      });
    });
  });
}
