// The app factory
export { createApi } from './app.js';
export type { CreateApiOptions } from './app.js';

// What it needs from its host
export type {
  ApiHost,
  ClientNotification,
  ConnectionCounts,
  ConnectionQuery,
  HealthState,
  LogEntry,
  ManagerEvent,
  SeriesAnswer,
  SeriesQuery,
  ServiceQuery,
  ServiceUpdateResult,
  TraceQuery,
} from './host.js';
export type { ApiEnv, AuditTarget } from './env.js';

// Options and the token check (the manager reuses it on WebSocket upgrades)
export {
  ApiOptions,
  ApiToken,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_SSE_HEARTBEAT_MS,
  DEFAULT_SSE_MAX_BUFFERED_BYTES,
  DEFAULT_SSE_MAX_STREAMS,
} from './options.js';
export type { ApiOptionsInput } from './options.js';
export { createTokenAuth, LOCAL_ACTOR } from './auth.js';
export type { Actor, TokenAuth } from './auth.js';

// Building blocks a host may reuse for its own routes
export { errorResponse, toAppError } from './errors.js';
