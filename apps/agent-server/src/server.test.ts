import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ECHO_AGENT, NO_AGENT_MODULE, TEST_AGENT, TestClient, until } from '@myagent/test-support';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type SpawnedServer, spawnServer } from '../test/helpers.js';

// The real binary as a child process, as the manager spawns it.
const run = promisify(execFile);
const temp = mkdtempSync(join(tmpdir(), 'agent-server-'));
const servers: SpawnedServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exit;
  }
});
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function start(args: string[], options?: Parameters<typeof spawnServer>[1]) {
  const server = spawnServer(args, options);
  servers.push(server);
  return server.ready();
}

async function connect(server: SpawnedServer) {
  const client = await TestClient.connect(server.url as string);
  clients.push(client);
  return client;
}

describe('myagent-ws server', () => {
  it('prints the trace events of a run as JSON log lines, unless --traces false', async () => {
    const server = await start([ECHO_AGENT, '--port', '0']);
    const client = await connect(server);
    const sessionId = await client.createSession();
    await client.turn(sessionId, 'trace me');
    await until(
      async () =>
        server.logs.some(
          (line) =>
            line.msg === 'trace' && (line.trace as { event_type?: string })?.event_type === 'trace_completed',
        ) || undefined,
      'trace_completed line',
    );
    const traces = server.logs
      .filter((line) => line.msg === 'trace')
      .map((line) => line.trace as Record<string, unknown>);
    expect(traces.map((t) => t.event_type)).toEqual([
      'trace_started',
      'think_completed',
      'tool_completed',
      'trace_completed',
    ]);
    expect(traces[0]).toMatchObject({
      session_id: sessionId,
      data: { agent_name: 'echo_agent', request: 'trace me' },
    });
    const quiet = await start([ECHO_AGENT, '--port', '0', '--traces', 'false']);
    const other = await connect(quiet);
    await other.turn(await other.createSession(), 'no trace');
    expect(quiet.logs.some((line) => line.msg === 'trace')).toBe(false);
  });

  it('serves the echo example: listening log line, a full turn, GET /health', async () => {
    const server = await start([ECHO_AGENT, '--port', '0']);
    const listening = server.logs.find((line) => line.msg === 'listening');
    expect(listening).toMatchObject({
      level: 'info',
      agent: 'echo_agent',
      url: `ws://127.0.0.1:${server.port}`,
    });
    expect(Date.parse(String(listening?.time))).not.toBeNaN();
    const client = await connect(server);
    const sessionId = await client.createSession();
    const events = await client.turn(sessionId, 'hi there');
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['agent.thinking', 'agent.tool_call']));
    expect(events.at(-1)?.event).toBe('agent.final_answer');
    const health = (await (await fetch(`http://127.0.0.1:${server.port}/health`)).json()) as object;
    expect(Object.keys(health)).toEqual([
      'status',
      'agent',
      'active_connections',
      'active_sessions',
      'total_connections',
      'peak_connections',
      'total_sessions',
      'completed_sessions',
      'avg_session_duration',
      'error_count',
      'avg_response_time_ms',
      'uptime_seconds',
      'pid',
    ]);
    expect(health).toMatchObject({
      status: 'ok',
      agent: 'echo_agent',
      active_connections: 1,
      active_sessions: 1,
      total_sessions: 1,
      peak_connections: 1,
      completed_sessions: 0,
      avg_session_duration: 0,
      pid: server.child.pid,
    });
    expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
  });

  it('fails to start with one line on stderr and exit code 1', async () => {
    const broken = join(temp, 'broken.ts');
    writeFileSync(broken, 'export const broken = {;\n');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = String((blocker.address() as { port: number }).port);
    const cases: Array<[string[], RegExp]> = [
      [[join(temp, 'missing.ts'), '--port', '0'], /Agent file not found/],
      [[broken, '--port', '0'], /broken\.ts/],
      [[NO_AGENT_MODULE, '--port', '0'], /exports no agent/],
      [
        [TEST_AGENT, '--port', busyPort, '--in-process'],
        /PORT_IN_USE: Port \d+ on 127\.0\.0\.1 is already in use/,
      ],
      [[TEST_AGENT, '--port', 'eighty'], /--port must be a number/],
    ];
    try {
      await Promise.all(
        cases.map(async ([args, pattern]) => {
          const server = spawnServer(args);
          servers.push(server);
          expect(await server.exit).toBe(1);
          expect(server.stderr).toMatch(pattern);
          expect(server.stderr.trim().split('\n')).toHaveLength(1);
        }),
      );
    } finally {
      blocker.close();
    }
  });

  it('takes limits from MYAGENT_* env, with flags winning', async () => {
    const server = await start(
      [TEST_AGENT, '--port', '0', '--max-sessions', '1', '--heartbeat-interval', '0.2'],
      {
        env: { MYAGENT_MAX_SESSIONS: '5', MYAGENT_IN_PROCESS: 'true', MYAGENT_SESSION_TIMEOUT: '60' },
      },
    );
    expect(server.logs.find((line) => line.msg === 'listening')?.mode).toBe('in-process');
    const client = await connect(server);
    await client.createSession();
    client.send({ event: 'user.create_session' });
    expect((await client.waitEvent('agent.error')).metadata?.code).toBe('MAX_SESSIONS');
    await client.waitEvent('system.heartbeat', { nth: 1 });
  });

  it('drains on SIGTERM: the running turn finishes, the session ends, exit 0', async () => {
    const server = await start([TEST_AGENT, '--port', '0', '--drain-timeout', '10']);
    const client = await connect(server);
    const sessionId = await client.createSession();
    client.send({ event: 'user.message', session_id: sessionId, content: 'slow' });
    await client.waitEvent('agent.partial_answer');
    server.child.kill('SIGTERM');
    const health = await until(async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/health`);
      const body = (await response.json()) as { status: string };
      return body.status === 'draining' ? response.status : undefined;
    }, 'health to say draining');
    expect(health).toBe(503);
    await expect(TestClient.connect(server.url as string)).rejects.toThrow();
    expect(await server.exit).toBe(0);
    expect(client.events(sessionId).slice(-2)).toEqual(['agent.final_answer', 'agent.session_end']);
    expect(server.logs.map((line) => line.msg)).toEqual(expect.arrayContaining(['draining', 'stopped']));
  });

  it('exits when its parent process is gone (--parent-pid) or its IPC channel closes', async () => {
    const parent = execFile(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const parentGone = new Promise((resolve) => parent.once('exit', resolve));
    const orphan = await start([
      TEST_AGENT,
      '--port',
      '0',
      '--in-process',
      '--parent-pid',
      String(parent.pid),
    ]);
    const piped = await start([TEST_AGENT, '--port', '0', '--in-process'], { ipc: true });
    parent.kill('SIGKILL');
    await parentGone;
    piped.child.disconnect();
    expect(await orphan.exit).toBe(0);
    expect(await piped.exit).toBe(0);
  });
});

describe('seed clients, unchanged', () => {
  it("seed 000's Python client.py runs against the echo example", async () => {
    const python = '/usr/bin/python3';
    await run(python, ['-c', 'import websockets']).catch(() => {
      throw new Error('python3-websockets is missing: apt-get install -y python3-websockets');
    });
    const server = await start([ECHO_AGENT, '--port', '0']);
    const seed = readFileSync(new URL('../test/fixtures/seed-000-client.py', import.meta.url), 'utf8');
    const script = join(temp, 'client.py');
    writeFileSync(script, seed.replace('ws://localhost:8081', `ws://localhost:${server.port}`));
    const { stdout } = await run(python, [script], { timeout: 20_000 });
    expect(stdout).toContain("'event': 'agent.final_answer'");
    expect(stdout).toContain('使用greet工具问候Alice');
  });

  it("seed 002's browser JavaScript runs under Node against the echo example", async () => {
    const server = await start([ECHO_AGENT, '--port', '0']);
    const runner = fileURLToPath(new URL('../test/fixtures/browser-runner.mjs', import.meta.url));
    const snippet = fileURLToPath(new URL('../test/fixtures/seed-002-browser.js.txt', import.meta.url));
    const { stdout } = await run(process.execPath, [runner, snippet, String(server.port)], {
      timeout: 20_000,
    });
    expect(stdout).toContain('Connected!');
    expect(stdout).toContain("event: 'agent.session_created'");
    expect(stdout).toContain("event: 'agent.final_answer'");
    expect(stdout).toContain('你好！');
  });
});
