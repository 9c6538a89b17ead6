// The proxy
export { createProxy } from './proxy.js';
export type { ProxyHandle } from './proxy-handle.js';
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FAILOVER_WAIT_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_PENDING_HANDSHAKES,
  DEFAULT_MAX_STATE_BYTES,
  DEFAULT_STATS_INTERVAL_MS,
  ProxyOptions,
} from './options.js';
export type { ProxyOptionsInput } from './options.js';

// What the host provides and hears
export type {
  CandidateSource,
  ConnectionHooks,
  DisconnectOptions,
  ManagementNotification,
  ProxyCandidate,
  ProxyConnectionInfo,
  ProxyStats,
  RoutingFailure,
} from './types.js';

// Failover: the mark agent servers sharing the state secret trust
export { proxyMark } from './failover.js';

// Frames a host writes itself (the manager's /ws/traces frames each event once for all its clients)
export { encodeFrame, OP_TEXT } from './frames.js';

// The upstream leg, replaceable
export { connectUpstream } from './upstream.js';
export type { UpstreamConnector, UpstreamLeg, UpstreamRequest } from './upstream.js';
