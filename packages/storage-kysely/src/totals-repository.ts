// Counters that outlive processes: the TotalsRepository contract.
/** How {@link TotalsRepository.apply} combines a value with the stored one. */
export type TotalMode = 'add' | 'max' | 'set';

/** Counters that must outlive agent processes and the manager itself (stat totals, peaks). */
export interface TotalsRepository {
  /** Adds to, raises or sets each `(scope, key)` in one transaction. */
  apply(entries: readonly { scope: string; key: string; value: number; mode: TotalMode }[]): Promise<void>;
  /** Every total of a scope (or of every scope, keyed `scope` then `key`). */
  get(scope: string): Promise<Record<string, number>>;
  all(): Promise<Record<string, Record<string, number>>>;
}
