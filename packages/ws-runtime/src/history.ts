import type { AgentSessionState } from '@myagent/models';

// The session history between the runtime and a worker, and its bounds. A worker keeps the session's state
// next to the session's agent instance, so a run carries only what changed (a HistoryDelta), not the whole
// history; and what a session may keep is bounded in count and in bytes, in both modes.

type Message = AgentSessionState['messages'][number];

/**
 * How one run changed a history: `next = before[0, head) ++ before[from, end) ++ tail`. Covers what agents
 * do (append; drop the oldest turns; both) in a few numbers; anything else sends what follows the common
 * head (all of it for a rewrite).
 */
export interface HistoryDelta {
  head: number;
  from: number;
  tail: Message[];
}

/** The delta from `before` to `after`, comparing messages by identity (a message is a value once added). */
export function diffHistory(before: readonly Message[], after: readonly Message[]): HistoryDelta {
  let head = 0;
  const shortest = Math.min(before.length, after.length);
  while (head < shortest && before[head] === after[head]) head++;
  if (head === before.length) return { head, from: head, tail: after.slice(head) };
  // Dropped a range (the oldest turns after a system prompt): find where `after` picks `before` up again.
  const resume = head < after.length ? before.indexOf(after[head] as Message, head + 1) : -1;
  if (resume > head) {
    const kept = before.length - resume;
    let same = kept <= after.length - head;
    for (let i = 0; same && i < kept; i++) same = before[resume + i] === after[head + i];
    if (same) return { head, from: resume, tail: after.slice(head + kept) };
  }
  // Otherwise the rest after the common head is new (a rewrite sends it all).
  return { head, from: before.length, tail: after.slice(head) };
}

/** Applies a delta to the history it was made from (a new array; `before` is left as it was). */
export function applyHistory(before: readonly Message[], delta: HistoryDelta): Message[] {
  const next = before.slice(0, delta.head);
  for (let i = delta.from; i < before.length; i++) next.push(before[i] as Message);
  for (const message of delta.tail) next.push(message);
  return next;
}

/** What one session may keep; 0 turns a bound off. */
export interface HistoryLimits {
  /** Messages kept in a session's history. */
  maxHistoryMessages: number;
  /** Bytes (as JSON) of a session's history. */
  maxHistoryBytes: number;
}

// The JSON size of each message, measured once: a message is a value once added, so a run costs the
// measure of what it added, not of the whole history.
const sizes = new WeakMap<object, number>();

function sizeOf(message: Message): number {
  if (typeof message !== 'object' || message === null) return 16;
  let size = sizes.get(message);
  if (size === undefined) {
    try {
      size = Buffer.byteLength(JSON.stringify(message) ?? '');
    } catch {
      // Not JSON (a BigInt, a cycle): it cannot be exported either; it weighs like a small message and the
      // export reports it.
      size = 16;
    }
    sizes.set(message, size);
  }
  return size;
}

/**
 * Drops the oldest messages (a leading system message stays) until the history is within `limits`; the
 * kept part starts at a user message, so no tool result loses its call. Returns how many were dropped.
 * Changes `state.messages` in place only when something is dropped.
 */
export function boundHistory(state: AgentSessionState, limits: HistoryLimits): number {
  const { messages } = state;
  if (!Array.isArray(messages)) return 0;
  const start = (messages[0] as Message | undefined)?.role === 'system' ? 1 : 0;
  const maxCount = limits.maxHistoryMessages > 0 ? limits.maxHistoryMessages : Number.POSITIVE_INFINITY;
  const maxBytes = limits.maxHistoryBytes > 0 ? limits.maxHistoryBytes : Number.POSITIVE_INFINITY;
  let bytes = 0;
  for (const message of messages) bytes += sizeOf(message);
  if (messages.length <= maxCount && bytes <= maxBytes) return 0;
  let cut = start;
  while (cut < messages.length && (messages.length - cut > maxCount - start || bytes > maxBytes)) {
    bytes -= sizeOf(messages[cut] as Message);
    cut++;
  }
  while (cut < messages.length && (messages[cut] as Message).role !== 'user') cut++;
  messages.splice(start, cut - start);
  return cut - start;
}
