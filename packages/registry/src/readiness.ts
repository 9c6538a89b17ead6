import { setTimeout as delay } from 'node:timers/promises';
import { PROBE_HEADER } from '@myagent/models';
import WebSocket from 'ws';

/**
 * Opens a WebSocket, sends the protocol's `{"event":"ping"}` and resolves with the round trip in ms once
 * `pong` arrives. Rejects on refusal, close or timeout; the socket is always let go.
 */
export function pingOnce(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolvePing, rejectPing) => {
    const started = performance.now();
    // Marked as a probe: the agent server does not count it among its client connections.
    const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, headers: { [PROBE_HEADER]: 'ready' } });
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      if (error) rejectPing(error);
      else resolvePing(performance.now() - started);
    };
    const timer = setTimeout(() => finish(new Error(`no pong within ${timeoutMs} ms`)), timeoutMs);
    socket.on('open', () => socket.send(JSON.stringify({ event: 'ping' })));
    socket.on('message', (data) => {
      try {
        const message = JSON.parse(String(data)) as { event?: unknown };
        if (message.event === 'pong') finish();
      } catch {
        // Anything else (a greeting, a heartbeat) is not the answer we wait for.
      }
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', (code) => finish(new Error(`closed with code ${code} before answering ping`)));
  });
}

/** Options of {@link waitUntilReady}. */
export interface WaitUntilReadyOptions {
  timeoutMs: number;
  /** Aborting stops waiting at once (the child died, or a stop was asked for). */
  signal?: AbortSignal;
  /** Pause between attempts while the port refuses connections. */
  intervalMs?: number;
}

/**
 * Pings `url` until it answers or the deadline passes: readiness is an answered ping, never a fixed sleep.
 * @throws Error saying what the last attempt saw.
 */
export async function waitUntilReady(url: string, options: WaitUntilReadyOptions): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 20;
  let last = 'no attempt made';
  while (!options.signal?.aborted) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) break;
    try {
      return await pingOnce(url, Math.max(1, Math.min(remaining, 5_000)));
    } catch (error) {
      last = (error as Error).message || String(error);
    }
    if (options.signal?.aborted) break;
    const wait = Math.min(interval, deadline - performance.now());
    if (wait > 0) await delay(wait, undefined, { signal: options.signal }).catch(() => {});
  }
  if (options.signal?.aborted) throw new Error('readiness wait aborted');
  throw new Error(
    `no answer to a WebSocket ping within ${options.timeoutMs / 1000} s (last attempt: ${last})`,
  );
}
