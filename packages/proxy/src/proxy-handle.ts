import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { DisconnectOptions, ManagementNotification, ProxyConnectionInfo, ProxyStats } from './types.js';

// The handle createProxy returns: what an embedder can do with its proxy.

/** The proxy an embedder holds: hand it a node:http server's `upgrade` events. */
export interface ProxyHandle {
  /** Routes and relays one WebSocket upgrade (`server.on('upgrade', proxy.handleUpgrade)`). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Live connections, by target service and status. */
  connections(filter?: {
    service_id?: string;
    status?: ProxyConnectionInfo['status'];
  }): ProxyConnectionInfo[];
  /** One live connection, or undefined. */
  connection(connectionId: string): ProxyConnectionInfo | undefined;
  /**
   * Ends a connection: a `management_notification` (unless `notify_client` is false), then close 1000
   * with the reason. @throws AppError CONNECTION_NOT_FOUND when it is not live
   */
  disconnect(connectionId: string, options?: DisconnectOptions): { notified: boolean };
  /** Sends a `management_notification` to the clients of one service, or all; returns how many. */
  notify(notification: ManagementNotification, options?: { service_id?: string }): number;
  stats(): ProxyStats;
  /**
   * Drains a service before the host stops or restarts it: no route picks it any more, its clients get
   * `notification` (if given) and are held between turns; once its agent server closes them (1001) they
   * fail over with their sessions. Returns how many clients it has. End it with {@link ProxyHandle.endDrain}.
   */
  drain(serviceId: string, notification?: ManagementNotification): number;
  /**
   * The stop or restart is over: the service is routable again if it runs. `stopped`: it will not come
   * back, so its clients that found no other instance end now instead of waiting for it.
   */
  endDrain(serviceId: string, options?: { stopped?: boolean }): void;
  /** Refuses new upgrades, closes every connection (1001) and resolves once their sockets are gone. */
  close(): Promise<void>;
}
