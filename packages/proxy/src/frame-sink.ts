import type { FrameFault } from './frames.js';

// The contract between a frame reader and the connection it reads for: what becomes of each message.

/** What becomes of a data message (its first frame decides; its continuations follow). */
export enum Mode {
  /** Streams through unchanged. */
  Pass = 0,
  /** Is skipped. */
  Drop = 1,
  /** Streams through, and its payload is also copied (bounded) for the sink to read at its end. */
  Capture = 2,
  /** Is skipped, its payload copied (bounded) for the sink. */
  DropCapture = 3,
  /** Is held whole until its last frame, then handed to the sink, which writes it or not. */
  Hold = 4,
}

/** Where a reader hands what it read. */
export interface FrameSink {
  /** Bytes of frames that pass, in order. */
  pass(bytes: Buffer): void;
  /**
   * Decides a data message by its opcode and, for readers with a prefix length, its first payload bytes
   * (unmasked: prefixes are read only on unmasked streams): `buf[start, start + length)`.
   */
  classify(opcode: number, buf: Buffer, start: number, length: number, payloadLength: number): Mode;
  /**
   * A message `classify` chose to hold came whole in one frame within one read: its payload is
   * `buf[start, start + length)`, masked with the key at `maskOffset` (-1: unmasked). True lets it pass as it
   * came, in the run of passing bytes (no copy, no hold); false holds it as usual. Optional.
   */
  inspect?(buf: Buffer, start: number, length: number, maskOffset: number): boolean;
  /** A held message is complete: its raw frames, in order. */
  held(frames: Buffer[]): void;
  /** A captured message is complete: its payload (unmasked), or null when it exceeded the capture bound. */
  captured(payload: Buffer | null, dropped: boolean): void;
  /** A close frame arrived (raw frame and unmasked payload); it is not passed on by the reader. */
  close(frame: Buffer, payload: Buffer): void;
  /** A frame no peer may send, or a bound exceeded; the reader reads nothing more. */
  fault(fault: FrameFault): void;
  /** Called at a message boundary once {@link FrameReader.wantBoundary} was set. */
  boundary(): void;
}

/** Bounds of a reader. */
export interface ReaderLimits {
  /** Frames of a client are masked, an agent server's are not. */
  masked: boolean;
  /** Payload bytes `classify` sees of a message's first frame (0: decided by opcode alone). */
  prefixBytes: number;
  /** The largest frame, and the largest held message. */
  maxMessageBytes: number;
  /** The most payload a capture copies. */
  maxCaptureBytes: number;
}
