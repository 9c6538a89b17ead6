// Temp dirs, ports and waits
export { freePort, tempDir } from './fs-net.js';
export type { TempDir } from './fs-net.js';
export { until } from './wait.js';

// The repository's example agents
export { ECHO_AGENT, WEATHER_AGENT } from './examples.js';

// Processes
export { alive, startDaemon } from './process.js';
export type { DaemonProcess } from './process.js';

// The event protocol's test client, the fixture agents more than one package serves, a fake OpenAI server
export { startFakeOpenAI } from './fake-openai.js';
export type { FakeOpenAI, FakeReply, FakeRequest, FakeScript } from './fake-openai.js';
export { COUNTING_AGENT, NO_AGENT_MODULE, TEST_AGENT } from './fixture-agents.js';
export { TestClient } from './protocol-client.js';
export type { EventMatch, Received, WaitEventOptions } from './protocol-client.js';
