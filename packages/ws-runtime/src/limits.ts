import { parseOrThrow } from '@myagent/models';
import * as v from 'valibot';
import { DEFAULT_MAX_EVENT_BYTES } from './outbound.js';

// Everything a client (or an agent) can make the server keep is bounded in count and in bytes; each bound
// has a default here, 0 turns it off. What the server may hold at most is then about, per connection,
// replayBufferBytes + maxBufferedBytes; per session, maxHistoryBytes + maxStateBytes; and overall
// retiredBytes + maxPendingBytes (plus the worker heaps, workerMemoryMb each).

/** Outbound session events kept per connection for replay. @default 1,000 */
export const DEFAULT_REPLAY_BUFFER_SIZE = 1_000;
/** Bytes (as sent) of the events kept per connection for replay. @default 4 MiB */
export const DEFAULT_REPLAY_BUFFER_BYTES = 4 * 1024 * 1024;
/** Sessions whose replay events are kept after their connection closed. @default 10,000 */
export const DEFAULT_RETIRED_SESSIONS = 10_000;
/** Bytes of the replay events kept for closed connections' sessions, over all of them. @default 64 MiB */
export const DEFAULT_RETIRED_BYTES = 64 * 1024 * 1024;
/** Messages kept in a session's history; the oldest turns go first. @default 1,000 */
export const DEFAULT_MAX_HISTORY_MESSAGES = 1_000;
/** Bytes (as JSON) of a session's history; the oldest turns go first. @default 4 MiB */
export const DEFAULT_MAX_HISTORY_BYTES = 4 * 1024 * 1024;
/** Bytes (as JSON) of a session's agent data (`state.data`); a run leaving more is refused. @default 1 MiB */
export const DEFAULT_MAX_STATE_BYTES = 1024 * 1024;
/** Runs waiting for a worker, over all sessions; past it a message gets INSUFFICIENT_RESOURCES. @default 10,000 */
export const DEFAULT_MAX_PENDING_RUNS = 10_000;
/** Bytes of the messages of the runs waiting for a worker. @default 64 MiB */
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Outbound bytes queued on one socket before the peer is dropped as one that stopped reading. @default 16 MiB */
export const DEFAULT_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Sessions one connection may hold at once; past it `agent.error` MAX_SESSIONS. @default 1,000 */
export const DEFAULT_MAX_SESSIONS_PER_CONNECTION = 1_000;

const bound = (fallback: number) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), fallback);

/** The memory bounds of a runtime, checked with valibot; each 0 = unbounded. */
export const RuntimeLimits = v.object({
  /** Bytes of JSON one outbound event may take; an agent event over it ends the run as a coded `agent.error`. @default 8 MiB */
  maxEventBytes: bound(DEFAULT_MAX_EVENT_BYTES),
  replayBufferSize: bound(DEFAULT_REPLAY_BUFFER_SIZE),
  replayBufferBytes: bound(DEFAULT_REPLAY_BUFFER_BYTES),
  retiredSessions: bound(DEFAULT_RETIRED_SESSIONS),
  retiredBytes: bound(DEFAULT_RETIRED_BYTES),
  maxHistoryMessages: bound(DEFAULT_MAX_HISTORY_MESSAGES),
  maxHistoryBytes: bound(DEFAULT_MAX_HISTORY_BYTES),
  maxStateBytes: bound(DEFAULT_MAX_STATE_BYTES),
  maxPendingRuns: bound(DEFAULT_MAX_PENDING_RUNS),
  maxPendingBytes: bound(DEFAULT_MAX_PENDING_BYTES),
  maxBufferedBytes: bound(DEFAULT_MAX_BUFFERED_BYTES),
  maxSessionsPerConnection: bound(DEFAULT_MAX_SESSIONS_PER_CONNECTION),
});

/** The memory bounds as given (any left out takes its default). */
export type RuntimeLimitsInput = v.InferInput<typeof RuntimeLimits>;
/** The memory bounds with every default filled in. */
export type ResolvedRuntimeLimits = v.InferOutput<typeof RuntimeLimits>;

/** Fills in the bounds' defaults; a bad value throws a coded INVALID_REQUEST naming the option. */
export function resolveRuntimeLimits(options: Record<string, unknown>): ResolvedRuntimeLimits {
  const given: Record<string, unknown> = {};
  for (const key of Object.keys(RuntimeLimits.entries)) {
    if (options[key] !== undefined) given[key] = options[key];
  }
  return parseOrThrow(RuntimeLimits, given, 'runtime limits');
}
