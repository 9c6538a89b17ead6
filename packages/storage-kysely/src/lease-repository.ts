// The one-manager-per-database lease: the LeaseRepository contract and the lease row.
/** The manager that holds a database: one at a time, until several can share one on purpose (spec I1). */
export interface ManagerLease {
  /** Unique per manager instance (a UUID). */
  owner_id: string;
  /** The host name of the machine it runs on. */
  host: string;
  pid: number;
  started_at: string;
  /** Moved forward while the manager lives; a lease not renewed within its TTL may be taken over. */
  heartbeat_at: string;
}

/** The lease row of a database (a compare-and-set on one row, so two managers never both hold it). */
export interface LeaseRepository {
  /** The current holder, if any. */
  get(): Promise<ManagerLease | undefined>;
  /**
   * Takes the lease when nobody holds it, or, with `replacing`, from that owner (one the caller found
   * gone). False when another manager holds it (or took it first).
   */
  acquire(lease: ManagerLease, replacing?: string): Promise<boolean>;
  /** Moves the heartbeat to `at`; false when the lease is no longer this owner's. */
  renew(ownerId: string, at: string): Promise<boolean>;
  /** Lets go of the lease if this owner holds it; true when it did. */
  release(ownerId: string): Promise<boolean>;
  /**
   * The database's state secret, shared by every agent server its managers start so that one can restore
   * another's signed session states: `candidate` is stored the first time, the stored one returned after.
   */
  stateSecret(candidate: string): Promise<string>;
}
