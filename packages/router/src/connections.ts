import {
  AppError,
  ConnectionInfo,
  type ConnectionInfoInput,
  type ConnectionStatus,
  parseOrThrow,
} from '@myagent/models';

/** A connection as `register()` takes it: timestamps default to now. */
export type ConnectionRegistration = Omit<ConnectionInfoInput, 'connected_at' | 'last_activity'> & {
  connected_at?: string;
  last_activity?: string;
};

/** Filters of {@link ConnectionTable.active}. */
export interface ActiveConnectionFilter {
  service_id?: string;
  status?: ConnectionStatus;
  limit?: number;
}

/** The stats of the live connection table, in the seed's shape. */
export interface ConnectionStats {
  total_connections: number;
  active_connections: number;
  by_status: Partial<Record<ConnectionStatus, number>>;
  by_service: Record<string, number>;
}

/** Statuses whose connections count against a service's load. */
const LIVE: ReadonlySet<ConnectionStatus> = new Set(['connecting', 'connected', 'active', 'idle']);

/** Size of the change log the strategies' indexes catch up from; past it they rebuild. */
export const CHANGE_LOG_SIZE = 4096;

/** The live connection table (spec C5): the connections a host registers, and the load the strategies read. */
export interface ConnectionTable {
  /** Adds a connection, or replaces one with the same id (timestamps default to now); INVALID_REQUEST for a malformed one. */
  register(input: ConnectionRegistration): ConnectionInfo;
  /** Changes a held connection (its status, counters, activity); throws CONNECTION_NOT_FOUND when unknown. */
  update(connectionId: string, patch: Partial<Omit<ConnectionInfoInput, 'connection_id'>>): ConnectionInfo;
  /** Drops a connection; the dropped one, or undefined when it was not there (close handlers may race). */
  unregister(connectionId: string): ConnectionInfo | undefined;
  /** A held connection, or undefined. */
  get(connectionId: string): ConnectionInfo | undefined;
  /** Live connections of a service. */
  count(serviceId: string): number;
  /** Live connections (connecting, connected, active, idle), optionally filtered. */
  active(filter?: ActiveConnectionFilter): ConnectionInfo[];
  /** Totals by status and live counts by service. */
  stats(): ConnectionStats;
  /** Number of connections held, whatever their status. */
  readonly size: number;
}

/**
 * The live connection table (spec C5). Each service id gets a numeric slot so that the strategies read
 * counts from a typed array, and every count change is appended to a ring log that lets the strategies'
 * indexes (min tree, weight tree) catch up lazily instead of scanning.
 */
export class LiveConnections implements ConnectionTable {
  private readonly entries = new Map<string, ConnectionInfo>();
  private readonly slots = new Map<string, number>();
  private readonly ids: string[] = [];
  /** Live connections per slot. */
  counts = new Int32Array(64);
  /** Slots whose count changed, as a ring; `seq` counts every change ever made. */
  readonly log = new Int32Array(CHANGE_LOG_SIZE);
  seq = 0;

  constructor(private readonly now: () => number) {}

  /** The slot of a service id, allocated on first sight. */
  slotOf(serviceId: string): number {
    let slot = this.slots.get(serviceId);
    if (slot === undefined) {
      slot = this.ids.length;
      this.ids.push(serviceId);
      this.slots.set(serviceId, slot);
      if (slot >= this.counts.length) {
        const grown = new Int32Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    return slot;
  }

  /** How many slots exist; every slot is below this. */
  get slotCount(): number {
    return this.ids.length;
  }

  private bump(serviceId: string, delta: number): void {
    const slot = this.slotOf(serviceId);
    this.counts[slot] = Math.max(0, (this.counts[slot] as number) + delta);
    this.log[this.seq % CHANGE_LOG_SIZE] = slot;
    this.seq++;
  }

  private account(info: ConnectionInfo | undefined, sign: 1 | -1): void {
    if (info && LIVE.has(info.status)) this.bump(info.target_service_id, sign);
  }

  /**
   * Adds a connection (or replaces one with the same id, moving its count). Validated against the models
   * schema: a bad entry throws INVALID_REQUEST and changes nothing.
   */
  register(input: ConnectionRegistration): ConnectionInfo {
    const stamp = new Date(this.now()).toISOString();
    const info = parseOrThrow(
      ConnectionInfo,
      { connected_at: stamp, last_activity: stamp, ...(input as object) },
      'connection',
    );
    this.account(this.entries.get(info.connection_id), -1);
    this.entries.set(info.connection_id, info);
    this.account(info, 1);
    return info;
  }

  /** Changes a connection's status or counters; CONNECTION_NOT_FOUND when there is none. */
  update(connectionId: string, patch: Partial<Omit<ConnectionInfoInput, 'connection_id'>>): ConnectionInfo {
    const current = this.entries.get(connectionId);
    if (!current) {
      throw new AppError('CONNECTION_NOT_FOUND', `Connection '${connectionId}' not found`, {
        details: { connection_id: connectionId },
      });
    }
    const next = parseOrThrow(
      ConnectionInfo,
      {
        ...current,
        last_activity: new Date(this.now()).toISOString(),
        ...(patch as object),
        connection_id: connectionId,
      },
      'connection',
    );
    this.account(current, -1);
    this.entries.set(connectionId, next);
    this.account(next, 1);
    return next;
  }

  /** Removes a connection; returns it, or undefined when it was not there (close handlers may race). */
  unregister(connectionId: string): ConnectionInfo | undefined {
    const info = this.entries.get(connectionId);
    if (!info) return undefined;
    this.entries.delete(connectionId);
    this.account(info, -1);
    return info;
  }

  get(connectionId: string): ConnectionInfo | undefined {
    return this.entries.get(connectionId);
  }

  /** Live connections of a service: what least_connections and weighted_random read. */
  count(serviceId: string): number {
    const slot = this.slots.get(serviceId);
    return slot === undefined ? 0 : (this.counts[slot] as number);
  }

  /** Live connections (connecting, connected, active, idle), optionally filtered. */
  active(filter: ActiveConnectionFilter = {}): ConnectionInfo[] {
    const out: ConnectionInfo[] = [];
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    for (const info of this.entries.values()) {
      if (out.length >= limit) break;
      if (!LIVE.has(info.status)) continue;
      if (filter.service_id !== undefined && info.target_service_id !== filter.service_id) continue;
      if (filter.status !== undefined && info.status !== filter.status) continue;
      out.push(info);
    }
    return out;
  }

  /** Totals by status and live counts by service. */
  stats(): ConnectionStats {
    const byStatus: Partial<Record<ConnectionStatus, number>> = {};
    const byService: Record<string, number> = {};
    let active = 0;
    for (const info of this.entries.values()) {
      byStatus[info.status] = (byStatus[info.status] ?? 0) + 1;
      if (LIVE.has(info.status)) {
        active++;
        byService[info.target_service_id] = (byService[info.target_service_id] ?? 0) + 1;
      }
    }
    return {
      total_connections: this.entries.size,
      active_connections: active,
      by_status: byStatus,
      by_service: byService,
    };
  }

  /** Number of connections held, whatever their status. */
  get size(): number {
    return this.entries.size;
  }
}
