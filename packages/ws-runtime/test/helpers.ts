// Test helpers: a runtime on a real loopback server serving a fixture agent. The protocol client that
// talks to it is test-support's TestClient.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_AGENT } from '@myagent/test-support';
import {
  type AgentRuntime,
  type AgentRuntimeOptions,
  createAgentRuntime,
  loadAgentModule,
} from '../src/index.js';

/** A runtime serving the fixture agent (test-support's TEST_AGENT) on 127.0.0.1, port 0. */
export async function startRuntime(
  options: Partial<AgentRuntimeOptions> & { agentPath?: string } = {},
): Promise<{ url: string; runtime: AgentRuntime; close(): Promise<void> }> {
  const agent = options.agent ?? (await loadAgentModule(options.agentPath ?? TEST_AGENT));
  const runtime = createAgentRuntime({ mode: 'in-process', ...options, agent });
  const server = createServer();
  runtime.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    runtime,
    async close() {
      await runtime.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The agent of the hostile-agent suite: it misbehaves as each message asks. */
export const HOSTILE_AGENT = fileURLToPath(new URL('./fixtures/hostile-agent.ts', import.meta.url));
