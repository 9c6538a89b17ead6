import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentServer, startAgentServer } from '@myagent/agent-server';
import { afterEach, expect, it } from 'vitest';
import { fixture } from '../test/helpers.js';
import { fetchAgentHealth } from './agent-health.js';

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** An HTTP server that answers every request with `body`. */
async function answering(body: string): Promise<number> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

it("parses what the real agent server's /health produces", async () => {
  const server: AgentServer = await startAgentServer({
    agentFile: fixture('echo-agent.mjs'),
    port: 0,
    inProcess: true,
    write: () => {},
  });
  open.push(() => server.close());
  const health = await fetchAgentHealth('127.0.0.1', server.port);
  expect(health).toEqual({ ...server.health(), uptime_seconds: expect.any(Number) });
  expect(health).toMatchObject({ status: 'ok', agent: 'fixture-echo', pid: process.pid });
});

it('refuses a body that is not the schema, instead of trusting it', async () => {
  const good = {
    status: 'ok',
    agent: 'a',
    active_connections: 1,
    active_sessions: 1,
    total_connections: 1,
    peak_connections: 1,
    total_sessions: 1,
    completed_sessions: 0,
    avg_session_duration: 0,
    error_count: 0,
    avg_response_time_ms: 0,
    uptime_seconds: 1,
    pid: 42,
  };
  expect(await fetchAgentHealth('127.0.0.1', await answering(JSON.stringify(good)))).toEqual(good);
  for (const bad of [
    { ...good, active_connections: 'lots' },
    { ...good, error_count: -1 },
    { ...good, status: 'fine' },
    { status: 'ok' },
    [good],
  ]) {
    expect(await fetchAgentHealth('127.0.0.1', await answering(JSON.stringify(bad)))).toBeUndefined();
  }
  expect(await fetchAgentHealth('127.0.0.1', await answering('not json'))).toBeUndefined();
});
