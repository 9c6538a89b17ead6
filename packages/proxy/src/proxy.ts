import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError, type RoutingStrategy } from '@myagent/models';
import type { RouteContext } from '@myagent/router';
import type { ProxyConnection } from './connection.js';
import { createHookCaller } from './connection-hooks.js';
import { Drains } from './drain.js';
import { FailoverConnection, proxyMark } from './failover.js';
import { createFailoverHost, leaveUnroutable, type RoutedBy } from './failover-host.js';
import { acceptHeaders, refuse, refuseWithEvent } from './handshake-replies.js';
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
import type { ProxyHandle } from './proxy-handle.js';
import { createProxyRouting } from './routing.js';
import { StateBudget } from './session-states.js';
import type { ProxyCandidate, ProxyConnectionInfo, RoutingFailure } from './types.js';
import { connectUpstream } from './upstream.js';

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
  const { report, callHook } = createHookCaller(options);
  const clientIp = createClientIp(options.trustedProxies);
  const live = new Map<string, FailoverConnection>();
  const drains = new Drains();
  const budget = new StateBudget(options.maxStateBytes);
  const { forgetPools, candidatesFor, route, track, untrack } = createProxyRouting({
    source,
    router,
    drains,
    live,
  });
  /** What each connection was routed by, to route it again when it fails over. */
  const routing = new WeakMap<ProxyConnection, RoutedBy>();
  let pending = 0;
  let total = 0;
  let routingFailures = 0;
  let closed = false;

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
      refuseWithEvent(
        socket,
        key,
        AppError.from(error, 'INVALID_REQUEST'),
        false,
        1008,
        options.closeTimeoutMs,
      );
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
        const refused: RoutingFailure = { code, message: failure.message, client_ip: ip };
        if (inputs.service !== null) refused.service = inputs.service;
        options.onRoutingFailed?.(refused);
      } else report(failure);
      // Nothing routable may change soon (a restart); an unknown service will not.
      refuseWithEvent(socket, key, failure, code === 'ROUTING_FAILED', 1013, options.closeTimeoutMs);
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
        options.closeTimeoutMs,
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
      track(connection);
    } catch (error) {
      report(error);
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
        untrack(connection.id);
        track(connection);
        for (const sessionId of connection.sessions)
          router.affinity?.bind(sessionId, connection.service.service_id, connection.strategy);
      } catch (error) {
        report(error);
      }
      callHook('update', connection.info());
    },
  });

  function ended(connection: FailoverConnection): void {
    connection.releaseStates();
    if (!live.delete(connection.id)) return;
    untrack(connection.id);
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
