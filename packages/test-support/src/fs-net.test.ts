import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { freePortRange } from './fs-net.js';

function bind(port: number): Promise<ReturnType<typeof createServer>> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

it('hands out consecutive ports that can all be bound on loopback', async () => {
  const range = await freePortRange(5);
  expect(range.to - range.from).toBe(4);
  expect(range.to).toBeLessThanOrEqual(65_535);
  const servers = await Promise.all([0, 1, 2, 3, 4].map((i) => bind(range.from + i)));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

it('refuses a count below one', async () => {
  await expect(freePortRange(0)).rejects.toThrow(/count must be 1 or more, got 0/u);
});
