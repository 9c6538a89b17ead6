/** A received WebSocket message: `ws`'s `RawData`. */
export type SocketData = Buffer | ArrayBuffer | Buffer[];

/**
 * The open WebSocket the runtime serves, described by the members it uses (kysely's habit with its
 * drivers) so that the published types need no `@types/ws`. A `ws` WebSocket fits as it is.
 */
export interface RuntimeSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly CLOSED: number;
  /** Bytes queued but not yet sent: a peer that stops reading is dropped past a bound. */
  readonly bufferedAmount: number;
  send(data: string): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: SocketData, isBinary: boolean) => void): this;
  on(event: 'pong', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'close', listener: () => void): this;
}
