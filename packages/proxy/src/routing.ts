import { AppError, type RoutingStrategy } from '@myagent/models';
import { type CandidatePool, createRouter, type RouteContext, type Router } from '@myagent/router';
import type { ProxyConnection } from './connection.js';
import type { Drains } from './drain.js';
import type { RoutingInputs } from './inputs.js';
import type { CandidateSource, ProxyCandidate } from './types.js';

// Picks a service for a handshake: candidate pools per service= and tag= set, and routers for a routing_hint.

/** Pools prepared for one set of candidates; dropped whenever the source changes. */
interface Pools {
  all: readonly ProxyCandidate[];
  byKey: Map<string, { items: ProxyCandidate[]; pool: CandidatePool<ProxyCandidate> }>;
}

/** Routes handshakes among the source's candidates with `router` (and a router per hinted strategy). */
export function createProxyRouting({
  source,
  router,
  drains,
  live,
}: {
  source: CandidateSource;
  router: Router;
  drains: Drains;
  /** The live connections, registered with each hint router it makes. */
  live: ReadonlyMap<string, ProxyConnection>;
}) {
  /** Routers for a `routing_hint` naming another strategy: they see the same connections as `router`. */
  const hintRouters = new Map<
    RoutingStrategy,
    { router: Router; pools: Map<string, CandidatePool<ProxyCandidate>> }
  >();
  let pools: Pools | null = null;

  const forgetPools = () => {
    pools = null;
    for (const hint of hintRouters.values()) hint.pools.clear();
  };

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

  /** Counts a connection in `router` and in every hint router, for their connection-based strategies. */
  function track(connection: ProxyConnection): void {
    register(router, connection);
    for (const hint of hintRouters.values()) register(hint.router, connection);
  }

  /** Stops counting a connection in every router. */
  function untrack(connectionId: string): void {
    router.connections.unregister(connectionId);
    for (const hint of hintRouters.values()) hint.router.connections.unregister(connectionId);
  }

  return { forgetPools, candidatesFor, route, track, untrack };
}
