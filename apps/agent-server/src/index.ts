// Starting the server
export type { AgentCheckReport } from './check.js';
export { checkAgentFile } from './check.js';
export type { AgentServerCommand } from './command.js';
export { agentServerCommand } from './command.js';
export type { JsonLogger } from './logger.js';
export { createJsonLogger } from './logger.js';
export type { AgentServerLimits, AgentServerOptions } from './options.js';
export { resolveServerOptions } from './options.js';
export type { AgentServer, AgentServerHealth } from './server.js';
export { startAgentServer } from './server.js';
