import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROBE_HEADER } from '@myagent/models';
import { freePort, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startHangingServer, startPingServer } from '../test/servers.js';
import { checkWebSocket } from './websocket-check.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('checkWebSocket', () => {
  it('sends a ping, waits for the pong among other events and measures the round trip', async () => {
    const server = await startPingServer({ delayMs: 20 });
    cleanups.push(() => server.close());
    const outcome = await checkWebSocket(server.endpoint, { timeoutMs: 2000 });
    expect(outcome.status).toBe('healthy');
    expect(server.pings).toBe(1);
    expect(outcome.response_time_ms).toBeGreaterThan(0);
    const details = outcome.details as { round_trip_ms: number; connect_ms: number; endpoint: string };
    // The server holds the pong 20 ms, so the measured round trip cannot be shorter.
    expect(details.round_trip_ms).toBeGreaterThanOrEqual(19);
    expect(outcome.response_time_ms).toBeGreaterThanOrEqual(details.round_trip_ms);
    expect(details.endpoint).toBe(server.endpoint);
    // The socket is closed politely afterwards.
    await until(() => server.closeCodes.length === 1, 'the server sees the close');
    expect(server.closeCodes).toEqual([1000]);
    // Marked as a probe, so that an agent server does not count it among its clients.
    expect(server.upgradeHeaders[0]?.[PROBE_HEADER]).toBe('health');
  });

  it('times out when the server accepts TCP but never completes the handshake', async () => {
    const server = await startHangingServer();
    cleanups.push(() => server.close());
    const outcome = await checkWebSocket(server.endpoint, { timeoutMs: 200 });
    expect(outcome).toMatchObject({ status: 'unhealthy', response_time_ms: null });
    expect(outcome.message).toBe('timed out: no WebSocket handshake within 200 ms');
    expect(server.accepted).toBe(1);
    await until(() => server.open === 0, 'the hung connection is dropped');
  });

  it('reports a refused connection', async () => {
    const outcome = await checkWebSocket(`ws://127.0.0.1:${await freePort()}`, { timeoutMs: 2000 });
    expect(outcome).toMatchObject({
      status: 'unhealthy',
      message: 'connection refused',
      response_time_ms: null,
    });
  });

  it('times out when the handshake completes but no pong comes', async () => {
    const server = await startPingServer({ mode: 'silent' });
    cleanups.push(() => server.close());
    const outcome = await checkWebSocket(server.endpoint, { timeoutMs: 200 });
    expect(outcome).toMatchObject({ status: 'unhealthy', message: 'timed out: no pong within 200 ms' });
    expect(server.pings).toBe(1);
    await until(() => server.open === 0, 'the silent connection is closed');
  });

  it('reports a server that closes instead of answering', async () => {
    const server = await startPingServer({ mode: 'close' });
    cleanups.push(() => server.close());
    const outcome = await checkWebSocket(server.endpoint, { timeoutMs: 2000 });
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.message).toContain('closed the connection (code 4000)');
  });

  it('reports an HTTP server that refuses the upgrade', async () => {
    const http = createServer((_request, response) => response.writeHead(404).end('no'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => http.close(() => resolve())));
    const port = (http.address() as AddressInfo).port;
    const outcome = await checkWebSocket(`ws://127.0.0.1:${port}`, { timeoutMs: 2000 });
    expect(outcome).toMatchObject({ status: 'unhealthy', details: { http_status: 404 } });
  });

  it('refuses an endpoint that is not a ws URL without throwing', async () => {
    const outcome = await checkWebSocket('ftp://127.0.0.1/x', { timeoutMs: 200 });
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.message).toMatch(/^invalid endpoint/);
  });

  it('ends at once and drops the socket when aborted', async () => {
    const server = await startHangingServer();
    cleanups.push(() => server.close());
    const controller = new AbortController();
    const pending = checkWebSocket(server.endpoint, { timeoutMs: 30_000, signal: controller.signal });
    await until(() => server.accepted === 1, 'the connection arrives');
    controller.abort();
    expect(await pending).toMatchObject({ status: 'unhealthy', message: 'check aborted' });
    await until(() => server.open === 0, 'the socket is dropped');
  });
});
