// The manager
export { AgentManager } from './agent-manager.js';
export type {
  AgentManagerEvents,
  ListServicesFilter,
  RegisterConnectionInput,
} from './agent-manager.js';
export type { AgentManagerOptions, StartOptions } from './options.js';

// The overview
export { systemStats } from './system-stats.js';
export type { SystemStats } from './system-stats.js';
