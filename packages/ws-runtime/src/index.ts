// Loading agent modules
export { loadAgentModule, resolveAgent } from './agent-loader.js';
export type { AgentExport, LoadedAgent } from './agent-module.js';

// The runtime
export type { AgentRuntimeOptions, RuntimeLogger } from './options.js';
export type { AgentRuntime, RuntimeStats } from './runtime.js';
export { createAgentRuntime } from './runtime.js';
export type { RuntimeSocket, SocketData } from './socket.js';

// Guarding the HTTP server it is attached to
export type { ConnectionGuard, ConnectionGuardOptions } from './connection-guard.js';
export { CONNECTION_GUARD_DEFAULTS, guardConnections, resolveGuardOptions } from './connection-guard.js';

// Traces of runs (seed 004)
export type { TraceSink } from './traces.js';

// Signed session state
export type { StateSigner } from './signed-state.js';
export { createStateSigner, SIGNED_STATE_TTL_MS } from './signed-state.js';
