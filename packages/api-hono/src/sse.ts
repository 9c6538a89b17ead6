import { AppError } from '@myagent/models';

/** Options of {@link eventStream}. */
export interface EventStreamOptions {
  heartbeatMs: number;
  /** Bytes held for a client that does not read; past this the client is dropped. */
  maxBufferedBytes: number;
  /** The request's own signal (the client went away). */
  requestSignal: AbortSignal;
  /** The API's shutdown signal. */
  shutdown?: AbortSignal;
  /** Called once when the stream ends, whatever ended it: unsubscribe here. */
  onClose: () => void;
}

/** Sends one event on a stream; false once the stream is closed (the caller may stop producing). */
export type SendEvent = (event: string, data: unknown, id?: string | number) => boolean;

const encoder = new TextEncoder();

/** How many event streams are open, bounded by the API's `sseMaxStreams`. */
export class StreamGate {
  #open = 0;
  constructor(private readonly max: number) {}

  /** Takes a slot or throws 503; the returned release gives it back (once). */
  acquire(): () => void {
    if (this.#open >= this.max) {
      throw new AppError('INSUFFICIENT_RESOURCES', `At most ${this.max} event streams may be open at once`, {
        details: { max_streams: this.max },
      });
    }
    this.#open++;
    let released = false;
    return () => {
      if (!released) this.#open--;
      released = true;
    };
  }
}

/**
 * A `text/event-stream` body. Events are queued in the stream itself, bounded in bytes: a client that reads
 * slower than events come is dropped (never buffered without end). Heartbeat comments keep the line open;
 * the client leaving, the queue overflowing or the shutdown signal ends it.
 */
export function eventStream(options: EventStreamOptions): {
  body: ReadableStream<Uint8Array>;
  send: SendEvent;
} {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const close = (reason?: string) => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    options.requestSignal.removeEventListener('abort', onAbort);
    options.shutdown?.removeEventListener('abort', onShutdown);
    try {
      if (reason) controller.enqueue(encoder.encode(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`));
      controller.close();
    } catch {
      // Already errored or cancelled.
    }
    options.onClose();
  };
  const drop = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    controller.error(new Error('event stream client too slow'));
    options.onClose();
  };
  const onAbort = () => close();
  const onShutdown = () => close('shutdown');
  const write = (text: string): boolean => {
    if (closed) return false;
    const chunk = encoder.encode(text);
    // desiredSize is the room left under the byte bound: a full queue means the client stopped reading.
    if ((controller.desiredSize ?? 0) < chunk.byteLength) {
      drop();
      return false;
    }
    controller.enqueue(chunk);
    return true;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
        heartbeat.unref?.();
        options.requestSignal.addEventListener('abort', onAbort);
        options.shutdown?.addEventListener('abort', onShutdown);
        if (options.shutdown?.aborted || options.requestSignal.aborted) queueMicrotask(onShutdown);
      },
      cancel() {
        close();
      },
    },
    { highWaterMark: options.maxBufferedBytes, size: (chunk) => chunk.byteLength },
  );
  const send: SendEvent = (event, data, id) =>
    write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  return { body, send };
}

/** The headers of an event stream response. */
export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx and other buffering proxies would otherwise hold events back.
  'x-accel-buffering': 'no',
} as const;

/** What the routes' streams share: the gate, the bounds, the shutdown signal. */
export interface StreamSettings {
  gate: StreamGate;
  heartbeatMs: number;
  maxBufferedBytes: number;
  signal?: AbortSignal;
}

/** An open event stream of a request: `send`, things to undo when it ends, and its response. */
export interface OpenStream {
  send: SendEvent;
  /** Runs `cleanup` when the stream ends (at once if it has ended). */
  onClose(cleanup: () => void): void;
  response(): Response;
}

/** Takes a slot of the gate (503 when none is left) and opens a stream that gives it back when it ends. */
export function openStream(request: Request, settings: StreamSettings): OpenStream {
  const release = settings.gate.acquire();
  const cleanups: (() => void)[] = [release];
  let ended = false;
  const { body, send } = eventStream({
    heartbeatMs: settings.heartbeatMs,
    maxBufferedBytes: settings.maxBufferedBytes,
    requestSignal: request.signal,
    shutdown: settings.signal,
    onClose: () => {
      ended = true;
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  });
  return {
    send,
    onClose: (cleanup) => (ended ? cleanup() : void cleanups.push(cleanup)),
    response: () => new Response(body, { headers: EVENT_STREAM_HEADERS }),
  };
}
