import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError, type ConnectionInfo, type ConnectionInfoInput, type Service } from '@myagent/models';
import {
  type CandidateSource,
  createProxy,
  type ManagementNotification,
  type ProxyConnectionInfo,
  type ProxyHandle,
  type ProxyOptionsInput,
} from '@myagent/proxy';
import type { Router } from '@myagent/router';
import type { ConnectionRepository } from '@myagent/storage-kysely';
import type { ServiceCache } from './service-cache.js';

// The proxy at /ws, joined to the manager: candidates from the service cache (in memory, refreshed on
// service, status and health events), the manager's router (its rules, affinity and connection counts),
// and the connections log in storage (written on open, at the proxy's stats interval, and on close).

/** The proxy's options a manager passes on (`AgentManagerOptions.proxy`). Times in ms. */
export type ManagerProxyOptions = Pick<
  ProxyOptionsInput,
  | 'routedEvent'
  | 'proxyMetadata'
  | 'trustedProxies'
  | 'connectTimeoutMs'
  | 'maxConnections'
  | 'maxPendingHandshakes'
  | 'maxMessageBytes'
  | 'maxBufferedBytes'
  | 'statsIntervalMs'
  | 'closeTimeoutMs'
  | 'failoverWaitMs'
  | 'maxStateBytes'
>;

/** A `management_notification` for connected clients (spec E4). */
export type ClientNotification = ManagementNotification;

/** What the wiring needs of the manager: its events, and where to report. */
export interface ProxyManagerSide {
  on(event: 'status' | 'health' | 'service', listener: () => void): unknown;
  off(event: 'status' | 'health' | 'service', listener: () => void): unknown;
  emitConnection(change: { action: 'opened' | 'closed'; connection_id: string; service_id: string }): void;
  reportRoutingFailure(failure: {
    code: string;
    message: string;
    client_ip: string;
    requested?: string | null;
  }): void;
  fail(error: unknown): void;
}

/** The proxy of a running manager. */
export interface ManagerProxy {
  readonly proxy: ProxyHandle;
  close(): Promise<void>;
}

/** Starts the proxy over the manager's parts. */
export function startManagerProxy(parts: {
  services: ServiceCache;
  router: Router;
  connections: ConnectionRepository;
  manager: ProxyManagerSide;
  options?: ManagerProxyOptions;
  /** The agents' shared state secret: sessions survive the loss of their agent server. */
  stateSecret?: string;
}): ManagerProxy {
  const { services, router, connections, manager } = parts;
  const source: CandidateSource<Service> = {
    // The cache answers the same frozen array until the next write: no copy, no query.
    list: () => services.page({ limit: 10_000 }).services,
    subscribe(onChange) {
      for (const event of ['status', 'health', 'service'] as const) manager.on(event, onChange);
      return () => {
        for (const event of ['status', 'health', 'service'] as const) manager.off(event, onChange);
      };
    },
  };
  // Each connection's writes run in order (open before update before close), and never block the relay.
  const writes = new Map<string, Promise<unknown>>();
  const write = (id: string, step: () => Promise<unknown>) => {
    const next = (writes.get(id) ?? Promise.resolve())
      .then(step)
      .catch((error: unknown) => manager.fail(error));
    writes.set(id, next);
    return next;
  };
  const proxy = createProxy({
    ...parts.options,
    ...(parts.stateSecret !== undefined && { stateSecret: parts.stateSecret }),
    source,
    router,
    onRoutingFailed: (failure) =>
      manager.reportRoutingFailure({
        code: failure.code,
        message: failure.message,
        client_ip: failure.client_ip,
        requested: failure.service ?? null,
      }),
    onError: (error) => manager.fail(error),
    hooks: {
      open(info) {
        void write(info.connection_id, () => connections.open(toRecord(info)));
        manager.emitConnection({
          action: 'opened',
          connection_id: info.connection_id,
          service_id: info.target_service_id,
        });
      },
      update(info) {
        void write(info.connection_id, () => connections.update(info.connection_id, patchOf(info)));
      },
      close(info) {
        void write(info.connection_id, async () => {
          await connections.update(info.connection_id, patchOf(info));
          await connections.close(info.connection_id, info.status === 'error' ? 'error' : 'disconnected');
        }).finally(() => writes.delete(info.connection_id));
        manager.emitConnection({
          action: 'closed',
          connection_id: info.connection_id,
          service_id: info.target_service_id,
        });
      },
    },
  });
  return {
    proxy,
    async close() {
      await proxy.close();
      await Promise.all(writes.values());
    },
  };
}

/** The proxy's live view as the connections log stores it: every session id in routing_metadata. */
function toRecord(info: ProxyConnectionInfo): ConnectionInfoInput {
  return {
    connection_id: info.connection_id,
    session_id: info.session_ids[0] ?? null,
    client_ip: info.client_ip.slice(0, 64),
    client_port: info.client_port,
    user_agent: info.user_agent,
    target_service_id: info.target_service_id,
    status: info.status === 'error' ? 'error' : info.status === 'disconnected' ? 'disconnected' : info.status,
    connected_at: info.connected_at,
    last_activity: info.last_activity,
    bytes_sent: info.bytes_sent,
    bytes_received: info.bytes_received,
    message_count: info.message_count,
    routing_strategy: info.routing_strategy,
    routing_metadata: metadataOf(info),
  };
}

function metadataOf(info: ProxyConnectionInfo): Record<string, unknown> {
  return {
    session_ids: info.session_ids.slice(0, 100),
    target_service: info.target_service,
    ...(info.close_reason !== undefined && { close_reason: info.close_reason.slice(0, 200) }),
  };
}

function patchOf(info: ProxyConnectionInfo) {
  return {
    // A failover moves the connection to another service.
    target_service_id: info.target_service_id,
    routing_strategy: info.routing_strategy,
    session_id: info.session_ids[0] ?? null,
    last_activity: info.last_activity,
    bytes_sent: info.bytes_sent,
    bytes_received: info.bytes_received,
    message_count: info.message_count,
    routing_metadata: metadataOf(info),
  };
}

/** A live connection as the API lists it: the E9 record, with every session id. */
export type LiveConnection = ConnectionInfo & { session_ids: string[] };

/** The proxy's live connections (and any the router's table holds that the proxy does not), filtered. */
export function listLive(
  proxy: ProxyHandle,
  router: Router,
  filter: { service_id?: string; status?: ConnectionInfo['status']; limit?: number },
): LiveConnection[] {
  const out: LiveConnection[] = [];
  const seen = new Set<string>();
  const status = filter.status;
  if (status === undefined || status === 'connecting' || status === 'active') {
    for (const info of proxy.connections({
      ...(filter.service_id !== undefined && { service_id: filter.service_id }),
      ...(status !== undefined && { status }),
    })) {
      seen.add(info.connection_id);
      out.push({
        ...(toRecord(info) as ConnectionInfo),
        disconnected_at: null,
        session_ids: info.session_ids,
      });
    }
  }
  // Connections registered through AgentManager.registerConnection by an embedder, not by the proxy.
  for (const info of router.connections.active(filter)) {
    if (seen.has(info.connection_id)) continue;
    out.push({ ...info, session_ids: info.session_id ? [info.session_id] : [] });
  }
  return filter.limit === undefined ? out : out.slice(0, filter.limit);
}

/** Ends a live connection through the proxy, or, for one only the router's table holds, unregisters it. */
export async function disconnectLive(
  proxy: ProxyHandle,
  router: Router,
  connectionId: string,
  options: { reason?: string; notify_client?: boolean },
  unregister: (connectionId: string) => Promise<boolean>,
): Promise<{ notified: boolean }> {
  if (proxy.connection(connectionId)) return proxy.disconnect(connectionId, options);
  if (!router.connections.get(connectionId)) {
    throw new AppError('CONNECTION_NOT_FOUND', `Connection '${connectionId}' not found`, {
      details: { connection_id: connectionId },
    });
  }
  await unregister(connectionId);
  return { notified: false };
}

/** The manager's `/ws`: the proxy while the manager runs, 503 otherwise. */
export function wsUpgrade(
  current: () => ProxyHandle | undefined,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    const proxy = current();
    if (!proxy) {
      socket.end(
        'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    proxy.handleUpgrade(request, socket, head);
  };
}
