import type { AuditEntry, AuditEntryInput } from '@myagent/models';
import type { ListAuditOptions, Storage } from '@myagent/storage-kysely';

/** The operation log (spec H4) over storage, cut back to `keep` entries every so often. */
export class AuditLog {
  #appended = 0;

  constructor(
    private readonly storage: Storage,
    /** Entries kept (the oldest go first). @default 100_000 */
    private readonly keep = 100_000,
  ) {}

  /** Records one operation. */
  async record(entry: AuditEntryInput): Promise<AuditEntry> {
    const stored = await this.storage.audit.append(entry);
    if (++this.#appended % 1000 === 0) await this.storage.audit.prune(this.keep);
    return stored;
  }

  /** Newest first. */
  list(options: ListAuditOptions = {}): Promise<{ entries: AuditEntry[]; total: number }> {
    return this.storage.audit.list(options);
  }
}
