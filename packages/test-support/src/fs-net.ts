import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp folder and its removal. */
export interface TempDir {
  dir: string;
  /** Removes the folder and everything in it; safe to call twice. */
  cleanup(): void;
  [Symbol.dispose](): void;
}

/** A fresh folder under `os.tmpdir()`. */
export function tempDir(prefix = 'myagent-test-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  return { dir, cleanup, [Symbol.dispose]: cleanup };
}

/** A loopback port the kernel handed out just now (bound on port 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An inclusive range of ports, as the registry allocates service ports from. */
export interface PortRange {
  from: number;
  to: number;
}

function listen(port: number): Promise<ReturnType<typeof createServer> | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
}

/**
 * `count` consecutive loopback ports, free just now: the first from the kernel (a port 0 listener), the
 * others checked by binding them while the first is held; all released before it returns. For a test that
 * needs a `portRange`: the registry skips a port that someone took since, so a little slack in `count`
 * keeps a busy machine from failing the test.
 * @example const manager = new AgentManager({ portRange: await freePortRange(20) });
 */
export async function freePortRange(count: number): Promise<PortRange> {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`freePortRange: count must be 1 or more, got ${count}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0);
    if (!first) continue;
    const from = (first.address() as AddressInfo).port;
    const held = [first];
    for (let port = from + 1; port < from + count && port <= 65_535; port++) {
      const next = await listen(port);
      if (!next) break;
      held.push(next);
    }
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
    if (held.length === count) return { from, to: from + count - 1 };
  }
  throw new Error(`freePortRange: no ${count} consecutive free ports found after 50 tries`);
}
