import {
  isoNow,
  type LogLine,
  parseTraceEvent,
  TRACE_LOG_MESSAGE,
  type TraceEvent,
  type TraceSummary,
} from '@myagent/models';
import type { TraceRepository } from '@myagent/storage-kysely';
import { withDefaults } from '../defaults.js';

// The manager's side of traces: the agent servers' trace lines (claimed from the registry's captured
// stdout) are parsed, checked against what the manager knows, folded into live run summaries, streamed at
// once to subscribers, and written to storage in batches with bounded retention. Nothing an agent prints
// is trusted: the service is the one whose child printed the line, a trace belongs to the service that
// started it, and every bound below holds whatever an agent sends.

/** Options of {@link TraceHub}. Times in ms. */
export interface TraceHubOptions {
  /** Runs kept in storage; older ones are pruned with their events. @default 10000 */
  maxTraces?: number;
  /** Events stored per run; later ones are dropped (and counted). @default 1000 */
  maxEventsPerTrace?: number;
  /** Runs followed in memory at once; past it, the oldest open run is forgotten. @default 10000 */
  maxLiveTraces?: number;
  /** How long events wait to be written together. @default 100 */
  flushIntervalMs?: number;
  /** Events held while storage is slow; past it the oldest are dropped from storage (not from streams). @default 50000 */
  maxPendingEvents?: number;
  onError?: (error: Error) => void;
}

/** The `@default`s of {@link TraceHubOptions}; errors are dropped unless `onError` is given. */
const TRACE_HUB_DEFAULTS: Required<TraceHubOptions> = {
  maxTraces: 10_000,
  maxEventsPerTrace: 1000,
  maxLiveTraces: 10_000,
  flushIntervalMs: 100,
  maxPendingEvents: 50_000,
  onError: () => {},
};

/** Which events a subscriber wants. */
export interface TraceFilter {
  service_id?: string;
  session_id?: string;
}

/** What the hub counts: accepted and rejected lines, events dropped by bounds. */
export interface TraceCounters {
  accepted: number;
  rejected: number;
  dropped: number;
}

interface Live {
  summary: TraceSummary;
  events: number;
}

// Spelled out in `subscribe`'s signature, so the public type names no private alias.
type Listener = (event: TraceEvent, json: string) => void;

/** Receives, stores and streams trace events; see the file comment. */
export class TraceHub {
  readonly counters: TraceCounters = { accepted: 0, rejected: 0, dropped: 0 };
  readonly #store: TraceRepository;
  readonly #o: Required<Omit<TraceHubOptions, 'onError'>> & { onError: (error: Error) => void };
  readonly #live = new Map<string, Live>();
  readonly #listeners = new Set<{ filter: TraceFilter; listener: Listener }>();
  #pending: TraceEvent[] = [];
  #dirty = new Set<string>();
  #orphans: TraceSummary[] = [];
  readonly #seen = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();
  /** Runs started since the last prune: storage is pruned once a tenth of the bound came in. */
  #sincePrune = 0;
  #closed = false;

  constructor(store: TraceRepository, options: TraceHubOptions = {}) {
    this.#store = store;
    this.#o = withDefaults(options, TRACE_HUB_DEFAULTS);
  }

  /**
   * The registry's `claimLine`: a captured line whose message is `trace` is the hub's, valid or not (a bad
   * one is counted and dropped, never stored as a log line either).
   */
  readonly claimLine = (line: LogLine): boolean => {
    if (line.message !== TRACE_LOG_MESSAGE || line.stream !== 'stdout' || !('trace' in line.fields))
      return false;
    this.ingest(line.service_id, line.fields.trace);
    return true;
  };

  /** Takes one event a service printed; false (and counted) when it is refused. */
  ingest(serviceId: string, raw: unknown): boolean {
    const event = this.#closed ? undefined : parseTraceEvent(raw);
    if (event === undefined || !this.#accept(serviceId, event)) {
      this.counters.rejected++;
      return false;
    }
    this.counters.accepted++;
    this.#publish(event);
    return true;
  }

  #accept(serviceId: string, event: TraceEvent): boolean {
    if (event.event_type === 'connection_established' || !('trace_id' in event.data)) return false;
    const traceId = event.data.trace_id;
    if (traceId === undefined) return false;
    // The manager says which service printed it, whatever the line claims.
    event.service_id = serviceId;
    let live = this.#live.get(traceId);
    if (event.event_type === 'trace_started') {
      // A run id is taken once: a replayed trace_started cannot reopen or take over a stored run.
      if (live !== undefined || this.#seen.has(traceId)) return false;
      this.#seen.add(traceId);
      this.#sincePrune++;
      if (this.#seen.size > 100_000) this.#seen.delete(this.#seen.values().next().value as string);
      const { data } = event;
      live = {
        events: 0,
        summary: {
          trace_id: traceId,
          service_id: serviceId,
          session_id: event.session_id,
          trace_name: data.trace_name,
          agent_name: data.agent_name,
          request: data.request,
          status: 'running',
          // The manager's clock, not the agent's: retention and ordering cannot be gamed by a timestamp.
          started_at: isoNow(),
          ended_at: null,
          duration_ms: null,
          steps: 0,
          tool_calls: 0,
          llm_calls: 0,
          input_tokens: 0,
          output_tokens: 0,
          final_answer_chars: 0,
          error_code: null,
          error_message: null,
        },
      };
      if (this.#live.size >= this.#o.maxLiveTraces) this.#forgetOldest();
      this.#live.set(traceId, live);
    } else if (
      live === undefined ||
      live.summary.service_id !== serviceId ||
      live.summary.status !== 'running'
    ) {
      return false;
    }
    if (event.session_id !== live.summary.session_id) return false;
    fold(live.summary, event);
    this.#dirty.add(traceId);
    if (++live.events > this.#o.maxEventsPerTrace) {
      this.counters.dropped++;
    } else {
      this.#pending.push(event);
      if (this.#pending.length > this.#o.maxPendingEvents) {
        this.counters.dropped += this.#pending.length - this.#o.maxPendingEvents;
        this.#pending.splice(0, this.#pending.length - this.#o.maxPendingEvents);
      }
    }
    if (this.#pending.length >= 1000) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#o.flushIntervalMs);
    return true;
  }

  #forgetOldest(): void {
    const oldest = this.#live.entries().next().value;
    if (oldest === undefined) return;
    this.#live.delete(oldest[0]);
    // Written once more as it stands, so that its pending events name a stored trace.
    this.#orphans.push({ ...oldest[1].summary });
  }

  #publish(event: TraceEvent): void {
    if (this.#listeners.size === 0) return;
    // One JSON text for every subscriber.
    const json = JSON.stringify(event);
    for (const { filter, listener } of this.#listeners) {
      if (matches(filter, event)) listener(event, json);
    }
  }

  /** Streams the events that match `filter` as they arrive; returns the unsubscribe. */
  subscribe(filter: TraceFilter, listener: (event: TraceEvent, json: string) => void): () => void {
    const entry = { filter, listener };
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  /** Sends an event of the manager's own (start_agent's status) to the subscribers, without storing it. */
  announce(event: TraceEvent): void {
    this.#publish(event);
  }

  /** Writes what is pending; resolves once it and every earlier write are stored. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const events = this.#pending;
    const dirty = this.#dirty;
    this.#pending = [];
    this.#dirty = new Set();
    if (events.length > 0 || dirty.size > 0) {
      const summaries: TraceSummary[] = this.#orphans;
      this.#orphans = [];
      for (const id of dirty) {
        const live = this.#live.get(id);
        if (!live) continue;
        summaries.push({ ...live.summary });
        // A finished run is written one last time and then no longer followed.
        if (live.summary.status !== 'running') this.#live.delete(id);
      }
      const prune = this.#sincePrune >= Math.max(1, Math.ceil(this.#o.maxTraces / 10));
      if (prune) this.#sincePrune = 0;
      this.#chain = this.#chain.then(async () => {
        try {
          await this.#store.write({ summaries, events });
          if (prune) await this.#store.prune(this.#o.maxTraces);
        } catch (error) {
          this.counters.dropped += events.length;
          this.#o.onError(error as Error);
        }
      });
    }
    return this.#chain;
  }

  /** Writes what is pending, prunes to the bound and stops taking events. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
    await this.#store.prune(this.#o.maxTraces).catch((error: Error) => this.#o.onError(error));
    this.#listeners.clear();
    this.#live.clear();
  }

  /** Prunes to the bound now (tests and the retention check use it). */
  async prune(): Promise<number> {
    await this.flush();
    return this.#store.prune(this.#o.maxTraces);
  }
}

function matches(filter: TraceFilter, event: TraceEvent): boolean {
  if (filter.service_id !== undefined && filter.service_id !== event.service_id) return false;
  if (filter.session_id !== undefined && filter.session_id !== event.session_id) return false;
  return true;
}

/** Folds one event into its run's summary. */
function fold(summary: TraceSummary, event: TraceEvent): void {
  switch (event.event_type) {
    case 'think_completed': {
      summary.steps = Math.max(summary.steps, event.data.step);
      const { llm } = event.data;
      if (llm) {
        summary.llm_calls++;
        summary.input_tokens += llm.input_tokens ?? 0;
        summary.output_tokens += llm.output_tokens ?? 0;
      }
      return;
    }
    case 'tool_completed':
      summary.tool_calls++;
      return;
    case 'run_error':
      summary.error_code ??= event.data.code;
      summary.error_message ??= event.data.message;
      return;
    case 'trace_completed': {
      const { data } = event;
      summary.status = data.status === 'running' ? 'completed' : data.status;
      summary.ended_at = isoNow();
      summary.duration_ms = data.duration_ms;
      summary.steps = data.steps;
      summary.tool_calls = data.tool_calls;
      summary.final_answer_chars = data.final_answer_chars;
      return;
    }
    default:
  }
}
