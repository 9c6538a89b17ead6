import type { RouteContext, Router } from '@myagent/router';
import type { ProxyConnection } from './connection.js';
import type { Drains } from './drain.js';
import { type FailoverConnection, type FailoverHost, type FailoverTarget, proxyMark } from './failover.js';
import { type RoutingInputs, upstreamUrl } from './inputs.js';
import type { ResolvedProxyOptions } from './options.js';
import type { StateBudget } from './session-states.js';
import type { CandidateSource, ProxyCandidate } from './types.js';

// The proxy's side of failover: routing a connection again by what it was first routed by, the candidate
// changes a waiting failover wakes on, and fresh proxy marks for new legs.

/** What a connection was routed by, kept to route it again. */
export interface RoutedBy {
  inputs: RoutingInputs;
  context: RouteContext;
  params: URLSearchParams;
}

/** Joins failing-over connections to the proxy's router, candidates and drains. */
export function createFailoverHost(deps: {
  options: ResolvedProxyOptions;
  source: CandidateSource;
  router: Router;
  routedBy: (connection: ProxyConnection) => RoutedBy | undefined;
  /** The candidates the inputs name (draining ones left out); throws SERVICE_NOT_FOUND. */
  candidates: (inputs: RoutingInputs) => readonly ProxyCandidate[];
  drains: Drains;
  budget: StateBudget;
  switched: (connection: FailoverConnection) => void;
}): FailoverHost {
  const { options, source, router } = deps;
  const secret = options.stateSecret;
  return {
    reroute(connection, exclude): FailoverTarget | null {
      const routed = deps.routedBy(connection);
      if (!routed) return null;
      try {
        const items = deps.candidates(routed.inputs).filter((c) => !exclude.has(c.service_id));
        if (items.length === 0) return null;
        const decision = router.route(routed.context, router.prepare(items));
        return {
          service: decision.service,
          strategy: decision.strategy,
          url: upstreamUrl(decision.service.endpoint, routed.params),
        };
      } catch {
        // Nothing routable (or a service without a valid endpoint): the failover waits for a change.
        return null;
      }
    },
    current: (serviceId) => source.list().find((c) => c.service_id === serviceId),
    changed: (ms, signal) => deps.drains.changed(ms, signal),
    headers: (base) => (secret ? { ...base, 'x-myagent-proxy': proxyMark(secret) } : base),
    switched: deps.switched,
    budget: deps.budget,
    waitMs: options.failoverWaitMs,
  };
}

/** Statuses of a service whose clients leave it even while their sockets to it stay open (a hung server). */
const LEFT = new Set(['stopped', 'error', 'unhealthy']);

/** The live connections whose service left RUNNING or healthy: they fail over. */
export function leaveUnroutable(source: CandidateSource, connections: Iterable<FailoverConnection>): void {
  let byId: Map<string, ProxyCandidate> | undefined;
  for (const connection of connections) {
    byId ??= new Map(source.list().map((c) => [c.service_id, c]));
    const now = byId.get(connection.service.service_id);
    if (!now || LEFT.has(String(now.status)) || now.healthy === false) connection.serviceLeft();
  }
}
