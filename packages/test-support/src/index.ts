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

// The event protocol's test client, the fixture agents more than one package serves, a fake OpenAI server
export { startFakeOpenAI } from './fake-openai.js';
export type { FakeOpenAI, FakeReply, FakeRequest, FakeScript } from './fake-openai.js';
export { COUNTING_AGENT, NO_AGENT_MODULE, TEST_AGENT } from './fixture-agents.js';
export { TestClient } from './protocol-client.js';
export type { EventMatch, Received, WaitEventOptions } from './protocol-client.js';
