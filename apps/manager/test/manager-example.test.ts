import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { tempDir } from '@myagent/test-support';
import { expect, it } from 'vitest';
import { ROOT } from './helpers.js';

it('runs the seed 000 manager example: registers, starts, reports, stops', async () => {
  const temp = tempDir();
  try {
    const child = spawn(
      process.execPath,
      ['--conditions=@myagent/source', '--import', 'tsx', join(ROOT, 'examples/manager-example.ts')],
      {
        env: { ...process.env, EXAMPLE_DB: join(temp.dir, 'manager.db'), EXAMPLE_SECONDS: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await once(child, 'exit');
    expect(output).toMatch(/服务已注册: greeting_service at ws:\/\/localhost:\d+/);
    const stats = JSON.parse(output.split('系统状态:')[1] ?? '{}');
    expect(stats.services).toMatchObject({ total: 1, running: 1 });
    expect(code).toBe(0);
  } finally {
    temp.cleanup();
  }
});
