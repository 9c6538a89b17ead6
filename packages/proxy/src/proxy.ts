import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError, type RoutingStrategy } from '@myagent/models';
import { type CandidatePool, createRouter, type RouteContext, type Router } from '@myagent/router';
import type { ProxyConnection } from './connection.js';
import { Drains } from './drain.js';
import { FailoverConnection, proxyMark } from './failover.js';
import { createFailoverHost, leaveUnroutable, type RoutedBy } from './failover-host.js';
import { acceptKey, closeFrame, jsonFrame } from './frames.js';
import {
  contextHeaders,
  contextQuery,
  createClientIp,
  type RoutingInputs,
  readInputs,
  upstreamHeaders,
  upstreamUrl,
} from './inputs.js';
import { type ProxyOptionsInput, type ResolvedProxyOptions, resolveProxyOptions } from './options.js';
import { StateBudget } from './session-states.js';
import type {
  DisconnectOptions,
  ManagementNotification,
  ProxyCandidate,
  ProxyConnectionInfo,
  ProxyStats,
  RoutingFailure,
} from './types.js';
import { connectUpstream } from './upstream.js';

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

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
};

function refuse(socket: Duplex, status: number, extra = ''): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`,
  );
}

/** Pools prepared for one set of candidates; dropped whenever the source changes. */
interface Pools {
  all: readonly ProxyCandidate[];
  byKey: Map<string, { items: ProxyCandidate[]; pool: CandidatePool<ProxyCandidate> }>;
}

/**
 * Creates the proxy: each upgrade is routed among the source's services (by the router's rules, affinity
 * and strategy), answered 101, and relayed frame by frame to the chosen agent server.
 * @example
 * const proxy = createProxy({ source: { list: () => services, subscribe: () => () => {} } });
 * server.on('upgrade', (req, socket, head) => proxy.handleUpgrade(req, socket, head));
 */
export function createProxy(input: ProxyOptionsInput): ProxyHandle {
  const options: ResolvedProxyOptions = resolveProxyOptions(input);
  options.connectUpstream ??= connectUpstream;
  const { router, source } = options;
  const hooks = options.hooks;
  const report = (error: unknown) => {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    if (options.onError) options.onError(wrapped);
    else console.warn(`[proxy] ${wrapped.message}`);
  };
  const callHook = (name: 'open' | 'update' | 'close', info: ProxyConnectionInfo) => {
    const hook = hooks[name];
    if (!hook) return;
    try {
      const result = hook.call(hooks, info);
      if (result && typeof (result as Promise<void>).catch === 'function')
        (result as Promise<void>).catch(report);
    } catch (error) {
      report(error);
    }
  };
  const clientIp = createClientIp(options.trustedProxies);
  const live = new Map<string, FailoverConnection>();
  const drains = new Drains();
  const budget = new StateBudget(options.maxStateBytes);
  /** What each connection was routed by, to route it again when it fails over. */
  const routing = new WeakMap<ProxyConnection, RoutedBy>();
  /** Routers for a `routing_hint` naming another strategy: they see the same connections as `router`. */
  const hintRouters = new Map<
    RoutingStrategy,
    { router: Router; pools: Map<string, CandidatePool<ProxyCandidate>> }
  >();
  let pools: Pools | null = null;
  let pending = 0;
  let total = 0;
  let routingFailures = 0;
  let closed = false;

  const forgetPools = () => {
    pools = null;
    for (const hint of hintRouters.values()) hint.pools.clear();
  };
  const unsubscribe = source.subscribe(() => {
    forgetPools();
    drains.wake();
    leaveUnroutable(source, live.values());
  });

  const timer = setInterval(() => {
    for (const connection of live.values()) {
      const activity = connection.activity;
      if (activity === connection.reported) continue;
      connection.reported = activity;
      callHook('update', connection.info());
    }
  }, options.statsIntervalMs);
  timer.unref();

  /** The candidates a route picks among: all, or those the client's service= and tag= name. */
  function candidatesFor(inputs: RoutingInputs): {
    key: string;
    items: ProxyCandidate[];
    pool: CandidatePool<ProxyCandidate>;
  } {
    if (pools === null) pools = { all: source.list(), byKey: new Map() };
    const key = `${inputs.service ?? ''}\u0000${[...inputs.tags].sort().join(',')}`;
    const known = pools.byKey.get(key);
    if (known) return { key, ...known };
    let items = pools.all as ProxyCandidate[];
    if (inputs.service !== null) {
      const wanted = inputs.service;
      items = items.filter((c) => c.name === wanted || c.service_id === wanted);
      if (items.length === 0) {
        throw new AppError('SERVICE_NOT_FOUND', `Service '${wanted}' not found`, {
          details: { service: wanted },
        });
      }
    }
    if (inputs.tags.length > 0)
      items = items.filter((c) => inputs.tags.every((tag) => c.tags?.includes(tag)));
    // A draining service takes nobody new; with none left the client gets ROUTING_FAILED, recoverable.
    if (drains.size > 0) items = items.filter((c) => !drains.has(c.service_id));
    const entry = { items, pool: router.prepare(items) };
    // Bounded: clients naming ever new services or tag sets cannot grow it past this between two changes.
    if (pools.byKey.size >= 256) pools.byKey.clear();
    pools.byKey.set(key, entry);
    return { key, ...entry };
  }

  function hintRouter(strategy: RoutingStrategy) {
    let hint = hintRouters.get(strategy);
    if (!hint) {
      hint = { router: createRouter({ defaultStrategy: strategy, affinity: false }), pools: new Map() };
      for (const connection of live.values()) register(hint.router, connection);
      hintRouters.set(strategy, hint);
    }
    return hint;
  }

  function register(target: Router, connection: ProxyConnection): void {
    const info = connection.info();
    target.connections.register({
      connection_id: info.connection_id,
      client_ip: info.client_ip.slice(0, 64),
      target_service_id: info.target_service_id,
      status: 'active',
      routing_strategy: info.routing_strategy,
    });
  }

  function route(
    inputs: RoutingInputs,
    context: RouteContext,
  ): { service: ProxyCandidate; strategy: RoutingStrategy } {
    const { key, items, pool } = candidatesFor(inputs);
    const decision = router.route(context, pool);
    const hint = inputs.routing_hint;
    if (hint === null || decision.reason !== 'default' || hint === router.defaultStrategy) return decision;
    // A hint names the strategy where no rule and no session binding decided.
    const other = hintRouter(hint);
    let hinted = other.pools.get(key);
    if (!hinted) {
      hinted = other.router.prepare(items);
      if (other.pools.size >= 256) other.pools.clear();
      other.pools.set(key, hinted);
    }
    const picked = other.router.route({ ...context, session_id: null }, hinted);
    if (inputs.session_id !== null) router.affinity?.bind(inputs.session_id, picked.service.service_id, hint);
    return { service: picked.service, strategy: hint };
  }

  /** Answers the upgrade and sends one `error` event, then closes: for handshakes the proxy refuses. */
  function refuseWithEvent(
    socket: Duplex,
    key: string,
    error: AppError,
    recoverable: boolean,
    code: number,
  ): void {
    const event = jsonFrame(
      {
        event: 'error',
        data: { code: error.code, message: error.expose ? error.message : 'Internal error', recoverable },
        timestamp: new Date().toISOString(),
      },
      false,
    );
    socket.write(acceptHeaders(key));
    socket.write(event);
    socket.end(closeFrame(code, error.code, false));
    socket.on('data', () => {});
    setTimeout(() => socket.destroy(), options.closeTimeoutMs).unref();
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const headers = request.headers;
    const key = headers['sec-websocket-key'];
    if (
      request.method !== 'GET' ||
      !/\bwebsocket\b/iu.test(String(headers.upgrade ?? '')) ||
      typeof key !== 'string' ||
      Buffer.from(key, 'base64').length !== 16
    ) {
      refuse(socket, 400);
      return;
    }
    if (headers['sec-websocket-version'] !== '13') {
      refuse(socket, 426, 'Sec-WebSocket-Version: 13\r\n');
      return;
    }
    if (closed || live.size >= options.maxConnections || pending >= options.maxPendingHandshakes) {
      refuse(socket, 503, 'Retry-After: 1\r\n');
      return;
    }
    const net = socket as Socket;
    const ip = clientIp(net.remoteAddress ?? '', headers['x-forwarded-for']);
    let params: URLSearchParams;
    let inputs: RoutingInputs;
    try {
      params = new URL(request.url ?? '/', 'http://localhost').searchParams;
      inputs = readInputs(params, headers);
    } catch (error) {
      refuseWithEvent(socket, key, AppError.from(error, 'INVALID_REQUEST'), false, 1008);
      return;
    }
    const userAgent = typeof headers['user-agent'] === 'string' ? headers['user-agent'].slice(0, 1024) : null;
    const context: RouteContext = {
      client_ip: ip,
      client_port: net.remotePort ?? null,
      user_agent: userAgent,
      headers: contextHeaders(headers),
      query_params: contextQuery(params),
      session_id: inputs.session_id,
      service: inputs.service,
      tags: inputs.tags,
      routing_hint: inputs.routing_hint,
    };
    let picked: { service: ProxyCandidate; strategy: RoutingStrategy };
    try {
      picked = route(inputs, context);
    } catch (error) {
      const failure = AppError.from(error, 'ROUTING_FAILED');
      const code = failure.code === 'SERVICE_NOT_FOUND' ? 'SERVICE_NOT_FOUND' : 'ROUTING_FAILED';
      routingFailures++;
      if (failure.code !== 'INTERNAL_ERROR') {
        const report: RoutingFailure = { code, message: failure.message, client_ip: ip };
        if (inputs.service !== null) report.service = inputs.service;
        options.onRoutingFailed?.(report);
      } else reportError(failure);
      // Nothing routable may change soon (a restart); an unknown service will not.
      refuseWithEvent(socket, key, failure, code === 'ROUTING_FAILED', 1013);
      return;
    }
    let target: URL;
    try {
      target = upstreamUrl(picked.service.endpoint, params);
    } catch (error) {
      refuseWithEvent(
        socket,
        key,
        new AppError('ROUTING_FAILED', `Service '${picked.service.name}' has no valid endpoint`, {
          cause: error,
        }),
        true,
        1013,
      );
      return;
    }
    const forwarded = headers['x-forwarded-for'];
    const peer = net.remoteAddress ?? '';
    const chain =
      forwarded === undefined
        ? peer
        : `${Array.isArray(forwarded) ? forwarded.join(', ') : forwarded}, ${peer}`;
    net.setNoDelay(true);
    net.setTimeout(0);
    socket.write(acceptHeaders(key));
    total++;
    pending++;
    const outHeaders = upstreamHeaders(headers, chain);
    if (options.stateSecret) outHeaders['x-myagent-proxy'] = proxyMark(options.stateSecret);
    const connection = new FailoverConnection(
      {
        id: randomUUID(),
        client: socket,
        clientIp: ip,
        clientPort: net.remotePort ?? null,
        userAgent,
        service: picked.service,
        strategy: picked.strategy,
        upstreamUrl: target,
        upstreamHeaders: outHeaders,
        proxyMetadata: options.proxyMetadata || inputs.proxyMetadata,
        options,
        onEnded: ended,
        onSession: (conn, sessionId) =>
          router.affinity?.bind(sessionId, conn.service.service_id, conn.strategy),
        onHandshakeDone: () => {
          pending--;
        },
      },
      failoverHost,
    );
    routing.set(connection, { inputs, context, params });
    live.set(connection.id, connection);
    try {
      register(router, connection);
      for (const hint of hintRouters.values()) register(hint.router, connection);
    } catch (error) {
      reportError(error);
    }
    callHook('open', connection.info());
    if (options.routedEvent || inputs.routedEvent) {
      connection.sendEvent('connection_routed', {
        target_service: picked.service.name,
        service_endpoint: picked.service.endpoint,
        routing_strategy: picked.strategy,
        connection_id: connection.id,
      });
    }
    connection.start(head);
  }

  function reportError(error: unknown): void {
    report(error);
  }

  const failoverHost = createFailoverHost({
    options,
    source,
    router,
    routedBy: (connection) => routing.get(connection),
    candidates: (inputs) => candidatesFor(inputs).items,
    drains,
    budget,
    switched(connection) {
      try {
        router.connections.unregister(connection.id);
        register(router, connection);
        for (const hint of hintRouters.values()) {
          hint.router.connections.unregister(connection.id);
          register(hint.router, connection);
        }
        for (const sessionId of connection.sessions)
          router.affinity?.bind(sessionId, connection.service.service_id, connection.strategy);
      } catch (error) {
        reportError(error);
      }
      callHook('update', connection.info());
    },
  });

  function ended(connection: FailoverConnection): void {
    connection.releaseStates();
    if (!live.delete(connection.id)) return;
    router.connections.unregister(connection.id);
    for (const hint of hintRouters.values()) hint.router.connections.unregister(connection.id);
    callHook('close', connection.info());
  }

  function matching(filter: { service_id?: string; status?: ProxyConnectionInfo['status'] }) {
    const out: FailoverConnection[] = [];
    for (const connection of live.values()) {
      if (filter.service_id !== undefined && connection.service.service_id !== filter.service_id) continue;
      if (filter.status !== undefined && connection.status !== filter.status) continue;
      out.push(connection);
    }
    return out;
  }

  return {
    handleUpgrade,
    connections: (filter = {}) => matching(filter).map((c) => c.info()),
    connection: (connectionId) => live.get(connectionId)?.info(),
    disconnect(connectionId, disconnectOptions = {}) {
      const connection = live.get(connectionId);
      if (!connection) {
        throw new AppError('CONNECTION_NOT_FOUND', `Connection '${connectionId}' not found`, {
          details: { connection_id: connectionId },
        });
      }
      const reason = (disconnectOptions.reason ?? 'Administrative disconnect').slice(0, 120);
      const notified = disconnectOptions.notify_client !== false;
      if (notified) connection.notify({ type: 'disconnect', message: reason, severity: 'warning' });
      connection.close(1000, reason);
      return { notified };
    },
    notify(notification, notifyOptions = {}) {
      const targets = matching(
        notifyOptions.service_id === undefined ? {} : { service_id: notifyOptions.service_id },
      );
      for (const connection of targets) connection.notify(notification);
      return targets.length;
    },
    drain(serviceId, notification) {
      drains.add(serviceId);
      forgetPools();
      const targets = matching({ service_id: serviceId });
      for (const connection of targets) {
        if (notification) connection.notify(notification);
        connection.beginDrain(notification?.type ?? 'service_draining');
      }
      return targets.length;
    },
    endDrain(serviceId, endOptions = {}) {
      for (const connection of live.values()) {
        if (connection.drainingFrom === serviceId) connection.endDrain(endOptions.stopped === true);
      }
      drains.delete(serviceId);
      forgetPools();
    },
    stats() {
      let buffered = 0;
      for (const connection of live.values()) buffered += connection.bufferedBytes;
      return {
        connections: live.size,
        pending_handshakes: pending,
        total_connections: total,
        routing_failures: routingFailures,
        buffered_bytes: buffered,
      };
    },
    async close() {
      if (closed && live.size === 0) return;
      closed = true;
      unsubscribe();
      clearInterval(timer);
      for (const connection of live.values()) connection.close(1001, 'Manager shutting down');
      const deadline = Date.now() + options.closeTimeoutMs;
      while (live.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const connection of live.values()) connection.destroy();
    },
  };
}

function acceptHeaders(key: string): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`;
}
