// A NUL byte in an environment value once made the registry signal a child that had no pid, which is
// kill(0): the manager's whole process group. The scenario runs detached (test/fixtures/nul-env.mts),
// so that a regression can only kill that process group, and the runner's group is checked alive.

import { runDetached } from '@myagent/test-support';
import { expect, it } from 'vitest';
import { fixture } from '../test/helpers.js';

it('a NUL byte in an environment value is refused, never spawned, and signals nobody', async () => {
  const run = await runDetached(fixture('nul-env.mts'), [], 40_000);
  expect(run.sentinelAlive).toBe(true);
  expect({ code: run.code, signal: run.signal }, run.output).toEqual({ code: 0, signal: null });
  expect(run.result).toMatchObject({
    // A direct spawn: no pid, not running, nothing signalled, and its end reported with the reason.
    spawn: {
      pid: null,
      running: false,
      killed: false,
      exit: { code: null, signal: null, spawnError: expect.stringMatching(/null bytes/u) },
    },
    registration: {
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/config\.environment\.A.*NUL byte/u),
    },
    // A stored row of an older release: ERROR at once, with the reason.
    start: { code: 'SERVICE_START_FAILED', message: expect.stringMatching(/NUL byte/u) },
    status: 'error',
    error_message: expect.stringMatching(/environment at 'A'.*NUL byte/u),
    stop: 'stopped',
  });
});
