import type { RoutingStrategy } from '@myagent/models';
import type { RouteCandidate } from '@myagent/router';

// What the proxy needs from its host, declared here (the consumer) so that the host adapts to it: the
// manager joins these to its service cache, its router, and its storage's connection log.

/** A service the proxy may route to: a models `Service` satisfies it. */
export interface ProxyCandidate extends RouteCandidate {
  readonly service_id: string;
  readonly name: string;
  /** Where its agent server listens: `ws://127.0.0.1:8081`. */
  readonly endpoint: string;
  /** When its agent server process started: a change means a new process (failover goes back to it then). */
  readonly started_at?: string | null;
}

/**
 * The services, in memory: `list()` is called on every route after a change, so it must cost no I/O.
 * `subscribe` tells the proxy when the list, or a service's status, health, tags or weight, changed.
 */
export interface CandidateSource<C extends ProxyCandidate = ProxyCandidate> {
  /** Every known service, routable or not (an unknown `service=` is SERVICE_NOT_FOUND, a stopped one ROUTING_FAILED). */
  list(): readonly C[];
  /** Calls `onChange` after each change; returns the unsubscribe function. */
  subscribe(onChange: () => void): () => void;
}

/** A live connection as the proxy reports it (spec E9). */
export interface ProxyConnectionInfo {
  connection_id: string;
  /** Sessions the client opened through this connection, oldest first (learnt from the agent's replies). */
  session_ids: string[];
  client_ip: string;
  client_port: number | null;
  user_agent: string | null;
  target_service_id: string;
  target_service: string;
  status: 'connecting' | 'active' | 'disconnected' | 'error';
  connected_at: string;
  last_activity: string;
  disconnected_at: string | null;
  /** Bytes sent to the client. */
  bytes_sent: number;
  /** Bytes received from the client. */
  bytes_received: number;
  /** Data messages relayed, both ways. */
  message_count: number;
  routing_strategy: RoutingStrategy;
  /** Why it ended (a close reason or the proxy's own), once it has. */
  close_reason?: string;
}

/**
 * Told of each connection's life: when it opens, every `statsIntervalMs` while its counters move, and when
 * it ends. Never once per message. A hook that throws is reported to `onError` and changes nothing.
 */
export interface ConnectionHooks {
  open?(info: ProxyConnectionInfo): void | Promise<void>;
  update?(info: ProxyConnectionInfo): void | Promise<void>;
  close?(info: ProxyConnectionInfo): void | Promise<void>;
}

/** A client the proxy could not route (the manager counts these for its alerts). */
export interface RoutingFailure {
  code: 'ROUTING_FAILED' | 'SERVICE_NOT_FOUND';
  message: string;
  client_ip: string;
  service?: string;
}

/** A `management_notification` (protocol.md "Manager proxy events"). */
export interface ManagementNotification {
  type: string;
  message: string;
  severity: 'info' | 'warning' | 'critical';
  countdown_seconds?: number;
}

/** Options of {@link ProxyHandle.disconnect}. */
export interface DisconnectOptions {
  /** @default 'Administrative disconnect' */
  reason?: string;
  /** Send a `management_notification` first. @default true */
  notify_client?: boolean;
}

/** Counters of the whole proxy. */
export interface ProxyStats {
  /** Connections open now (a client socket held). */
  connections: number;
  /** Upstream handshakes in progress. */
  pending_handshakes: number;
  total_connections: number;
  routing_failures: number;
  /** Bytes queued for clients and agent servers that do not read (summed over connections). */
  buffered_bytes: number;
}
