// Hostile input at registration: every field gets wrong types, huge strings, NUL bytes, unknown fields,
// bad numbers, and paths that are not agent files; each is a coded error, with nothing written and nothing
// spawned. And a stored row with a NUL byte in its environment no longer takes the manager down (run
// detached, so that a regression can only hit its own process group).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ECHO_AGENT, freePort, runDetached, tempDir } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentManager } from '../src/index.js';

const temp = tempDir();
let manager: AgentManager;
const spawned: number[] = [];

beforeAll(async () => {
  manager = new AgentManager({ dbPath: join(temp.dir, 'manager.db'), serverArgs: ['--in-process'] });
  manager.on('status', (event) => spawned.push(event.to === 'starting' ? 1 : 0));
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  temp.cleanup();
});

const ok = { name: 'hostile', agent_factory_path: ECHO_AGENT };
const huge = 'x'.repeat(1_000_000);

/** Registers `input` and returns the code of the refusal (or 'registered'). */
async function refusal(input: unknown): Promise<string> {
  return manager.registerService(input as never).then(
    () => 'registered',
    (error: { code?: string }) => error.code ?? 'uncoded',
  );
}

describe('registration refuses hostile input with a code, writing and spawning nothing', () => {
  it.each<[string, unknown]>([
    ['a null body', null],
    ['an array body', [ok]],
    ['a string body', 'register me'],
    ['an unknown field', { ...ok, surprise: true }],
    ['a numeric name', { ...ok, name: 42 }],
    ['an empty name', { ...ok, name: '' }],
    ['a huge name', { ...ok, name: huge }],
    ['a NUL byte in the name', { ...ok, name: 'a\u0000b' }],
    ['an object for a name', { ...ok, name: { toString: () => 'x' } }],
    ['a numeric path', { ...ok, agent_factory_path: 42 }],
    ['an empty path', { ...ok, agent_factory_path: '' }],
    ['a huge path', { ...ok, agent_factory_path: huge }],
    ['a NUL byte in the path', { ...ok, agent_factory_path: `${ECHO_AGENT}\u0000.ts` }],
    ['a huge description', { ...ok, description: huge }],
    ['a NUL byte in the description', { ...ok, description: 'a\u0000b' }],
    ['a numeric host', { ...ok, host: 42 }],
    ['a host with a space', { ...ok, host: 'bad host' }],
    ['a huge host', { ...ok, host: huge }],
    ['a NUL byte in the host', { ...ok, host: '127.0.0.1\u0000' }],
    ['a negative port', { ...ok, port: -1 }],
    ['port 0', { ...ok, port: 0 }],
    ['port 70000', { ...ok, port: 70_000 }],
    ['a fractional port', { ...ok, port: 80.5 }],
    ['a NaN port', { ...ok, port: Number.NaN }],
    ['an infinite port', { ...ok, port: Number.POSITIVE_INFINITY }],
    ['a string port', { ...ok, port: '8081' }],
    ['tags as a string', { ...ok, tags: 'a,b' }],
    ['a numeric tag', { ...ok, tags: [42] }],
    ['a tag with a space', { ...ok, tags: ['a b'] }],
    ['33 tags', { ...ok, tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }],
    ['a config array', { ...ok, config: [] }],
    ['a config string', { ...ok, config: 'fast' }],
    ['an unknown config field', { ...ok, config: { turbo: true } }],
    ['negative max_sessions', { ...ok, config: { max_sessions: -1 } }],
    ['NaN session_timeout', { ...ok, config: { session_timeout: Number.NaN } }],
    ['infinite run_timeout', { ...ok, config: { run_timeout: Number.POSITIVE_INFINITY } }],
    ['a string restart_delay', { ...ok, config: { restart_delay: 'soon' } }],
    ['an environment array', { ...ok, config: { environment: [] } }],
    ['a numeric environment value', { ...ok, config: { environment: { A: 1 } } }],
    ['a NUL byte in an environment value', { ...ok, config: { environment: { A: 'x\u0000y' } } }],
    ['= in an environment name', { ...ok, config: { environment: { 'A=B': 'x' } } }],
    ['a huge environment value', { ...ok, config: { environment: { A: huge } } }],
    [
      '300 environment variables',
      {
        ...ok,
        config: { environment: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`V${i}`, 'x'])) },
      },
    ],
    ['a string auto_start', { ...ok, auto_start: 'yes' }],
  ])('%s: INVALID_REQUEST', async (_what, input) => {
    expect(await refusal(input)).toBe('INVALID_REQUEST');
  });

  it('paths that are not agent files: a directory, a FIFO, a symlink loop, a missing file', async () => {
    const dir = join(temp.dir, 'a-directory.ts');
    mkdirSync(dir);
    const fifo = join(temp.dir, 'a-fifo.ts');
    execFileSync('mkfifo', [fifo]);
    const loop = join(temp.dir, 'loop.ts');
    symlinkSync(join(temp.dir, 'loop-b.ts'), loop);
    symlinkSync(loop, join(temp.dir, 'loop-b.ts'));
    for (const path of [dir, fifo, loop, join(temp.dir, 'missing.ts')]) {
      expect([path, await refusal({ ...ok, agent_factory_path: path })]).toEqual([path, 'INVALID_REQUEST']);
    }
  });

  it.skipIf(process.getuid?.() === 0)('a file it may not read', async () => {
    const secret = join(temp.dir, 'secret-agent.mjs');
    writeFileSync(secret, 'export default { name: "x", async *run() {} };');
    chmodSync(secret, 0o000);
    expect(await refusal({ ...ok, agent_factory_path: secret })).toBe('INVALID_REQUEST');
  });

  it('a port in use, and hosts that cannot be bound, at once', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const taken = (blocker.address() as AddressInfo).port;
      expect(await refusal({ ...ok, port: taken })).toBe('PORT_IN_USE');
    } finally {
      blocker.close();
    }
    for (const host of ['no.such.host.invalid', '192.0.2.1']) {
      expect(await refusal({ ...ok, host })).toBe('INVALID_REQUEST');
      expect(await refusal({ ...ok, host, port: await freePort() })).toBe('INVALID_REQUEST');
    }
  });

  it('wrote nothing and spawned nothing for any of them', async () => {
    expect(await manager.countServices()).toMatchObject({ total: 0 });
    expect(spawned).toEqual([]);
  });
});

it('a manager survives a stored service with a NUL byte in its environment, and so does the next', async () => {
  const dbPath = join(temp.dir, 'stored-nul.db');
  const script = fileURLToPath(new URL('./fixtures/stored-nul.ts', import.meta.url));
  for (const step of ['write', 'again']) {
    const run = await runDetached(script, [dbPath, step], 60_000);
    expect(run.sentinelAlive).toBe(true);
    expect({ step, code: run.code, signal: run.signal }, run.output).toEqual({ step, code: 0, signal: null });
    expect(run.result).toMatchObject({ status: 'error', error_message: expect.stringMatching(/NUL byte/u) });
  }
});
