// Connection records: the ConnectionRepository contract, its patches, filters and totals.
import type { ConnectionInfo, ConnectionInfoInput, ConnectionStatus, RoutingStrategy } from '@myagent/models';

/** Absolute values to set on a connection record. */
export interface ConnectionPatch {
  session_id?: string | null;
  target_service_id?: string;
  status?: ConnectionStatus;
  last_activity?: string;
  bytes_sent?: number;
  bytes_received?: number;
  message_count?: number;
  routing_strategy?: RoutingStrategy | null;
  routing_metadata?: Record<string, unknown>;
}

/** Amounts to add to a connection's counters (one atomic statement); last_activity moves to now. */
export interface ConnectionCounters {
  bytes_sent?: number;
  bytes_received?: number;
  message_count?: number;
}

/** Filters of {@link ConnectionRepository.list}. */
export interface ListConnectionsOptions {
  service_id?: string;
  status?: ConnectionStatus | readonly ConnectionStatus[];
  /** At most this many (default 100, max 10,000). */
  limit?: number;
  offset?: number;
}

/** A page of connection records, newest first, and how many match in all. */
export interface ConnectionPage {
  connections: ConnectionInfo[];
  total: number;
}

/** Totals over the stored connection records. */
export interface ConnectionStats {
  total: number;
  /** Not disconnected and not in error. */
  open: number;
  by_status: Record<ConnectionStatus, number>;
  /** Open connections per target service. */
  open_by_service: Record<string, number>;
  bytes_sent: number;
  bytes_received: number;
  message_count: number;
}

/** Connection records (spec E9, F4); target_service_id is not a foreign key, so records outlive services. */
export interface ConnectionRepository {
  /** Records a new connection; an existing id throws INVALID_REQUEST. */
  open(info: ConnectionInfoInput): Promise<ConnectionInfo>;
  update(connectionId: string, patch: ConnectionPatch): Promise<ConnectionInfo | undefined>;
  /** Adds to the counters atomically. */
  addCounters(connectionId: string, counters: ConnectionCounters): Promise<ConnectionInfo | undefined>;
  /** Sets the final status (default 'disconnected') and disconnected_at (default now). */
  close(
    connectionId: string,
    status?: 'disconnected' | 'error',
    at?: string,
  ): Promise<ConnectionInfo | undefined>;
  get(connectionId: string): Promise<ConnectionInfo | undefined>;
  list(options?: ListConnectionsOptions): Promise<ConnectionPage>;
  stats(): Promise<ConnectionStats>;
  /** Deletes closed records that disconnected before `before`; returns how many went. */
  pruneClosed(before: string): Promise<number>;
  /**
   * Closes every record still open (a manager that died left them so) as `status` (default 'disconnected')
   * at `at` (default now); returns how many.
   */
  closeOpen(status?: 'disconnected' | 'error', at?: string): Promise<number>;
}
