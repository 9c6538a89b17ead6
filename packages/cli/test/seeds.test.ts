// Every CLI line of seed 000 ("命令行工具") and seed 003 §3, run as a real process against a real daemon
// process, with the flags as written; only the manager URL (--url), a free service port and the agent file
// (seed 003's ./agents/weather_agent.py is a JavaScript agent here) are filled in.
import { join } from 'node:path';
import { type DaemonProcess, freePort, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonIn, runCli, seedProject, TALKER } from './helpers.js';

const temp = tempDir();
let daemon: DaemonProcess;
let url: string;
const project = seedProject(join(temp.dir, 'project'));

/** Runs a seed line: `myagent-manager ...` as written, against the test's daemon. */
async function seed(line: string[], cwd = project) {
  const result = await runCli(line, { env: { MYAGENT_URL: url }, cwd });
  if (result.code !== 0)
    throw new Error(
      `myagent-manager ${line.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

async function json<T = Record<string, unknown>>(line: string[]): Promise<T> {
  const { stdout } = await seed([...line, '--json']);
  return JSON.parse(stdout) as T;
}

beforeAll(async () => {
  ({ daemon, url } = await daemonIn(temp.dir));
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  temp.cleanup();
});

describe('seed 000: the manager CLI and the service operations', () => {
  it('myagent-manager --help lists every command of the seeds', async () => {
    const { stdout } = await seed(['--help']);
    for (const command of [
      'daemon',
      'api',
      'register',
      'start',
      'stop',
      'restart',
      'list',
      'status',
      'stats',
      'unregister',
      'show',
      'remove',
      'monitor',
      'logs',
      'health-check',
      'connections',
      'disconnect',
      'route',
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b|alias: [^)]*\\b${command}\\b`, 'mu'));
    }
    expect(stdout).toMatch(/Exit codes:/u);
  });

  it('register my_service /path/to/agent.py --host localhost --port 8081 --tags production,chat --auto-start', async () => {
    const port = String(await freePort());
    const { stdout } = await seed([
      'register',
      'my_service',
      TALKER,
      '--host',
      'localhost',
      '--port',
      port,
      '--tags',
      'production,chat',
      '--auto-start',
    ]);
    expect(stdout).toContain('registered my_service');
    expect(stdout).toContain(`ws://localhost:${port}`);
    const service = await json<{ status: string; tags: string[]; port: number; host: string }>([
      'show',
      'my_service',
    ]);
    expect(service).toMatchObject({
      status: 'running',
      tags: ['production', 'chat'],
      port: Number(port),
      host: 'localhost',
    });
  });

  it('start, stop and restart my_service', async () => {
    expect((await seed(['start', 'my_service'])).stdout).toContain('my_service is running');
    expect((await seed(['stop', 'my_service'])).stdout).toContain('my_service is stopped');
    expect((await json<{ status: string }>(['show', 'my_service'])).status).toBe('stopped');
    expect((await seed(['restart', 'my_service'])).stdout).toContain('my_service is running');
    expect((await json<{ status: string }>(['show', 'my_service'])).status).toBe('running');
  });

  it('list and list --status running', async () => {
    const all = await seed(['list']);
    expect(all.stdout).toMatch(/^NAME\s+STATUS\s+ENDPOINT/mu);
    expect(all.stdout).toMatch(/^my_service\s+running\s+ws:\/\/localhost:\d+\s+production,chat/mu);
    const running = await json<{ services: { name: string }[] }>(['list', '--status', 'running']);
    expect(running.services.map((s) => s.name)).toEqual(['my_service']);
    const stopped = await json<{ services: unknown[] }>(['list', '--status', 'stopped']);
    expect(stopped.services).toEqual([]);
  });

  it('status my_service and stats', async () => {
    const status = await seed(['status', 'my_service']);
    expect(status.stdout).toMatch(/^my_service\s+running/mu);
    expect(status.stdout).toMatch(/^endpoint\s+ws:\/\/localhost:/mu);
    const stats = await seed(['stats']);
    expect(stats.stdout).toMatch(/^services\s+1 total: 1 running/mu);
    const parsed = await json<{ services: Record<string, number> }>(['stats']);
    expect(parsed.services.running).toBe(1);
  });

  it('unregister my_service', async () => {
    expect((await seed(['unregister', 'my_service'])).stdout).toContain("Service 'my_service' unregistered");
    expect((await json<{ services: unknown[] }>(['list'])).services).toEqual([]);
  });
});

describe('seed 003 §3: service, monitoring, connection and routing commands', () => {
  it('register weather-agent ./agents/weather_agent.py --port 8081 --tags weather,info --max-sessions 100', async () => {
    const port = String(await freePort());
    // Relative to the caller's folder, as the seed writes it.
    await seed([
      'register',
      'weather-agent',
      './agents/weather_agent.mjs',
      '--port',
      port,
      '--tags',
      'weather,info',
      '--max-sessions',
      '100',
    ]);
    const service = await json<{
      status: string;
      config: { max_sessions: number; agent_factory_path: string };
    }>(['show', 'weather-agent']);
    expect(service.status).toBe('stopped');
    expect(service.config.max_sessions).toBe(100);
    expect(service.config.agent_factory_path).toBe(join(project, 'agents', 'weather_agent.mjs'));
  });

  it('start, stop, restart weather-agent', async () => {
    await seed(['start', 'weather-agent']);
    await seed(['stop', 'weather-agent']);
    await seed(['restart', 'weather-agent']);
    expect((await json<{ status: string }>(['show', 'weather-agent'])).status).toBe('running');
  });

  it('list --tag weather --status running', async () => {
    const { stdout } = await seed(['list', '--tag', 'weather', '--status', 'running']);
    expect(stdout).toMatch(/^weather-agent\s+running/mu);
    const none = await json<{ services: unknown[] }>([
      'list',
      '--tag',
      'weather,nope',
      '--status',
      'running',
    ]);
    expect(none.services).toEqual([]);
  });

  it('show weather-agent', async () => {
    const { stdout } = await seed(['show', 'weather-agent']);
    expect(stdout).toMatch(/^weather-agent\s+running/mu);
    expect(stdout).toMatch(/^max_sessions\s+100/mu);
    expect(stdout).toMatch(/^tags\s+weather, info/mu);
  });

  it('status (overall)', async () => {
    const { stdout } = await seed(['status']);
    expect(stdout).toMatch(/^MyAgent Manager \S+\s+http:\/\/127\.0\.0\.1:\d+/mu);
    expect(stdout).toMatch(/^services\s+1 total, 1 running/mu);
    expect(stdout).toMatch(/^weather-agent\s+running/mu);
    const parsed = await json<{ overview: { services: { running: number } } }>(['status']);
    expect(parsed.overview.services.running).toBe(1);
  });

  it('logs weather-agent (the lines the agent wrote)', async () => {
    await until(
      async () => (await json<{ lines: unknown[] }>(['logs', 'weather-agent'])).lines.length > 1,
      'log lines',
      30_000,
    );
    const { stdout } = await seed(['logs', 'weather-agent', '--lines', '3']);
    expect(stdout.trim().split('\n')).toHaveLength(3);
    expect(stdout).toMatch(/INFO\s+tick \d+/u);
    const errors = await json<{ lines: unknown[] }>(['logs', 'weather-agent', '--level', 'error']);
    expect(errors.lines).toEqual([]);
    const found = await json<{ lines: { message: string }[] }>(['logs', '--search', 'tick']);
    expect(found.lines.length).toBeGreaterThan(0);
    expect(found.lines.every((line) => line.message.includes('tick'))).toBe(true);
  });

  it('health-check weather-agent', async () => {
    const { stdout } = await seed(['health-check', 'weather-agent']);
    expect(stdout).toMatch(/^weather-agent: healthy/mu);
    expect(stdout).toMatch(/^websocket\s+healthy/mu);
  });

  it('connections --service weather-agent (none yet), disconnect of an unknown id (exit 3)', async () => {
    const empty = await seed(['connections', '--service', 'weather-agent']);
    expect(empty.stdout).toContain('no connections');
    expect((await json<{ connections: unknown[] }>(['connections'])).connections).toEqual([]);
    const unknown = await runCli(['disconnect', 'no-such-connection', '--reason', 'maintenance'], {
      env: { MYAGENT_URL: url },
    });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toBe(
      "myagent-manager: CONNECTION_NOT_FOUND: no connection with id 'no-such-connection'\n",
    );
  });

  it('connections --service weather-agent, and disconnect {connection_id} --reason "maintenance"', async () => {
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(`${url.replace('http', 'ws')}/ws?service=weather-agent`);
    const events: string[] = [];
    socket.on('message', (data) => events.push(String(data)));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const opened = await new Promise<boolean>((resolve) => {
      socket.once('open', () => resolve(true));
      socket.once('unexpected-response', () => resolve(false));
      socket.once('error', () => resolve(false));
    });
    try {
      // The manager serves /ws on its own port (the proxy): a client connects through it, as seed 003's does.
      expect(opened, 'a WebSocket connection to the manager /ws').toBe(true);
      const listed = await until(
        async () => {
          const out = await json<{ connections: { connection_id: string }[] }>([
            'connections',
            '--service',
            'weather-agent',
          ]);
          return out.connections[0];
        },
        'the connection to be listed',
        30_000,
      );
      const table = await seed(['connections', '--service', 'weather-agent']);
      expect(table.stdout).toContain(listed.connection_id);
      expect(table.stdout).toMatch(/weather-agent/u);
      const done = await seed(['disconnect', listed.connection_id, '--reason', 'maintenance']);
      expect(done.stdout).toContain('maintenance');
      await closed;
      expect(events.join('\n')).toContain('maintenance');
    } finally {
      socket.terminate();
    }
  });

  it('route create vip-routing --condition "header.x-user-tier=vip" --target-tag high-performance --strategy least_connections', async () => {
    await seed([
      'route',
      'create',
      'vip-routing',
      '--condition',
      'header.x-user-tier=vip',
      '--target-tag',
      'high-performance',
      '--strategy',
      'least_connections',
    ]);
    const { rules } = await json<{ rules: Record<string, unknown>[] }>(['route', 'list']);
    expect(rules).toEqual([
      expect.objectContaining({
        name: 'vip-routing',
        conditions: [
          { field: 'header.x-user-tier', operator: 'equals', value: 'vip', case_sensitive: false },
        ],
        target_tags: ['high-performance'],
        target_strategy: 'least_connections',
      }),
    ]);
  });

  it('route list', async () => {
    const { stdout } = await seed(['route', 'list']);
    expect(stdout).toMatch(
      /^vip-routing\s+0\s+yes\s+header\.x-user-tier=vip\s+tag:high-performance\s+least_connections$/mu,
    );
  });

  it('route explain shows which rule a sample connection meets', async () => {
    const { stdout } = await seed(['route', 'explain', '--header', 'x-user-tier=vip']);
    // No service has the tag high-performance: the rule matches but has no target, the default picks.
    expect(stdout).toMatch(/^→ weather-agent .* by default/mu);
    expect(stdout).toMatch(/^vip-routing\s+0\s+no_routable_target\s+header\.x-user-tier=vip ✔/mu);
  });

  it('route delete vip-routing', async () => {
    await seed(['route', 'delete', 'vip-routing']);
    expect((await json<{ rules: unknown[] }>(['route', 'list'])).rules).toEqual([]);
  });

  it('remove weather-agent', async () => {
    await seed(['remove', 'weather-agent']);
    expect((await json<{ services: unknown[] }>(['list'])).services).toEqual([]);
  });
});
