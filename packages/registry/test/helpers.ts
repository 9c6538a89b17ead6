import { fileURLToPath } from 'node:url';

/** Absolute path of a file in test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The fake agent server with the real binary's flags (modes through FIXTURE_MODE). */
export const fakeServer = { command: process.execPath, args: [fixture('fake-server.mjs')] };
