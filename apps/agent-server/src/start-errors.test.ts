import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_AGENT } from '@myagent/test-support';
import { afterAll, afterEach, expect, it } from 'vitest';
import { agentServerCommand } from '../src/index.js';
import { type SpawnedServer, spawnServer } from '../test/helpers.js';

// What a new user sees when the server cannot start: one coded line on stderr that says what is wrong.
const temp = mkdtempSync(join(tmpdir(), 'agent-server-errors-'));
const servers: SpawnedServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exit;
  }
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function failing(args: string[]): Promise<SpawnedServer> {
  const server = spawnServer(args);
  servers.push(server);
  expect(await server.exit).toBe(1);
  expect(server.stderr.trim().split('\n')).toHaveLength(1);
  return server;
}

it('names file:line:column and the reason of a syntax error in a .ts agent', async () => {
  const broken = join(temp, 'broken.ts');
  writeFileSync(broken, 'export const agent = {\n  name: "broken",\n  run() { return 1 +; },\n};\n');
  const server = await failing([broken, '--port', '0']);
  expect(server.stderr.trim()).toBe(
    `myagent-ws: AGENT_ERROR: Syntax error in agent file ${broken}:3:20: Unexpected ";"`,
  );
});

it('says what is wrong with a negative --max-sessions instead of "Unknown option"', async () => {
  const server = await failing([TEST_AGENT, '--port', '0', '--max-sessions', '-1']);
  expect(server.stderr.trim()).toBe(
    "myagent-ws: INVALID_REQUEST: --max-sessions must be a number >= 0, got '-1'",
  );
});

it('prints no "draining" line when it fails to start (a port in use)', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const port = String((blocker.address() as { port: number }).port);
    const server = await failing([TEST_AGENT, '--port', port]);
    expect(server.stderr).toMatch(/^myagent-ws: PORT_IN_USE: /u);
    expect(server.logs.map((line) => line.msg)).not.toContain('draining');
  } finally {
    blocker.close();
  }
});

it('--check loads a module as the server would: 0 and a JSON line, or 1 and the coded reason', async () => {
  const { command, args } = agentServerCommand();
  const run = promisify(execFile);
  const ok = await run(command, [...args, '--check', TEST_AGENT]);
  expect(JSON.parse(ok.stdout.trim())).toEqual({
    ok: true,
    path: TEST_AGENT,
    export: 'createAgent',
    agent_name: 'fixture',
  });
  const plain = join(temp, 'plain.mjs');
  writeFileSync(plain, 'export default function (input) {\n  return "hi " + input;\n}\n');
  const failed = await run(command, [...args, '--check', plain]).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed).toMatchObject({
    code: 1,
    stderr:
      'myagent-ws: AGENT_ERROR: The default export did not return an agent (an object with a name and run())\n',
  });
});

it("--in-process's help says its price: a synchronous loop freezes the server, and what the manager does", async () => {
  const { command, args } = agentServerCommand();
  const { stdout } = await promisify(execFile)(command, [...args, 'server', '--help']);
  const help = stdout.replace(/\s+/gu, ' ');
  expect(help).toContain('an agent stuck in a synchronous loop freezes the whole server');
  expect(help).toContain('killed (SIGKILL after the stop grace) and restarted');
});
