// Service log lines: the LogRepository contract, its line shapes and filters.
import type { LogLevel, LogLine } from '@myagent/models';

/** A log line as a caller writes it: `fields` may be left out. */
export type LogLineInput = Omit<LogLine, 'fields'> & { fields?: Record<string, unknown> };

/** A stored log line with its id (increasing in append order; use it to follow a log). */
export type StoredLogLine = LogLine & { id: number };

/** Filters of {@link LogRepository.list}. */
export interface ListLogsOptions {
  /** Minimum level: 'warn' gives warn and error. */
  level?: LogLevel;
  /** Only lines at or after this timestamp. */
  since?: string;
  /** Only lines appended after this id (for following). */
  afterId?: number;
  /** The newest `limit` matching lines (default 100, max 10,000). */
  limit?: number;
}

/** Options of {@link LogRepository.search}. */
export interface SearchLogsOptions {
  service_id?: string;
  level?: LogLevel;
  limit?: number;
}

/** Log lines of services (spec B13, F6), bounded per service with {@link LogRepository.prune}. */
export interface LogRepository {
  /** Appends lines in one transaction; all or none. Returns how many were stored. */
  append(lines: readonly LogLineInput[]): Promise<number>;
  /** The newest matching lines of a service, returned oldest first (like `tail`). */
  list(serviceId: string, options?: ListLogsOptions): Promise<StoredLogLine[]>;
  /** Lines whose message contains `text` (case-insensitive), newest matches returned oldest first. */
  search(text: string, options?: SearchLogsOptions): Promise<StoredLogLine[]>;
  /** Deletes all but the newest `keep` lines of a service; returns how many went. */
  prune(serviceId: string, keep: number): Promise<number>;
}
