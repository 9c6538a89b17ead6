import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as support from './index.js';
import { alive, freePort, tempDir, until } from './index.js';

it('exports exactly its helpers', () => {
  expect(Object.keys(support).sort()).toMatchInlineSnapshot(`
    [
      "COUNTING_AGENT",
      "ECHO_AGENT",
      "NO_AGENT_MODULE",
      "TEST_AGENT",
      "TestClient",
      "WEATHER_AGENT",
      "alive",
      "createDialects",
      "freePort",
      "freePortRange",
      "runDetached",
      "startDaemon",
      "startFakeOpenAI",
      "tempDir",
      "until",
    ]
  `);
});

it('points at the example agents', () => {
  expect(existsSync(support.ECHO_AGENT)).toBe(true);
  expect(existsSync(support.WEATHER_AGENT)).toBe(true);
});

it('makes a temp dir and removes it with what it holds', () => {
  const temp = tempDir('myagent-support-');
  writeFileSync(join(temp.dir, 'file'), 'x');
  expect(existsSync(temp.dir)).toBe(true);
  temp.cleanup();
  expect(existsSync(temp.dir)).toBe(false);
  temp.cleanup();
});

it('hands out a port that can be bound on loopback', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});

it('waits for a truthy value and returns it, or names what it waited for', async () => {
  let calls = 0;
  await expect(until(() => (++calls >= 3 ? 'ready' : ''), 'the third call')).resolves.toBe('ready');
  await expect(until(() => 0, 'nothing', 100)).rejects.toThrow(/waiting for nothing; last: 0/u);
  expect(alive(process.pid)).toBe(true);
});
