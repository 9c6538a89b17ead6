import { Mode } from './frame-sink.js';
import { OP_TEXT } from './frames.js';

// The agent server frames the proxy reads (session replies) or drops (its own), by their first bytes.

/** The prefixes (the agent server writes `event` first) of the upstream frames the proxy looks into. */
const PREFIX = {
  sessionControl: Buffer.from('{"event":"system.session_'),
  proxyControl: Buffer.from('{"event":"system.proxy_'),
  sessionCreated: Buffer.from('{"event":"agent.session_created"'),
  stateRestored: Buffer.from('{"event":"agent.state_restored"'),
  sessionEnd: Buffer.from('{"event":"agent.session_end"'),
};
export const PREFIX_BYTES = Math.max(...Object.values(PREFIX).map((p) => p.length));
/** Session replies are small; control frames carry a signed state of up to 1 MiB; larger is not read. */
export const MAX_CAPTURE_BYTES = 1024 * 1024 + 4096;

function startsWith(buf: Buffer, start: number, length: number, prefix: Buffer): boolean {
  return length >= prefix.length && buf.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;
}

/** Which upstream messages the proxy reads or drops, by their first bytes. */
export function classifyUpstream(opcode: number, buf: Buffer, start: number, length: number): Mode {
  // 0x7b is '{': every JSON event starts so, and almost every frame is decided by this one byte.
  if (opcode !== OP_TEXT || length < 20 || buf[start] !== 0x7b || buf[start + 10] === undefined)
    return Mode.Pass;
  // `{"event":"` then the name: `s` for system.*, `a` for agent.*.
  const first = buf[start + 10];
  if (first === 0x73) {
    if (
      startsWith(buf, start, length, PREFIX.sessionControl) ||
      startsWith(buf, start, length, PREFIX.proxyControl)
    )
      return Mode.DropCapture;
    return Mode.Pass;
  }
  // `agent.` then `s` for the three read here (session_created, state_restored, session_end): a streamed
  // token or any other agent event is told apart by one more byte, before any compare.
  if (first === 0x61 && buf[start + 16] === 0x73) {
    if (
      startsWith(buf, start, length, PREFIX.sessionCreated) ||
      startsWith(buf, start, length, PREFIX.stateRestored) ||
      startsWith(buf, start, length, PREFIX.sessionEnd)
    )
      return Mode.Capture;
  }
  return Mode.Pass;
}
