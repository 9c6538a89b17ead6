import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createProcResourceProbe } from './proc-probe.js';

describe('createProcResourceProbe', () => {
  it('reads the resident memory of a live process', async () => {
    const usage = await createProcResourceProbe().sample(process.pid);
    const rssMb = process.memoryUsage().rss / 1024 / 1024;
    expect(usage?.memory_mb).toBeGreaterThan(rssMb * 0.5);
    expect(usage?.memory_mb).toBeLessThan(rssMb * 2);
    expect(usage?.cpu_percent).toBeGreaterThan(0);
  });

  it('measures CPU since the previous sample, as the process itself counts it', async () => {
    const probe = createProcResourceProbe();
    await probe.sample(process.pid);
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    // Spin until this process has used 300 ms of CPU, however long a crowded machine makes that take.
    while (process.cpuUsage(cpuStart).user < 300_000) {}
    const busy = await probe.sample(process.pid);
    const used = process.cpuUsage(cpuStart);
    const expected = ((used.user + used.system) / 1000 / (performance.now() - wallStart)) * 100;
    expect(busy?.cpu_percent).toBeGreaterThan(expected * 0.6);
    expect(busy?.cpu_percent).toBeLessThan(expected * 1.6 + 10);
  });

  it('resolves null for a process that is gone and for ids that are not pids', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid as number;
    await once(child, 'exit');
    const probe = createProcResourceProbe();
    expect(await probe.sample(pid)).toBeNull();
    expect(await probe.sample(-1)).toBeNull();
    expect(await probe.sample(1.5)).toBeNull();
    expect(await createProcResourceProbe({ procRoot: '/nonexistent' }).sample(process.pid)).toBeNull();
  });
});
