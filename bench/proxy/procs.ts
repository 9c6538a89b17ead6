// The processes a proxy bench run starts (echo backend, relays, nginx), found ports for, measured from /proc,
// and stopped by their pid (nginx's worker too) whatever way the bench ends.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
/** Debian's nginx; `BENCH_PROXY_NGINX` points elsewhere. */
const NGINX = process.env.BENCH_PROXY_NGINX ?? '/usr/sbin/nginx';

const children = new Set<ChildProcess>();
const scratch: string[] = [];
process.on('exit', () => {
  for (const child of children) killTree(child.pid, 'SIGKILL');
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

/** A port the kernel hands out now (closed again, for a child to bind). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Child pids of `pid` (nginx's worker under its master). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  for (const child of childrenOf(pid)) killTree(child, signal);
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** A started process: its pid, and how to stop it (and its children). */
export interface Started {
  pid: number;
  stop(): Promise<void>;
}

function track(child: ChildProcess, name: string): Started {
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => children.delete(child));
  return {
    pid: child.pid as number,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGTERM first so that a `--cpu-prof` process writes its profile; SIGKILL if it lingers.
      killTree(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killTree(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      if (name === 'nginx') await new Promise((resolve) => setTimeout(resolve, 100));
    },
  };
}

/** Starts a node script that prints `listening` once bound. */
export async function startNode(name: string, args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = track(child, name);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => String(chunk).includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited ${code} before listening`)));
  });
  return started;
}

/** Resolves once something accepts on the port; fails if `child` exits first or after 10 s. */
async function waitForPort(port: number, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts nginx (one worker, as the baseline measured it) from `nginx.conf` of this folder in a temp prefix,
 * relaying `port` to the echo backend at `echoPort`; its master and worker are stopped by pid.
 */
export async function startNginx(port: number, echoPort: number): Promise<Started> {
  const prefix = mkdtempSync(join(tmpdir(), 'bench-proxy-nginx-'));
  scratch.push(prefix);
  const conf = readFileSync(here('nginx.conf'), 'utf8')
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{ECHO_PORT}}', String(echoPort))
    .replaceAll('{{PREFIX}}', prefix);
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const started = track(child, 'nginx');
  await waitForPort(port, child, 'nginx');
  if (childrenOf(started.pid).length === 0) throw new Error('nginx started no worker');
  return started;
}

/** utime and stime of a process and its children, in clock ticks (100 per second here). */
export function ticks(pid: number): { user: number; sys: number } {
  const total = { user: 0, sys: 0 };
  for (const p of [pid, ...childrenOf(pid)]) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total.user += Number(fields[11]);
      total.sys += Number(fields[12]);
    } catch {
      // A worker that just left.
    }
  }
  return total;
}

/** Resident memory of a process and its children, in KB. */
export function rssKb(pid: number): number {
  let total = 0;
  for (const p of [pid, ...childrenOf(pid)]) {
    try {
      const line = readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/mu);
      total += Number(line?.[1] ?? 0);
    } catch {
      // Gone.
    }
  }
  return total;
}

/**
 * The proxy package's source as of git revision `rev`, in a temp folder that resolves its dependencies from
 * this checkout: the URL of its `src/index.ts`, for our-proxy.ts's PROXY_MODULE.
 */
export function proxyAt(rev: string): string {
  const root = execSync('git rev-parse --show-toplevel', { cwd: here('.') })
    .toString()
    .trim();
  const dir = mkdtempSync(join(tmpdir(), 'bench-proxy-base-'));
  scratch.push(dir);
  execSync(`git archive ${rev} packages/proxy/src | tar -x -C ${dir}`, { cwd: root, shell: '/bin/sh' });
  symlinkSync(join(root, 'packages/proxy/node_modules'), join(dir, 'packages/proxy/node_modules'));
  return pathToFileURL(join(dir, 'packages/proxy/src/index.ts')).href;
}
