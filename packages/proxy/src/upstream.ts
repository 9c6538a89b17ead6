import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '@myagent/models';
import { acceptKey } from './frames.js';

// The agent server's leg: a plain HTTP upgrade request, answered 101, after which the socket carries the
// frames the relay passes. No extension is offered, so both legs frame alike and frames cross unchanged.

/** What an upstream connector is asked to open. */
export interface UpstreamRequest {
  /** `ws://host:port/path?query` of the agent server. */
  url: URL;
  /** Headers to send besides the WebSocket handshake's own. */
  headers: Record<string, string>;
  /** Give up after this long: UPSTREAM_TIMEOUT. */
  timeoutMs: number;
  /** Aborted when the client left before the upstream answered. */
  signal: AbortSignal;
}

/** An open upstream leg: the socket after the 101, and bytes that came with it. */
export interface UpstreamLeg {
  socket: Socket;
  head: Buffer;
}

/** Opens an upstream WebSocket leg (the default speaks node:http; tests inject failures here). */
export type UpstreamConnector = (request: UpstreamRequest) => Promise<UpstreamLeg>;

/** The default connector: an HTTP/1.1 upgrade request without extensions. */
export const connectUpstream: UpstreamConnector = ({ url, headers, timeoutMs, signal }) =>
  new Promise<UpstreamLeg>((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const req = httpRequest({
      host: url.hostname.replace(/^\[|\]$/gu, ''),
      port: url.port || 80,
      path: `${url.pathname || '/'}${url.search}`,
      agent: false,
      headers: {
        ...headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
    });
    let settled = false;
    const settle = (error: AppError | null, leg?: UpstreamLeg) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(leg as UpstreamLeg);
    };
    const onAbort = () =>
      settle(new AppError('UPSTREAM_LOST', 'The client left before the agent server answered'));
    const timer = setTimeout(
      () =>
        settle(new AppError('UPSTREAM_TIMEOUT', `The agent server did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== acceptKey(key) || res.headers['sec-websocket-extensions']) {
        socket.destroy();
        settle(new AppError('UPSTREAM_LOST', 'The agent server answered the handshake wrongly'));
        return;
      }
      if (settled) {
        socket.destroy();
        return;
      }
      socket.setNoDelay(true);
      settle(null, { socket, head });
    });
    req.on('response', (res) => {
      res.resume();
      settle(
        new AppError('UPSTREAM_LOST', `The agent server refused the connection (HTTP ${res.statusCode})`),
      );
    });
    req.on('error', (error) =>
      settle(new AppError('UPSTREAM_LOST', 'The agent server cannot be reached', { cause: error })),
    );
    req.end();
  });
