import { objectWithMethods, parseOrThrow } from '@myagent/models';
import { createRouter, parseCidr, type Router } from '@myagent/router';
import * as v from 'valibot';
import type { CandidateSource, ConnectionHooks, RoutingFailure } from './types.js';
import type { UpstreamConnector } from './upstream.js';

/** Waiting for an agent server's handshake ends after this. @default 10 s */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Upstream handshakes in progress at once; past it a client is refused with 503. @default 1,000 */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 1_000;
/** Client connections at once; past it a client is refused with 503. @default 10,000 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/**
 * The largest frame, and the largest text message the proxy holds to look at before it passes on: the
 * agent server's own frame bound (it answers PAYLOAD_TOO_LARGE below it, and closes 1009 above). @default 4 MiB
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Bytes queued per connection and direction before the proxy stops reading the other side. @default 1 MiB */
export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
/** How often the `update` hook hears of connections whose counters moved. @default 10 s */
export const DEFAULT_STATS_INTERVAL_MS = 10_000;
/** A peer that does not answer a close frame within this is cut off. @default 5 s */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/** A client whose agent server was lost waits this long for another (or for its restart). @default 30 s */
export const DEFAULT_FAILOVER_WAIT_MS = 30_000;
/** Bytes of signed session state the proxy keeps for failover, over all connections. @default 256 MiB */
export const DEFAULT_MAX_STATE_BYTES = 256 * 1024 * 1024;

const fn = <T>() => v.custom<T>((value) => typeof value === 'function');
const ms = (fallback: number, min = 1) =>
  v.optional(v.pipe(v.number(), v.integer(), v.minValue(min)), fallback);

/** Options of {@link createProxy}, checked with valibot; times in ms. */
export const ProxyOptions = v.object({
  /** The services to route to, in memory. */
  source: objectWithMethods<CandidateSource>('source must have list() and subscribe()', 'list', 'subscribe'),
  /** The router (its rules, affinity and connection counts); share the host's. @default createRouter() */
  router: v.optional(
    v.custom<Router>(
      (value) => typeof value === 'object' && value !== null && typeof (value as Router).route === 'function',
    ),
  ),
  /** Connection open / update / close, for a connection log. */
  hooks: v.optional(
    v.custom<ConnectionHooks>((value) => typeof value === 'object' && value !== null),
    {},
  ),
  /** Told of every client refused for ROUTING_FAILED or SERVICE_NOT_FOUND. */
  onRoutingFailed: v.optional(fn<(failure: RoutingFailure) => void>()),
  /** Where failures of hooks and sockets go. @default console.warn */
  onError: v.optional(fn<(error: Error) => void>()),
  /** Peers (addresses or CIDRs) whose X-Forwarded-For is believed; nobody's by default. @default [] */
  trustedProxies: v.optional(
    v.array(
      v.pipe(
        v.string(),
        v.check(
          (text) =>
            parseCidr(text.includes('/') ? text : text.includes(':') ? `${text}/128` : `${text}/32`) !== null,
          'not an address or CIDR',
        ),
      ),
    ),
    [],
  ),
  connectTimeoutMs: ms(DEFAULT_CONNECT_TIMEOUT_MS),
  maxPendingHandshakes: ms(DEFAULT_MAX_PENDING_HANDSHAKES),
  maxConnections: ms(DEFAULT_MAX_CONNECTIONS),
  maxMessageBytes: ms(DEFAULT_MAX_MESSAGE_BYTES, 1024),
  maxBufferedBytes: ms(DEFAULT_MAX_BUFFERED_BYTES, 1024),
  statsIntervalMs: ms(DEFAULT_STATS_INTERVAL_MS, 10),
  closeTimeoutMs: ms(DEFAULT_CLOSE_TIMEOUT_MS),
  /** Send `connection_routed` to every client, not only to those asking with `?events=routed`. @default false */
  routedEvent: v.optional(v.boolean(), false),
  /** Wrap every client message in seed 003's `proxy_metadata` envelope (also per connection: `?proxy_metadata=1`). @default false */
  proxyMetadata: v.optional(v.boolean(), false),
  /**
   * The agent servers' shared state secret (their `MYAGENT_STATE_SECRET`). With it the proxy marks its
   * upstream handshakes so that the agent servers send it their sessions' signed state, and failover
   * restores sessions on another agent server; without it failover reconnects the client but keeps no session.
   */
  stateSecret: v.optional(v.pipe(v.string(), v.minLength(16, 'stateSecret must have 16 characters or more'))),
  failoverWaitMs: ms(DEFAULT_FAILOVER_WAIT_MS),
  maxStateBytes: ms(DEFAULT_MAX_STATE_BYTES, 0),
  /** Opens the agent server's leg: the seam tests and embedders replace. @default a node:http upgrade request */
  connectUpstream: v.optional(fn<UpstreamConnector>()),
});
export type ProxyOptionsInput = v.InferInput<typeof ProxyOptions>;
export type ResolvedProxyOptions = v.InferOutput<typeof ProxyOptions> & { router: Router };

/** Checks and completes the options; a bad option throws INVALID_REQUEST. */
export function resolveProxyOptions(options: ProxyOptionsInput): ResolvedProxyOptions {
  const resolved = parseOrThrow(ProxyOptions, options, 'proxy options');
  return { ...resolved, router: resolved.router ?? createRouter() };
}
