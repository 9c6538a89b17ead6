import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file in test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The fake agent server with the real binary's flags (modes through FIXTURE_MODE). */
export const fakeServer = { command: process.execPath, args: [fixture('fake-server.mjs')] };

/** A temp dir removed by the returned cleanup. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'myagent-registry-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

type Truthy<T> = Exclude<T, false | undefined | null | 0 | ''>;

/** Polls `check` until it returns a truthy value or the deadline passes (then throws what it last saw). */
export async function waitFor<T>(
  check: () => T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Truthy<Awaited<T>>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last as Truthy<Awaited<T>>;
    } catch (error) {
      last = error;
    }
    await delay(25);
  }
  throw new Error(
    `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
