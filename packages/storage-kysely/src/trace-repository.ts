// Traces of agent runs: the TraceRepository contract, its batches, pages and filters.
import type { TraceEvent, TraceStatus, TraceSummary } from '@myagent/models';

/** Filters of {@link TraceRepository.list}. */
export interface ListTracesOptions {
  service_id?: string;
  session_id?: string;
  status?: TraceStatus;
  /** The newest `limit` matching runs (default 50, max 10,000). */
  limit?: number;
  offset?: number;
}

/** A page of runs, newest first, and how many match in all. */
export interface TracePage {
  traces: TraceSummary[];
  total: number;
}

/** What one {@link TraceRepository.write} stores: summaries to insert or replace, events to append. */
export interface TraceBatch {
  summaries: readonly TraceSummary[];
  events: readonly TraceEvent[];
}

/** Traces of agent runs (spec H2), bounded with {@link TraceRepository.prune}. */
export interface TraceRepository {
  /** Upserts the summaries, then appends the events (each naming a trace of the batch or stored), in one transaction. */
  write(batch: TraceBatch): Promise<void>;
  list(options?: ListTracesOptions): Promise<TracePage>;
  /** A run and its events in arrival order, or undefined. */
  get(traceId: string): Promise<{ trace: TraceSummary; events: TraceEvent[] } | undefined>;
  /** Deletes all but the newest `keep` runs (by start time) with their events; returns how many runs went. */
  prune(keep: number): Promise<number>;
}
