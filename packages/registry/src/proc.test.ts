import { describe, expect, it } from 'vitest';
import { cpuPercent, isAlive, readCmdline, readProcSample } from './proc.js';
import { isServerCmdline } from './strays.js';

describe('/proc readings', () => {
  it('reads CPU time, age and memory of a live process, and nothing of a gone one', async () => {
    const first = await readProcSample(process.pid);
    expect(first?.memory_mb).toBeGreaterThan(1);
    expect(first?.age_seconds).toBeGreaterThan(0);
    let spin = 0;
    for (let i = 0; i < 2e7; i++) spin += i;
    expect(spin).toBeGreaterThan(0);
    const second = await readProcSample(process.pid);
    expect(second && first && cpuPercent(second, first)).toBeGreaterThanOrEqual(0);
    expect(second && cpuPercent(second)).toBeGreaterThan(0);
    expect(await readProcSample(2 ** 22 + 7)).toBeUndefined();
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(2 ** 22 + 7)).toBe(false);
  });

  it('reads the command line of a live process, and nothing of a gone one', async () => {
    expect(await readCmdline(process.pid)).toContain(process.execPath);
    expect(await readCmdline(2 ** 22 + 7)).toBeUndefined();
  });
});

describe('isServerCmdline', () => {
  const target = { host: '127.0.0.1', port: 8123, agentPath: '/srv/agent.ts' };
  it('accepts only the agent server of this service', () => {
    expect(isServerCmdline(['node', 'cli.js', 'server', '/srv/agent.ts', '--port', '8123'], target)).toBe(
      true,
    );
    expect(isServerCmdline(['node', 'cli.js', 'server', '/srv/agent.ts', '--port=8123'], target)).toBe(true);
    expect(isServerCmdline(['node', 'cli.js', 'server', '/srv/other.ts', '--port', '8123'], target)).toBe(
      false,
    );
    expect(isServerCmdline(['node', 'cli.js', 'server', '/srv/agent.ts', '--port', '8124'], target)).toBe(
      false,
    );
    expect(isServerCmdline(['python3', '-m', 'http.server', '8123'], target)).toBe(false);
  });
});
