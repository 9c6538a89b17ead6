// `pnpm bench proxy`: direct to a ws echo server, through our proxy, and through a naive ws relay (a ws
// server plus a ws client per connection), closed loop, 64 B messages; msg/s, the relay's CPU per round trip
// from /proc, lost messages. BENCH_PROXY_CONNS ("100,1000"), BENCH_PROXY_SECONDS (5), BENCH_PROXY_ROUNDS (3).
// nginx is not started by this version: compare with ../shared/proxy-baseline/ figures measured the same way.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const conns = (process.env.BENCH_PROXY_CONNS ?? '100,1000').split(',').map(Number);
const seconds = Number(process.env.BENCH_PROXY_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_PROXY_ROUNDS ?? 3);
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function start(args: string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => String(chunk).includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited ${code}`)));
  });
  return child;
}

/** utime + stime of a process, in clock ticks (100 per second here). */
function ticks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

async function load(url: string, n: number): Promise<{ rate: number; lost: number; trips: number }> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  const payload = Buffer.alloc(64, 97).toString();
  let trips = 0;
  let sent = 0;
  let stop = false;
  for (const ws of sockets) {
    ws.on('message', () => {
      trips++;
      if (!stop) {
        sent++;
        ws.send(payload);
      }
    });
    sent++;
    ws.send(payload);
  }
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  stop = true;
  const elapsed = (Date.now() - started) / 1000;
  const rate = trips / elapsed;
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const ws of sockets) ws.terminate();
  return { rate, lost: sent - trips, trips };
}

const echoPort = await freePort();
await start([here('echo.cjs')], { PORT: String(echoPort) });
const target = `ws://127.0.0.1:${echoPort}`;
const ourPort = await freePort();
const ours = await start(['--conditions=@myagent/source', '--import', 'tsx', here('our-proxy.ts')], {
  PORT: String(ourPort),
  TARGET: target,
});
const naivePort = await freePort();
const naive = await start([here('naive-relay.cjs')], { PORT: String(naivePort), TARGET: target });
const paths = [
  { name: 'direct', url: target, pid: undefined as number | undefined },
  { name: 'our proxy', url: `ws://127.0.0.1:${ourPort}/ws`, pid: ours.pid },
  { name: 'naive ws relay', url: `ws://127.0.0.1:${naivePort}`, pid: naive.pid },
];
console.log('| connections | path | msg/s (median) | relay CPU us per round trip | lost |');
console.log('| --- | --- | --- | --- | --- |');
for (const n of conns) {
  const results = new Map<string, { rate: number; cpu: number; lost: number }[]>();
  for (let round = 0; round < rounds; round++) {
    for (const path of paths) {
      const before = path.pid ? ticks(path.pid) : 0;
      const { rate, lost, trips } = await load(path.url, n);
      const cpu = path.pid ? ((ticks(path.pid) - before) * 10_000) / Math.max(1, trips) : Number.NaN;
      results.set(path.name, [...(results.get(path.name) ?? []), { rate, cpu, lost }]);
    }
  }
  for (const [name, runs] of results) {
    const median = (values: number[]) =>
      values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const lost = runs.reduce((sum, r) => sum + r.lost, 0);
    const cpu = median(runs.map((r) => r.cpu));
    console.log(
      `| ${n} | ${name} | ${Math.round(median(runs.map((r) => r.rate)))} | ${Number.isNaN(cpu) ? '-' : cpu.toFixed(1)} | ${lost} |`,
    );
    if (lost !== 0) process.exitCode = 1;
  }
}
process.exit();
