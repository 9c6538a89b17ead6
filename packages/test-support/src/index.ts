// Temp dirs, ports and waits
export { freePort, freePortRange, tempDir } from './fs-net.js';
export type { PortRange, TempDir } from './fs-net.js';
export { until } from './wait.js';

// The repository's example agents
export { ECHO_AGENT, WEATHER_AGENT } from './examples.js';

// Processes
export { alive, runDetached, startDaemon } from './process.js';
export type { DaemonProcess, DetachedRun } from './process.js';

// Storage dialects: fresh SQLite files and PostgreSQL schemas for a storage suite
export { createDialects } from './dialects.js';
export type { BareDatabase, DialectHarness, DialectOpeners } from './dialects.js';
