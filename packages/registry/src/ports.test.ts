import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatePort, isPortFree, portState } from './ports.js';

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

  it.each([
    ['no.such.host.invalid', /no such host|could not be resolved/u],
    ['192.0.2.1', /not an address of this machine/u],
  ])(
    'refuses a host that cannot be bound (%s) with INVALID_REQUEST naming it, at once',
    async (host, reason) => {
      // A port the OS just handed out and took back: the scan would go on from there if the host were good.
      const port = await listen();
      await new Promise((done) => servers.pop()?.close(done));
      const range = { from: port, to: Math.min(port + 10_000, 65_535) };
      // One attempt at a time: a second promise made up front could reject before anyone awaits it.
      for (const attempt of [() => allocatePort(host, range, new Set()), () => portState(host, port)]) {
        const error = await attempt().then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toMatchObject({ code: 'INVALID_REQUEST', details: { host, port } });
        expect((error as Error).message).toMatch(
          new RegExp(`^Cannot bind ${host.replaceAll('.', '\\.')}:${port}: `, 'u'),
        );
        expect((error as Error).message).toMatch(reason);
      }
      expect(await isPortFree(host, port)).toBe(false);
    },
  );
});
