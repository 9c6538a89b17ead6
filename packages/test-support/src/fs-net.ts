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
