import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from './fs-net.js';
import { runDetached } from './process.js';

const temp = tempDir('myagent-support-detached-');
afterAll(temp.cleanup);

function script(name: string, text: string): string {
  const path = join(temp.dir, name);
  writeFileSync(path, text);
  return path;
}

it('runs a script detached and reads the JSON line it printed last', async () => {
  const path = script(
    'prints.mjs',
    'console.log("noise"); console.log(JSON.stringify({ args: process.argv.slice(2) }));',
  );
  const run = await runDetached(path, ['a', 'b'], 60_000);
  expect({ code: run.code, signal: run.signal, result: run.result }, run.output).toEqual({
    code: 0,
    signal: null,
    result: { args: ['a', 'b'] },
  });
  expect(run.sentinelAlive).toBe(true);
});

it('keeps a script that signals its own process group away from the runner', async () => {
  const path = script('kills-group.mjs', 'process.kill(0, "SIGKILL");');
  const run = await runDetached(path, [], 60_000);
  expect([run.signal, run.sentinelAlive], run.output).toEqual(['SIGKILL', true]);
});

it('kills a script that outlives its timeout', async () => {
  const path = script('idles.mjs', 'setInterval(() => {}, 60_000);');
  const run = await runDetached(path, [], 1_000);
  expect([run.code, run.signal, run.result]).toEqual([null, 'SIGKILL', undefined]);
});
