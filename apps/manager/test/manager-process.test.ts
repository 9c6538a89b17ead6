import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, ECHO_AGENT, freePortRange, tempDir, until } from '@myagent/test-support';
import { afterAll, expect, it } from 'vitest';
import { AgentManager } from '../src/index.js';
import { converse, servicePid } from './helpers.js';

const temp = tempDir();
const dbPath = join(temp.dir, 'manager.db');
const managerScript = fileURLToPath(new URL('./fixtures/manager-process.ts', import.meta.url));
let orphans: number[] = [];

afterAll(() => {
  for (const pid of orphans) if (alive(pid)) process.kill(pid, 'SIGKILL');
  temp.cleanup();
});

it('leaves no child behind when the manager is killed with -9, and a new manager brings the services back', async () => {
  // The two services take explicit ports (the fixture's argv[4] and the next one), free a moment ago.
  const { from } = await freePortRange(2);
  const child = spawn(
    process.execPath,
    ['--conditions=@myagent/source', '--import', 'tsx', managerScript, dbPath, '2', String(from)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end !== -1) resolve(text.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`manager exited early with ${code}`)));
  });
  const ready = JSON.parse(line) as { services: Array<{ id: string; port: number; status: string }> };
  expect(ready.services.map((s) => s.status)).toEqual(['running', 'running']);
  const pids = await Promise.all(ready.services.map((s) => servicePid(s)));
  orphans = pids;

  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  await until(() => pids.every((pid) => !alive(pid)), 'every child to die with its manager', 5000);

  await using manager = new AgentManager({ dbPath, serverArgs: ['--in-process'] });
  await manager.start();
  for (const { id } of ready.services) {
    const service = await manager.getService(id);
    expect(service?.status).toBe('running');
    expect(await converse(service?.endpoint as string, 'back again')).toContain('agent.final_answer');
  }
});

it('brings running services back after a graceful stop, but not those stopped on purpose', async () => {
  const local = tempDir();
  const options = {
    dbPath: join(local.dir, 'manager.db'),
    serverArgs: ['--in-process'],
    portRange: await freePortRange(10),
  };
  try {
    const first = new AgentManager(options);
    await first.start();
    const kept = await first.registerService({
      name: 'kept',
      agent_factory_path: ECHO_AGENT,
      auto_start: true,
    });
    const parked = await first.registerService({
      name: 'parked',
      agent_factory_path: ECHO_AGENT,
      auto_start: true,
    });
    await first.stopService(parked.service_id);
    const pid = await servicePid(kept);
    await first.stop();
    expect(alive(pid)).toBe(false);

    await using second = new AgentManager(options);
    await second.start();
    expect((await second.getService(kept.service_id))?.status).toBe('running');
    expect((await second.getService(parked.service_id))?.status).toBe('stopped');
  } finally {
    local.cleanup();
  }
});
