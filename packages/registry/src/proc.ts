import { readFile } from 'node:fs/promises';

// Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build.
const TICKS_PER_SECOND = 100;

/** One reading of a process's CPU time and memory from /proc. */
export interface ProcSample {
  pid: number;
  /** utime + stime, in seconds. */
  cpu_seconds: number;
  /** Seconds the process has been alive. */
  age_seconds: number;
  memory_mb: number;
  /** performance.now() when read. */
  at_ms: number;
}

/** Reads /proc/<pid>/stat and /proc/<pid>/status; undefined when the process is gone (or not Linux). */
export async function readProcSample(pid: number): Promise<ProcSample | undefined> {
  try {
    const [stat, status, uptime] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile('/proc/uptime', 'utf8'),
    ]);
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const starttime = Number(fields[19]);
    const rss = /^VmRSS:\s+(\d+)\s+kB/mu.exec(status);
    const systemUptime = Number(uptime.split(' ')[0]);
    return {
      pid,
      cpu_seconds: (utime + stime) / TICKS_PER_SECOND,
      age_seconds: Math.max(0, systemUptime - starttime / TICKS_PER_SECOND),
      memory_mb: rss ? Number(rss[1]) / 1024 : 0,
      at_ms: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU % between two samples of one process (100 = one core busy). Without a previous sample, the average
 * over the process's life.
 */
export function cpuPercent(current: ProcSample, previous?: ProcSample): number {
  if (previous && previous.pid === current.pid && current.at_ms > previous.at_ms) {
    const busy = current.cpu_seconds - previous.cpu_seconds;
    return Math.max(0, (busy / ((current.at_ms - previous.at_ms) / 1000)) * 100);
  }
  return current.age_seconds > 0 ? (current.cpu_seconds / current.age_seconds) * 100 : 0;
}

/** The argv of a process, or undefined when it is gone. */
export async function readCmdline(pid: number): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part.length > 0);
  } catch {
    return undefined;
  }
}

/** True while a process with this pid exists (and is not a zombie we could still signal). */
export function isAlive(pid: number): boolean {
  // 0 and negative pids name process groups: never a process of ours to ask about.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
