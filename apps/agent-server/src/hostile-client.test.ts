import { connect, type Socket } from 'node:net';
import { TEST_AGENT, TestClient } from '@myagent/test-support';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type SpawnedServer, spawnServer } from '../test/helpers.js';

// Clients that never finish their handshake, and upgrades on paths that are not the server's: against the
// real binary, as the manager spawns it.
const servers: SpawnedServer[] = [];
const sockets: Socket[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exit;
  }
});

async function start(args: string[]): Promise<SpawnedServer> {
  const server = spawnServer([TEST_AGENT, '--port', '0', '--in-process', ...args]);
  servers.push(server);
  return server.ready();
}

/** A socket that sends the first half of an upgrade request and then nothing. */
function halfUpgrade(port: number): Promise<{ socket: Socket; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
      resolve({ socket, closed: () => closed });
    });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
    });
    socket.once('error', reject);
  });
}

/** Sends a whole upgrade request and resolves with the status line of the answer. */
function upgradeStatus(port: number, path: string): Promise<{ status: string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    sockets.push(socket);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\r\n')) resolve({ status: text.split('\r\n')[0] as string, closed });
    });
    socket.on('error', reject);
  });
}

async function converse(server: SpawnedServer): Promise<void> {
  const client = await TestClient.connect(server.url as string);
  clients.push(client);
  const session = await client.createSession();
  const events = await client.turn(session, 'hello');
  expect(events.at(-1)?.event).toBe('agent.final_answer');
}

describe('half-sent handshakes', () => {
  it('closes 20 sockets that sent half an upgrade once the handshake timeout passes', async () => {
    const server = await start(['--handshake-timeout', '1']);
    const half = await Promise.all(Array.from({ length: 20 }, () => halfUpgrade(server.port as number)));
    await vi.waitFor(() => expect(half.filter((h) => h.closed())).toHaveLength(20), {
      timeout: 10_000,
      interval: 50,
    });
    await converse(server);
  });

  it('lets real clients in while more half-open sockets than the pending cap wait', async () => {
    // A timeout far beyond the test: only the cap can make room here.
    const server = await start(['--handshake-timeout', '600', '--max-pending-handshakes', '8']);
    const half = await Promise.all(Array.from({ length: 30 }, () => halfUpgrade(server.port as number)));
    // The oldest ones were closed to keep 8 at most waiting.
    await vi.waitFor(() => expect(half.filter((h) => !h.closed()).length).toBeLessThanOrEqual(8), {
      timeout: 10_000,
    });
    await converse(server);
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(health.status).toBe(200);
  });

  it('refuses connections past --max-connections-per-ip with 429, and takes one again once one closes', async () => {
    const server = await start(['--max-connections-per-ip', '3']);
    const first = await TestClient.connect(server.url as string);
    clients.push(first, await TestClient.connect(server.url as string));
    clients.push(await TestClient.connect(server.url as string));
    const refused = await upgradeStatus(server.port as number, '/');
    expect(refused.status).toBe('HTTP/1.1 429 Too Many Requests');
    await refused.closed;
    await first.close();
    await vi.waitFor(() => converse(server), { timeout: 10_000 });
  });
});

describe('upgrade paths', () => {
  it('upgrades only on its own path: any other path is 404 and the socket closed', async () => {
    const server = await start([]);
    for (const path of ['/other', '/ws/x', '/health']) {
      const answer = await upgradeStatus(server.port as number, path);
      expect(answer.status).toBe('HTTP/1.1 404 Not Found');
      await answer.closed;
    }
    expect((await upgradeStatus(server.port as number, '/?greeting=1')).status).toBe(
      'HTTP/1.1 101 Switching Protocols',
    );
  });
});
