import type { Duplex } from 'node:stream';
import type { AppError } from '@myagent/models';
import { acceptKey, closeFrame, jsonFrame } from './frames.js';

// The proxy's answers to a client's handshake: the 101, and refusals (HTTP, or an `error` event and a close).

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

/** Answers a handshake the proxy will not upgrade with an empty HTTP response (`extra`: more headers). */
export function refuse(socket: Duplex, status: number, extra = ''): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`,
  );
}

/** Answers the upgrade and sends one `error` event, then closes: for handshakes the proxy refuses. */
export function refuseWithEvent(
  socket: Duplex,
  key: string,
  error: AppError,
  recoverable: boolean,
  code: number,
  closeTimeoutMs: number,
): void {
  const event = jsonFrame(
    {
      event: 'error',
      data: { code: error.code, message: error.expose ? error.message : 'Internal error', recoverable },
      timestamp: new Date().toISOString(),
    },
    false,
  );
  socket.write(acceptHeaders(key));
  socket.write(event);
  socket.end(closeFrame(code, error.code, false));
  socket.on('data', () => {});
  setTimeout(() => socket.destroy(), closeTimeoutMs).unref();
}

/** The 101 response that accepts a WebSocket handshake with this Sec-WebSocket-Key. */
export function acceptHeaders(key: string): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`;
}
