// What the proxy knows of one connection's sessions for failover: the latest signed state each agent server
// sent (`system.session_state`), and whether a turn runs (or a message waits for one). The bytes of all
// connections' states share one budget, so the store never grows past `maxStateBytes`: a session whose
// state does not fit is marked unkept and is not restored (its client learns so), never restored stale.

/** The byte budget every connection's states share. */
export class StateBudget {
  used = 0;
  constructor(readonly max: number) {}
}

interface Entry {
  /** The signed state as JSON, or null when none may be restored (too large, over the budget). */
  state: string | null;
  /** A turn runs on the agent server. */
  running: boolean;
  /** The client sent a message the agent server has not started a turn for. */
  pending: boolean;
  /** The last turn was stopped by the agent server's shutdown, not finished. */
  cut: boolean;
}

/** One connection's sessions. */
export class SessionStates {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly budget: StateBudget) {}

  /** The number of sessions known. */
  get size(): number {
    return this.entries.size;
  }

  private entry(sessionId: string): Entry {
    let entry = this.entries.get(sessionId);
    if (!entry) {
      entry = { state: null, running: false, pending: false, cut: false };
      this.entries.set(sessionId, entry);
    }
    return entry;
  }

  /**
   * A new state (at creation, restore or a turn's end); null: the agent server could not send it.
   * `interrupted`: the turn was stopped by the agent server's shutdown, its client not told.
   */
  keep(sessionId: string, state: string | null, turnEnded: boolean, interrupted = false): void {
    const entry = this.entry(sessionId);
    if (turnEnded) entry.running = false;
    if (interrupted) entry.cut = true;
    this.release(entry);
    if (state !== null && this.budget.used + state.length <= this.budget.max) {
      entry.state = state;
      this.budget.used += state.length;
    }
  }

  /** A turn started. */
  turnStarted(sessionId: string): void {
    const entry = this.entry(sessionId);
    entry.running = true;
    entry.pending = false;
  }

  /** The client sent a message to a session (a turn should start). */
  messageSent(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (entry) entry.pending = true;
  }

  /** The state to restore, or null. */
  state(sessionId: string): string | null {
    return this.entries.get(sessionId)?.state ?? null;
  }

  /** Sessions whose turn was running, or asked for, when the agent server was lost. */
  interrupted(): string[] {
    const out: string[] = [];
    for (const [id, entry] of this.entries) if (entry.running || entry.pending || entry.cut) out.push(id);
    return out;
  }

  /** True while any session's turn runs. */
  get busy(): boolean {
    for (const entry of this.entries.values()) if (entry.running) return true;
    return false;
  }

  /** After a failover: no turn runs on the new agent server. */
  settle(): void {
    for (const entry of this.entries.values()) {
      entry.running = false;
      entry.pending = false;
      entry.cut = false;
    }
  }

  forget(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.release(entry);
    this.entries.delete(sessionId);
  }

  clear(): void {
    for (const entry of this.entries.values()) this.release(entry);
    this.entries.clear();
  }

  private release(entry: Entry): void {
    if (entry.state !== null) this.budget.used -= entry.state.length;
    entry.state = null;
  }
}
