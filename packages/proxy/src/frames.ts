import { createHash, randomFillSync } from 'node:crypto';

// RFC 6455 framing, the little of it a relay needs: read a frame header in place, unmask a few bytes to
// look at them, and build the frames the proxy sends itself. Frames that pass through are never decoded.

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** The GUID of RFC 6455 §1.3 that turns a Sec-WebSocket-Key into its accept value. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The Sec-WebSocket-Accept answer to a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID)
    .digest('base64');
}

/** A frame header as read in place; `payloadLength` may exceed what has arrived so far. */
export interface FrameHeader {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Offset of the 4-byte mask key in the buffer read, or -1. */
  maskOffset: number;
  headerLength: number;
  payloadLength: number;
}

/** A header to read into (readHeader fills it in place, so one object serves every frame). */
export function emptyHeader(): FrameHeader {
  return { fin: false, rsv: 0, opcode: 0, masked: false, maskOffset: -1, headerLength: 0, payloadLength: 0 };
}

/** Why a frame header is refused: the close code to answer with and a reason. */
export interface FrameFault {
  code: number;
  reason: string;
}

/**
 * Reads the header at `offset`, or returns null when fewer bytes than the header holds have arrived.
 * Lengths beyond 2^53 are refused by the caller's bound long before they matter.
 */
export function readHeader(buf: Buffer, offset: number, out: FrameHeader): boolean {
  const available = buf.length - offset;
  if (available < 2) return false;
  const b0 = buf[offset] as number;
  const b1 = buf[offset + 1] as number;
  const masked = (b1 & 0x80) !== 0;
  let length = b1 & 0x7f;
  let headerLength = 2;
  if (length === 126) {
    if (available < 4) return false;
    length = buf.readUInt16BE(offset + 2);
    headerLength = 4;
  } else if (length === 127) {
    if (available < 10) return false;
    length = buf.readUInt32BE(offset + 2) * 0x1_0000_0000 + buf.readUInt32BE(offset + 6);
    headerLength = 10;
  }
  if (masked) {
    if (available < headerLength + 4) return false;
    out.maskOffset = offset + headerLength;
    headerLength += 4;
  } else out.maskOffset = -1;
  out.fin = (b0 & 0x80) !== 0;
  out.rsv = b0 & 0x70;
  out.opcode = b0 & 0x0f;
  out.masked = masked;
  out.headerLength = headerLength;
  out.payloadLength = length;
  return true;
}

/** The longest header: 2 bytes, 8 of extended length, 4 of mask. */
export const MAX_HEADER_BYTES = 14;

/** A frame no peer may send (RFC 6455 §5.2, §5.5): reserved bits or opcodes, bad control frames. */
export function headerFault(h: FrameHeader, mustMask: boolean): FrameFault | null {
  if (h.rsv !== 0) return { code: 1002, reason: 'Reserved bits set' };
  if (h.masked !== mustMask)
    return {
      code: 1002,
      reason: mustMask ? 'Client frames must be masked' : 'Server frames must not be masked',
    };
  const op = h.opcode;
  if (op >= 0x8) {
    if (op > OP_PONG) return { code: 1002, reason: 'Reserved opcode' };
    if (!h.fin || h.payloadLength > 125) return { code: 1002, reason: 'Invalid control frame' };
  } else if (op > OP_BINARY) return { code: 1002, reason: 'Reserved opcode' };
  return null;
}

/** A mask key read into 4 slots (all 0 for unmasked bytes), reused: scans run synchronously. */
const scanKey = new Uint8Array(4);

/**
 * Could this JSON text spell `word` inside a string? True when `word` appears literally or any `\u` escape
 * does (an escape could spell it); false proves it cannot. Reads `buf[start, start + length)` in place,
 * unmasking with the key at `maskOffset` (-1: not masked) byte by byte: no copy, no allocation. The first
 * byte of `word` must not occur again in it (as in `proxy.`), which keeps the match a single counter.
 */
export function mayMention(
  buf: Buffer,
  start: number,
  length: number,
  maskOffset: number,
  word: Buffer,
): boolean {
  const key = scanKey;
  for (let k = 0; k < 4; k++) key[k] = maskOffset < 0 ? 0 : (buf[maskOffset + k] as number);
  const first = word[0] as number;
  const last = word.length;
  let matched = 0;
  let backslash = false;
  for (let i = 0; i < length; i++) {
    const c = (buf[start + i] as number) ^ (key[i & 3] as number);
    if (c === word[matched]) {
      if (++matched === last) return true;
    } else matched = c === first ? 1 : 0;
    if (backslash && c === 0x75) return true;
    // `\\u` is an escaped backslash then `u`: flagged too, which only costs a JSON parse.
    backslash = c === 0x5c;
  }
  return false;
}

let maskPool = Buffer.alloc(0);
let maskAt = 0;

/** Four fresh mask bytes, drawn from a pool refilled from the CSPRNG 1,024 keys at a time. */
function nextMask(): Buffer {
  if (maskAt + 4 > maskPool.length) {
    maskPool = randomFillSync(Buffer.allocUnsafe(4096));
    maskAt = 0;
  }
  const key = maskPool.subarray(maskAt, maskAt + 4);
  maskAt += 4;
  return key;
}

/** Builds one final frame; `mask` for the proxy's frames to an agent server (client side of RFC 6455). */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 0x1_0000 ? 2 : 8;
  const headerLength = 2 + extended + (mask ? 4 : 0);
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x80 | opcode;
  frame[1] = (mask ? 0x80 : 0) | (extended === 0 ? length : extended === 2 ? 126 : 127);
  if (extended === 2) frame.writeUInt16BE(length, 2);
  else if (extended === 8) {
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (!mask) {
    payload.copy(frame, headerLength);
    return frame;
  }
  const key = nextMask();
  key.copy(frame, headerLength - 4);
  for (let i = 0; i < length; i++) frame[headerLength + i] = (payload[i] as number) ^ (key[i & 3] as number);
  return frame;
}

/** A text frame of a JSON value. */
export function jsonFrame(value: unknown, mask: boolean): Buffer {
  return encodeFrame(OP_TEXT, Buffer.from(JSON.stringify(value)), mask);
}

/** A close frame with a code and a reason cut to fit the 125-byte control payload. */
export function closeFrame(code: number, reason: string, mask: boolean): Buffer {
  let text = Buffer.from(reason);
  if (text.length > 123) text = text.subarray(0, 123);
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return encodeFrame(OP_CLOSE, payload, mask);
}

/** Close codes a peer may put on the wire (RFC 6455 §7.4); others are replaced by 1002 or 1005. */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Reads the code and reason of a close payload (already unmasked); 1005 when it carries none. */
export function parseClose(payload: Buffer): { code: number; reason: string } {
  if (payload.length < 2) return { code: 1005, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}

/** The payload of held frames, unmasked and joined (frames as a client sends them, or unmasked ones). */
export function heldPayload(
  frames: readonly Buffer[],
  into: { buf: Buffer },
): { buf: Buffer; length: number } {
  const h: FrameHeader = emptyHeader();
  let total = 0;
  for (const frame of frames) {
    readHeader(frame, 0, h);
    total += h.payloadLength;
  }
  if (into.buf.length < total) into.buf = Buffer.allocUnsafe(Math.max(total, into.buf.length * 2));
  const out = into.buf;
  let at = 0;
  for (const frame of frames) {
    readHeader(frame, 0, h);
    const start = h.headerLength;
    if (h.masked) {
      const k0 = frame[h.maskOffset] as number;
      const k1 = frame[h.maskOffset + 1] as number;
      const k2 = frame[h.maskOffset + 2] as number;
      const k3 = frame[h.maskOffset + 3] as number;
      const n = h.payloadLength;
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        out[at + i] = (frame[start + i] as number) ^ k0;
        out[at + i + 1] = (frame[start + i + 1] as number) ^ k1;
        out[at + i + 2] = (frame[start + i + 2] as number) ^ k2;
        out[at + i + 3] = (frame[start + i + 3] as number) ^ k3;
      }
      const keys = [k0, k1, k2, k3];
      for (; i < n; i++) out[at + i] = (frame[start + i] as number) ^ (keys[i & 3] as number);
    } else frame.copy(out, at, start, start + h.payloadLength);
    at += h.payloadLength;
  }
  return { buf: out, length: total };
}
