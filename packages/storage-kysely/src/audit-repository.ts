// The operation log: the AuditRepository contract and its filters.
import type { AuditEntry, AuditEntryInput } from '@myagent/models';

/** Filters of {@link AuditRepository.list}. */
export interface ListAuditOptions {
  /** Newest first; at most this many (default 100, max 10,000). */
  limit?: number;
  /** Only entries at or after this timestamp. */
  since?: string;
  service_id?: string;
}

/** The operation log (spec H4), bounded with {@link AuditRepository.prune}. */
export interface AuditRepository {
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /** Newest first, with how many match in all. */
  list(options?: ListAuditOptions): Promise<{ entries: AuditEntry[]; total: number }>;
  /** Keeps the newest `keep` entries; returns how many went. */
  prune(keep: number): Promise<number>;
}
