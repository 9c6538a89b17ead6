import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort, isPortFree } from './ports.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

function listen(port = 0, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    servers.push(server);
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

describe('ports', () => {
  it('sees a port someone listens on as taken, and a closed one as free', async () => {
    const port = await listen();
    expect(await isPortFree('127.0.0.1', port)).toBe(false);
    await new Promise((done) => servers.pop()?.close(done));
    expect(await isPortFree('127.0.0.1', port)).toBe(true);
  });

  it('sees a wildcard listener from a loopback check', async () => {
    const port = await listen(0, '0.0.0.0');
    expect(await isPortFree('127.0.0.1', port)).toBe(false);
  });

  it('allocates the first port that is neither claimed nor in use', async () => {
    const busy = await listen();
    // A range starting at a port in use, then one claimed by a registered service.
    const port = await allocatePort('127.0.0.1', { from: busy, to: busy + 50 }, new Set([busy + 1]));
    expect(port).toBeGreaterThan(busy + 1);
    expect(await isPortFree('127.0.0.1', port)).toBe(true);
  });

  it('refuses with INSUFFICIENT_RESOURCES when the range is used up', async () => {
    const busy = await listen();
    await expect(allocatePort('127.0.0.1', { from: busy, to: busy }, new Set())).rejects.toMatchObject({
      code: 'INSUFFICIENT_RESOURCES',
    });
  });
});
