import { readFile } from 'node:fs/promises';
import type { ResourceProbe, ResourceUsage } from './types.js';

/** Options of {@link createProcResourceProbe}. */
export interface ProcResourceProbeOptions {
  /** Where procfs is mounted. Default `/proc`. */
  procRoot?: string;
  /** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every Linux port). */
  clockTicks?: number;
  /** How many processes' previous samples are remembered for CPU deltas. Default 1024. */
  maxTracked?: number;
}

interface PreviousSample {
  startTicks: number;
  cpuTicks: number;
  at: number;
  cpuPercent: number;
}

/** utime + stime and starttime from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
function parseStat(text: string): { cpuTicks: number; startTicks: number } | null {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state) of proc(5): utime is 14, stime 15, starttime 22.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const start = Number(fields[19]);
  if (![utime, stime, start].every(Number.isFinite)) return null;
  return { cpuTicks: utime + stime, startTicks: start };
}

function parseRssMb(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/mu.exec(status);
  // Kernel threads and zombies have no VmRSS: they hold no user memory.
  return match ? Number(match[1]) / 1024 : 0;
}

/**
 * A resource probe over Linux procfs: CPU % of one core since the previous sample of the same process (or
 * over its lifetime on the first sample), and resident memory in MiB. Resolves null for a process that is
 * gone or where procfs is missing.
 * @example const usage = await createProcResourceProbe().sample(process.pid);
 */
export function createProcResourceProbe(options: ProcResourceProbeOptions = {}): ResourceProbe {
  const root = options.procRoot ?? '/proc';
  const hz = options.clockTicks ?? 100;
  const maxTracked = options.maxTracked ?? 1024;
  const previous = new Map<number, PreviousSample>();

  return {
    async sample(pid: number): Promise<ResourceUsage | null> {
      if (!Number.isSafeInteger(pid) || pid <= 0) return null;
      let statText: string;
      let statusText: string;
      try {
        [statText, statusText] = await Promise.all([
          readFile(`${root}/${pid}/stat`, 'utf8'),
          readFile(`${root}/${pid}/status`, 'utf8'),
        ]);
      } catch {
        previous.delete(pid);
        return null;
      }
      const stat = parseStat(statText);
      if (!stat) return null;
      const now = performance.now();
      const before = previous.get(pid);
      let cpuPercent: number;
      if (before && before.startTicks === stat.startTicks) {
        const elapsed = (now - before.at) / 1000;
        // Two samples too close together say nothing new; repeat the last figure instead of dividing noise.
        cpuPercent =
          elapsed < 0.01 ? before.cpuPercent : ((stat.cpuTicks - before.cpuTicks) / hz / elapsed) * 100;
      } else {
        const uptime = Number((await readFile(`${root}/uptime`, 'utf8').catch(() => '0')).split(' ')[0]);
        const lifetime = uptime - stat.startTicks / hz;
        cpuPercent = lifetime > 0 ? (stat.cpuTicks / hz / lifetime) * 100 : 0;
      }
      cpuPercent = Math.max(0, cpuPercent);
      previous.delete(pid);
      previous.set(pid, { startTicks: stat.startTicks, cpuTicks: stat.cpuTicks, at: now, cpuPercent });
      if (previous.size > maxTracked) previous.delete(previous.keys().next().value as number);
      return { cpu_percent: cpuPercent, memory_mb: parseRssMb(statusText) };
    },
  };
}
