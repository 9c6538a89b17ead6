// Service lifecycle: start -> RUNNING for one echo service and for 50 at once, and kill -9 -> RUNNING
// again with restart_delay 0, through the AgentManager; the baseline is a plain spawn of the same agent
// server command until its port accepts TCP, measured in the same run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentServerCommand } from '@myagent/agent-server';
import { AgentManager } from '@myagent/manager';

const ECHO = fileURLToPath(new URL('../../examples/echo-agent.ts', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MANY = Number(process.env.BENCH_MANY ?? 50);
const SERVER_ARGS = ['--in-process'];
const command = agentServerCommand();

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const ms = (value: number) => value.toFixed(0);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Spawns the agent server as the registry would and times it until its port accepts TCP. */
async function bareSpawn(ports: number[]): Promise<number> {
  const started = performance.now();
  const children = ports.map((port) =>
    spawn(
      command.command,
      [...command.args, 'server', ECHO, '--host', '127.0.0.1', '--port', String(port), ...SERVER_ARGS],
      {
        stdio: 'ignore',
      },
    ),
  );
  await Promise.all(
    ports.map(async (port) => {
      while (!(await listening(port))) await new Promise((resolve) => setTimeout(resolve, 2));
    }),
  );
  const elapsed = performance.now() - started;
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGKILL');
        }),
    ),
  );
  return elapsed;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-lifecycle-'));
const manager = new AgentManager({
  dbPath: join(dir, 'manager.db'),
  serverArgs: SERVER_ARGS,
  portRange: { from: 23_000, to: 23_999 },
  agentServer: command,
});
await manager.start();
try {
  const portBase = 24_000;
  // Warm the disk caches (tsx compile cache, node's module cache) once for both sides.
  await bareSpawn([portBase]);

  const bareOne: number[] = [];
  const oursOne: number[] = [];
  const crash: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareOne.push(await bareSpawn([portBase + 1 + round]));
    const service = await manager.registerService({
      name: `one-${round}`,
      agent_factory_path: ECHO,
      config: { restart_delay: 0, health_check_enabled: false, max_restart_count: 100 },
    });
    let started = performance.now();
    await manager.startService(service.service_id);
    oursOne.push(performance.now() - started);

    const health = (await (await fetch(`http://127.0.0.1:${service.port}/health`)).json()) as { pid: number };
    const back = new Promise<void>((resolve) => {
      const onStatus = (event: { service_id: string; to: string }) => {
        if (event.service_id === service.service_id && event.to === 'running') {
          manager.off('status', onStatus);
          resolve();
        }
      };
      manager.on('status', onStatus);
    });
    started = performance.now();
    process.kill(health.pid, 'SIGKILL');
    await back;
    crash.push(performance.now() - started);
    await manager.stopService(service.service_id);
  }

  const bareMany = await bareSpawn(Array.from({ length: MANY }, (_, i) => portBase + 100 + i));
  const many = await Promise.all(
    Array.from({ length: MANY }, (_, i) =>
      manager.registerService({
        name: `many-${i}`,
        agent_factory_path: ECHO,
        config: { health_check_enabled: false },
      }),
    ),
  );
  const started = performance.now();
  const results = await Promise.all(many.map((service) => manager.startService(service.service_id)));
  const oursMany = performance.now() - started;
  const running = results.filter((service) => service.status === 'running').length;

  const one = median(oursOne);
  const bare = median(bareOne);
  const crashMedian = median(crash);
  console.log(`rounds: ${ROUNDS} (medians), agent server: ${command.args.at(-1)} ${SERVER_ARGS.join(' ')}\n`);
  console.log('| measure | ours (ms) | baseline (ms) | ratio | target |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  console.log(
    `| start -> RUNNING, one service | ${ms(one)} | ${ms(bare)} (bare spawn -> listening) | ${(one / bare).toFixed(2)}x | <= 1.3x |`,
  );
  console.log(
    `| start -> RUNNING, ${MANY} at once (${running} running) | ${ms(oursMany)} | ${ms(bareMany)} (bare spawn of ${MANY}) | ${(oursMany / bareMany).toFixed(2)}x | <= 1.3x |`,
  );
  console.log(
    `| kill -9 -> RUNNING, restart_delay 0 | ${ms(crashMedian)} | ${ms(one)} (fresh start) | ${(crashMedian / one).toFixed(2)}x | <= 1.5x |`,
  );
} finally {
  await manager.stopAllServices();
  await manager.stop();
  rmSync(dir, { recursive: true, force: true });
}
