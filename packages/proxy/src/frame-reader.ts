import { type FrameSink, Mode, type ReaderLimits } from './frame-sink.js';
import {
  emptyHeader,
  type FrameFault,
  type FrameHeader,
  headerFault,
  MAX_HEADER_BYTES,
  OP_CLOSE,
  OP_CONTINUATION,
  OP_PING,
  OP_PONG,
  readHeader,
} from './frames.js';

// One direction of a relay: reads the frame stream as it arrives and hands byte ranges on, unchanged, to a
// sink. In the common case (whole frames within a read, passed through) it only reads headers and hands on
// the read itself: no copy, no decode. The sink decides per message what to do with it.

const NO_FAULT = null;

export class FrameReader {
  /** Bytes read so far. */
  bytes = 0;
  /** Data messages completed so far. */
  messages = 0;
  /** True between the first and the last frame of a data message, or inside a frame. */
  get midMessage(): boolean {
    return this.inFrame || this.inMessage || this.stash !== null;
  }
  /** Set to be told (once) at the next message boundary. */
  wantBoundary = false;

  private readonly h: FrameHeader = emptyHeader();
  /** Bytes of a header (and prefix) split across reads, kept until the rest arrives. */
  private stash: Buffer | null = null;
  private inFrame = false;
  private inMessage = false;
  private stopped = false;
  /** Of the current frame. */
  private opcode = 0;
  private fin = false;
  private remaining = 0;
  private payloadSeen = 0;
  private mode: Mode = Mode.Pass;
  /** The frame's mask key, its 4 bytes as one big-endian number (no Buffer per reader). */
  private key = 0;
  private keyed = false;
  /** The mode of the message in progress, for its continuation frames. */
  private messageMode: Mode = Mode.Pass;
  /** A control frame or held frame being filled. */
  private frame: Buffer | null = null;
  private frameFill = 0;
  private heldFrames: Buffer[] = [];
  private heldBytes = 0;
  private capture: Buffer | null = null;
  private captureFill = 0;
  private captureOverflow = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly limits: ReaderLimits,
  ) {}

  /** Reads no more; what arrives later is ignored. */
  stop(): void {
    this.stopped = true;
    this.stash = null;
    this.heldFrames = [];
    this.capture = null;
  }

  feed(input: Buffer): void {
    if (this.stopped) return;
    this.bytes += input.length;
    let chunk = input;
    if (this.stash !== null) {
      chunk = Buffer.concat([this.stash, input]);
      this.stash = null;
    }
    const end = chunk.length;
    let pos = 0;
    let seg = 0;
    const sink = this.sink;
    while (pos < end) {
      if (!this.inFrame) {
        const h = this.h;
        if (!readHeader(chunk, pos, h)) {
          this.stash = this.keep(chunk, pos, seg);
          return;
        }
        const fault =
          headerFault(h, this.limits.masked) ??
          (h.payloadLength > this.limits.maxMessageBytes
            ? { code: 1009, reason: 'Frame too large' }
            : h.opcode === OP_CONTINUATION && !this.inMessage
              ? { code: 1002, reason: 'Continuation without a message' }
              : h.opcode !== OP_CONTINUATION && h.opcode < OP_CLOSE && this.inMessage
                ? { code: 1002, reason: 'New message inside a fragmented one' }
                : NO_FAULT);
        if (fault) {
          this.fail(chunk, seg, pos, fault);
          return;
        }
        const op = h.opcode;
        let mode: Mode;
        if (op === OP_PING || op === OP_PONG) mode = Mode.Pass;
        else if (op === OP_CLOSE) mode = Mode.Hold;
        else if (op === OP_CONTINUATION) mode = this.messageMode;
        else {
          const want = Math.min(this.limits.prefixBytes, h.payloadLength);
          const payloadAt = pos + h.headerLength;
          if (end - payloadAt < want) {
            this.stash = this.keep(chunk, pos, seg);
            return;
          }
          mode = sink.classify(op, chunk, payloadAt, want, h.payloadLength);
          if (
            mode === Mode.Hold &&
            h.fin &&
            sink.inspect !== undefined &&
            payloadAt + h.payloadLength <= end &&
            sink.inspect(chunk, payloadAt, h.payloadLength, h.maskOffset)
          )
            mode = Mode.Pass;
          this.messageMode = mode;
        }
        if (this.stopped) return;
        this.opcode = op;
        this.fin = h.fin;
        this.mode = mode;
        this.remaining = h.payloadLength;
        this.payloadSeen = 0;
        this.keyed = h.masked;
        if (h.masked) this.key = chunk.readUInt32BE(h.maskOffset);
        if (op < OP_CLOSE) this.inMessage = !h.fin;
        const frameEnd = pos + h.headerLength + h.payloadLength;
        if (mode === Mode.Pass) {
          // The fast path: a passing frame costs its header read.
          if (frameEnd <= end) {
            pos = frameEnd;
            if (this.wantBoundary && pos > seg) {
              // The sink may write at the boundary: what went before goes first.
              sink.pass(chunk.subarray(seg, pos));
              seg = pos;
            }
            this.frameDone();
            if (this.stopped) return;
            continue;
          }
          pos += h.headerLength;
          this.inFrame = true;
          continue;
        }
        // Everything else leaves the run of passing bytes here.
        if (pos > seg) sink.pass(chunk.subarray(seg, pos));
        if (mode === Mode.Hold) {
          if (this.heldBytes + h.payloadLength > this.limits.maxMessageBytes && op < OP_CLOSE) {
            this.fail(chunk, pos, pos, { code: 1009, reason: 'Message too large' });
            return;
          }
          if (frameEnd <= end && (op >= OP_CLOSE || this.heldFrames.length === 0)) {
            // A whole frame within the read: handed on as a view, no copy.
            this.frame = chunk.subarray(pos, frameEnd);
            this.frameFill = this.frame.length;
            pos = frameEnd;
            seg = pos;
            this.frameDone();
            if (this.stopped) return;
            continue;
          }
          this.frame = Buffer.allocUnsafe(h.headerLength + h.payloadLength);
          chunk.copy(this.frame, 0, pos, pos + h.headerLength);
          this.frameFill = h.headerLength;
          seg = pos + h.headerLength;
        } else if (mode === Mode.Capture || mode === Mode.DropCapture) {
          if (op !== OP_CONTINUATION) {
            this.captureOverflow = h.payloadLength > this.limits.maxCaptureBytes;
            this.capture = this.captureOverflow ? null : Buffer.allocUnsafe(h.payloadLength);
            this.captureFill = 0;
          } else if (
            this.capture !== null &&
            this.captureFill + h.payloadLength > this.limits.maxCaptureBytes
          ) {
            this.captureOverflow = true;
            this.capture = null;
          } else if (this.capture !== null) {
            const grown = Buffer.allocUnsafe(this.captureFill + h.payloadLength);
            this.capture.copy(grown, 0, 0, this.captureFill);
            this.capture = grown;
          }
          // A captured frame's header passes (Capture) or goes (DropCapture) with its payload.
          if (mode === Mode.DropCapture) seg = pos + h.headerLength;
          else seg = pos;
        } else seg = pos + h.headerLength;
        pos += h.headerLength;
        this.inFrame = true;
        if (this.remaining === 0) {
          this.inFrame = false;
          if (mode === Mode.Capture && pos > seg) {
            sink.pass(chunk.subarray(seg, pos));
            seg = pos;
          }
          this.frameDone();
          if (this.stopped) return;
        }
        continue;
      }
      // Inside a frame's payload.
      const n = Math.min(this.remaining, end - pos);
      switch (this.mode) {
        case Mode.Pass:
          break;
        case Mode.Drop:
          if (pos > seg) sink.pass(chunk.subarray(seg, pos));
          seg = pos + n;
          break;
        case Mode.Capture:
        case Mode.DropCapture:
          if (this.capture !== null) this.copyOut(chunk, pos, n, this.capture, this.captureFill);
          this.captureFill += n;
          if (this.mode === Mode.DropCapture) {
            if (pos > seg) sink.pass(chunk.subarray(seg, pos));
            seg = pos + n;
          }
          break;
        case Mode.Hold:
          chunk.copy(this.frame as Buffer, this.frameFill, pos, pos + n);
          this.frameFill += n;
          seg = pos + n;
          break;
      }
      pos += n;
      this.payloadSeen += n;
      this.remaining -= n;
      if (this.remaining === 0) {
        this.inFrame = false;
        if (this.mode === Mode.Pass || this.mode === Mode.Capture) {
          // Bytes up to here pass before the sink hears of the frame's end.
          if (pos > seg) sink.pass(chunk.subarray(seg, pos));
          seg = pos;
        }
        this.frameDone();
        if (this.stopped) return;
      }
    }
    if (end > seg) sink.pass(seg === 0 && end === chunk.length ? chunk : chunk.subarray(seg, end));
  }

  /** Copies payload bytes out, unmasked. */
  private copyOut(from: Buffer, start: number, n: number, to: Buffer, at: number): void {
    if (!this.keyed) {
      from.copy(to, at, start, start + n);
      return;
    }
    const key = this.key;
    const skip = this.payloadSeen;
    for (let i = 0; i < n; i++) to[at + i] = (from[start + i] as number) ^ maskByte(key, skip + i);
  }

  /** Passes what went before `pos` and keeps the incomplete header (and prefix) for the next read. */
  private keep(chunk: Buffer, pos: number, seg: number): Buffer {
    if (pos > seg) this.sink.pass(chunk.subarray(seg, pos));
    if (chunk.length - pos > MAX_HEADER_BYTES + this.limits.prefixBytes + 4) {
      // Cannot happen: readHeader needs at most 14 bytes and the prefix is bounded.
      throw new Error('frame reader: stash larger than a header and prefix');
    }
    return Buffer.from(chunk.subarray(pos));
  }

  private fail(chunk: Buffer, seg: number, pos: number, fault: FrameFault): void {
    if (pos > seg) this.sink.pass(chunk.subarray(seg, pos));
    this.stop();
    this.sink.fault(fault);
  }

  private frameDone(): void {
    const op = this.opcode;
    const sink = this.sink;
    if (op === OP_CLOSE) {
      const frame = this.frame as Buffer;
      this.frame = null;
      const payload = Buffer.allocUnsafe(this.h.payloadLength);
      const headerLength = frame.length - payload.length;
      if (this.keyed)
        for (let i = 0; i < payload.length; i++)
          payload[i] = (frame[headerLength + i] as number) ^ maskByte(this.key, i);
      else frame.copy(payload, 0, headerLength);
      sink.close(frame, payload);
      return;
    }
    if (op === OP_PING || op === OP_PONG) return;
    const mode = this.mode;
    if (mode === Mode.Hold) {
      const frame = this.frame as Buffer;
      this.frame = null;
      this.heldFrames.push(frame);
      this.heldBytes += this.h.payloadLength;
    }
    if (!this.fin) return;
    this.messages++;
    if (mode === Mode.Hold) {
      const frames = this.heldFrames;
      this.heldFrames = [];
      this.heldBytes = 0;
      sink.held(frames);
    } else if (mode === Mode.Capture || mode === Mode.DropCapture) {
      const payload = this.captureOverflow ? null : this.capture;
      this.capture = null;
      sink.captured(payload, mode === Mode.DropCapture);
    }
    if (this.wantBoundary && !this.stopped) {
      this.wantBoundary = false;
      sink.boundary();
    }
  }
}

/** Byte `i & 3` of a mask key held as a big-endian 32-bit number. */
function maskByte(key: number, i: number): number {
  return (key >>> ((3 - (i & 3)) << 3)) & 0xff;
}
