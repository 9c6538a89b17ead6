// Temp dirs, ports and waits
export { freePort, tempDir } from './fs-net.js';
export type { TempDir } from './fs-net.js';
export { until } from './wait.js';

// The repository's example agents
export { ECHO_AGENT, WEATHER_AGENT } from './examples.js';

// Processes
export { alive, runDetached, startDaemon } from './process.js';
export type { DaemonProcess, DetachedRun } from './process.js';
