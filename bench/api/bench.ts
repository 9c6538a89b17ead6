// `pnpm bench api`: the manager's HTTP API on loopback under autocannon, against a bare hono handler that
// answers the same JSON bytes from memory (the ceiling), in one run, interleaved rounds, medians.
//   1. saturated requests per second: GET /api/v1/services (100 services) and GET /api/v1/services/{id}
//   2. p99 latency at a fixed 1,000 requests per second, on both routes
//   3. the /ws proxy's added p99 with and without that API load (BENCH_WS=1)
// The servers run in child processes of their own; autocannon runs here. About a minute and a half.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { wsAddedLatency } from './ws.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const serverScript = fileURLToPath(new URL('./server.ts', import.meta.url));

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Starts a server child and resolves with the JSON line it prints once it listens. */
function start(
  args: string[],
): Promise<{ child: ChildProcess; info: { url: string; id?: string; echo?: string } }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@myagent/source', '--import', 'tsx', serverScript, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    },
  );
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk;
      const line = text.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, info: JSON.parse(line) });
    });
    child.once('exit', (code) => reject(new Error(`server ${args[0]} exited with ${code}`)));
  });
}

async function load(url: string, options: { rate?: number; seconds?: number } = {}) {
  const result = await autocannon({
    url,
    connections: options.rate ? 10 : CONNECTIONS,
    duration: options.seconds ?? SECONDS,
    ...(options.rate && { overallRate: options.rate }),
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  if (failures > 0) throw new Error(`${url}: ${failures} failed requests`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
  };
}

const temp = mkdtempSync(join(tmpdir(), 'bench-api-'));
const children: ChildProcess[] = [];
try {
  const manager = await start(['manager', temp]);
  children.push(manager.child);
  const paths = ['/api/v1/services', `/api/v1/services/${manager.info.id}`];
  const bodies: Record<string, string> = {};
  for (const path of paths) {
    const response = await fetch(`${manager.info.url}${path}`);
    bodies[path] = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
  }
  const bodyFile = join(temp, 'bodies.json');
  writeFileSync(bodyFile, JSON.stringify(bodies));
  const bare = await start(['bare', bodyFile]);
  children.push(bare.child);

  const labels = ['GET /api/v1/services (100 services)', 'GET /api/v1/services/{id}'];
  console.log(`rounds: ${ROUNDS} x ${SECONDS} s per side, ${CONNECTIONS} connections, interleaved; medians`);
  console.log(`bytes: ${paths.map((p) => Buffer.byteLength(bodies[p] as string)).join(' / ')}\n`);
  console.log(
    `| route | ours (req/s) | bare hono (req/s) | ratio | target | p99 at ${RATE} req/s: ours / bare (ms) | target |`,
  );
  console.log('| --- | ---: | ---: | ---: | --- | ---: | --- |');
  for (const [i, path] of paths.entries()) {
    // A short warm-up of both: JIT, SQLite page cache, keep-alive sockets.
    await load(`${manager.info.url}${path}`, { seconds: 1 });
    await load(`${bare.info.url}${path}`, { seconds: 1 });
    const ours: number[] = [];
    const ceiling: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      ours.push((await load(`${manager.info.url}${path}`)).rps);
      ceiling.push((await load(`${bare.info.url}${path}`)).rps);
    }
    // The bare handler at the same fixed rate is the machine's own p99: what the scheduler adds to anyone.
    const fixed = await load(`${manager.info.url}${path}`, { rate: RATE, seconds: SECONDS * 2 });
    const fixedBare = await load(`${bare.info.url}${path}`, { rate: RATE, seconds: SECONDS * 2 });
    const ratio = median(ours) / median(ceiling);
    console.log(
      `| ${labels[i]} | ${median(ours).toFixed(0)} | ${median(ceiling).toFixed(0)} | ${ratio.toFixed(2)}x | >= 0.5x | ${fixed.p99} / ${fixedBare.p99} | <= 5 (ours) |`,
    );
  }

  console.log('');
  console.log(
    await wsAddedLatency(manager.info.url, { path: paths[0] as string, rate: RATE, seconds: SECONDS * 2 }),
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(temp, { recursive: true, force: true });
}
