// `pnpm bench proxy`: one ws echo backend reached directly, through our proxy, through nginx (Debian's,
// started here from ./nginx.conf) and through a naive ws relay (a ws server plus a ws client per
// connection); for reference, a Node socket pipe (reads no frame: the floor of any relay on Node's streams);
// interleaved, median of BENCH_PROXY_ROUNDS (3), 64 B messages:
//   1. closed loop at 100 and 1,000 connections: saturated msg/s, the relay's CPU per round trip (/proc)
//   2. open loop at 5,000 msg/s (100 connections x 50/s): p50 / p99, added over direct
//   3. 9,000 idle connections through fresh processes: the relay's RSS growth per connection
// Every run counts lost messages; the bench fails on any. BENCH_PROXY_QUICK=1 is a ~1 minute smoke run.
// Knobs: BENCH_PROXY_CONNS ("100,1000"), BENCH_PROXY_SECONDS (5), BENCH_PROXY_ROUNDS (3),
// BENCH_PROXY_RATE (5000), BENCH_PROXY_IDLE (9000), BENCH_PROXY_PARTS ("closed,open,idle"),
// BENCH_PROXY_PROFILE (a folder: our proxy runs with --cpu-prof there), BENCH_PROXY_BASE (a git revision: our
// proxy as of then is measured too, as `our proxy @REV`, for before/after figures in one run; its source runs
// through tsx, fine for CPU per message, not for memory).
import { execSync, spawnSync } from 'node:child_process';
import { closedLoop, closeSockets, openLoop, openSockets } from './load.js';
import { freePort, here, proxyAt, rssKb, type Started, startNginx, startNode, ticks } from './procs.js';

const quick = process.env.BENCH_PROXY_QUICK === '1';
const env = (name: string, fallback: string, quickValue = fallback) =>
  process.env[`BENCH_PROXY_${name}`] ?? (quick ? quickValue : fallback);
const conns = env('CONNS', '100,1000', '20,200').split(',').map(Number);
const seconds = Number(env('SECONDS', '5', '1'));
const rounds = Number(env('ROUNDS', '3', '1'));
const rate = Number(env('RATE', '5000', '1000'));
const rateConns = 100;
const rateSeconds = Number(env('RATE_SECONDS', '6', '2'));
const idle = Number(env('IDLE', '9000', '500'));
const parts = new Set(env('PARTS', 'closed,open,idle').split(','));
const profileDir = process.env.BENCH_PROXY_PROFILE;

// A relay holds two descriptors per client: 9,000 idle clients need about 18,500 in each process.
const fdNeeded = 2 * idle + 500;
const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
if (parts.has('idle') && fdLimit < fdNeeded && !process.env.BENCH_PROXY_REEXEC) {
  // Raise the soft limit (up to the hard one) in a shell and run again under it; children inherit it.
  const result = spawnSync(
    '/bin/sh',
    [
      '-c',
      `ulimit -n ${fdNeeded} && exec "$0" "$@"`,
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, BENCH_PROXY_REEXEC: '1' } },
  );
  process.exit(result.status ?? 1);
}
if (parts.has('idle') && fdLimit < fdNeeded) {
  console.error(`ulimit -n is ${fdLimit} and cannot be raised to ${fdNeeded}; lower BENCH_PROXY_IDLE`);
  process.exit(1);
}
// Our proxy runs from its build, as the manager does (tsx would add a `__name` property to every closure,
// about 4 KB per connection): bring it up to date first.
execSync('pnpm exec tsc -b packages/proxy', { cwd: here('../..'), stdio: 'inherit' });
const usPerTick = 1e6 / Number(execSync('getconf CLK_TCK').toString().trim());

const base = process.env.BENCH_PROXY_BASE;
const baseModule = base ? proxyAt(base) : undefined;
type PathName = string;
const NAMES: PathName[] = [
  'direct',
  'our proxy',
  ...(base ? [`our proxy @${base}`] : []),
  'nginx',
  'naive ws relay',
  'node socket pipe',
];
interface Path {
  name: PathName;
  url: string;
  /** The relay's process (the echo backend's for direct). */
  measured: Started;
}

/** Starts the echo backend and the three relays in front of it. */
async function startPaths(profile: boolean): Promise<{ paths: Path[]; all: Started[] }> {
  const echoPort = await freePort();
  const echo = await startNode('echo', [here('echo.cjs')], { PORT: String(echoPort) });
  const target = `ws://127.0.0.1:${echoPort}`;
  const ourPort = await freePort();
  const ours = await startNode(
    'our proxy',
    [...(profile && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), here('our-proxy.mjs')],
    { PORT: String(ourPort), TARGET: target },
  );
  const basePort = await freePort();
  const older = baseModule
    ? await startNode(
        'our proxy (base)',
        ['--conditions=@myagent/source', '--import', 'tsx', here('our-proxy.mjs')],
        { PORT: String(basePort), TARGET: target, PROXY_MODULE: baseModule },
      )
    : undefined;
  const nginxPort = await freePort();
  const nginx = await startNginx(nginxPort, echoPort);
  const naivePort = await freePort();
  const naive = await startNode('naive ws relay', [here('naive-relay.cjs')], {
    PORT: String(naivePort),
    TARGET: target,
  });
  const paths: Path[] = [
    { name: 'direct', url: target, measured: echo },
    { name: 'our proxy', url: `ws://127.0.0.1:${ourPort}/ws`, measured: ours },
    ...(older ? [{ name: `our proxy @${base}`, url: `ws://127.0.0.1:${basePort}/ws`, measured: older }] : []),
    { name: 'nginx', url: `ws://127.0.0.1:${nginxPort}/`, measured: nginx },
    { name: 'naive ws relay', url: `ws://127.0.0.1:${naivePort}/`, measured: naive },
  ];
  const pipePort = await freePort();
  const pipe = await startNode('node socket pipe', [here('node-pipe.cjs')], {
    PORT: String(pipePort),
    TARGET: target,
  });
  paths.push({ name: 'node socket pipe', url: `ws://127.0.0.1:${pipePort}/`, measured: pipe });
  return { paths, all: [echo, ours, ...(older ? [older] : []), nginx, naive, pipe] };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
let totalLost = 0;
const targets: string[] = [];
const check = (what: string, ok: boolean, detail: string) =>
  targets.push(`| ${what} | ${detail} | ${ok ? 'met' : 'missed'} |`);

console.log(
  `${quick ? 'QUICK smoke run: ' : ''}${rounds} round(s), interleaved; 64 B messages; ulimit -n ${fdLimit}\n`,
);

if (parts.has('closed') || parts.has('open')) {
  const { paths, all } = await startPaths(true);
  if (parts.has('closed')) {
    console.log(`### Closed loop, ${seconds} s per run\n`);
    console.log(
      '| connections | path | msg/s | % of direct | relay CPU us per round trip | user / sys us | vs nginx | lost |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const n of conns) {
      const runs = new Map<
        PathName,
        { rate: number; cpu: number; user: number; sys: number; lost: number }[]
      >();
      for (let round = 0; round < rounds; round++) {
        for (const path of paths) {
          const pid = path.measured.pid;
          const result = await closedLoop(path.url, n, seconds, () => ticks(pid));
          const { before, after } = result;
          const per = usPerTick / Math.max(1, result.trips);
          const user = (after.user - before.user) * per;
          const sys = (after.sys - before.sys) * per;
          runs.set(path.name, [...(runs.get(path.name) ?? []), { ...result, cpu: user + sys, user, sys }]);
        }
      }
      const rateOf = (name: PathName) => median((runs.get(name) ?? []).map((r) => r.rate));
      const cpuOf = (name: PathName, key: 'cpu' | 'user' | 'sys' = 'cpu') =>
        median((runs.get(name) ?? []).map((r) => r[key]));
      for (const name of NAMES) {
        const lost = (runs.get(name) ?? []).reduce((sum, r) => sum + r.lost, 0);
        totalLost += lost;
        const relay = name !== 'direct';
        console.log(
          `| ${n} | ${name} | ${Math.round(rateOf(name))} | ${fmt((100 * rateOf(name)) / rateOf('direct'), 0)} | ${relay ? fmt(cpuOf(name)) : `(echo ${fmt(cpuOf(name))})`} | ${fmt(cpuOf(name, 'user'))} / ${fmt(cpuOf(name, 'sys'))} | ${relay ? `${fmt(cpuOf(name) / cpuOf('nginx'), 2)}x CPU, ${fmt(rateOf(name) / rateOf('nginx'), 2)}x msg/s` : '-'} | ${lost} |`,
        );
      }
      const cpuRatio = cpuOf('our proxy') / cpuOf('nginx');
      check(
        `CPU per round trip, ${n} connections`,
        cpuRatio <= 1.3 && cpuOf('our proxy') < cpuOf('naive ws relay'),
        `${fmt(cpuOf('our proxy'))} us = ${fmt(cpuRatio, 2)}x nginx (${fmt(cpuOf('nginx'))}), naive ${fmt(cpuOf('naive ws relay'))}; target <= 1.3x and below naive`,
      );
      check(
        `saturated msg/s, ${n} connections`,
        rateOf('our proxy') >= rateOf('nginx'),
        `${Math.round(rateOf('our proxy'))} = ${fmt(rateOf('our proxy') / rateOf('nginx'), 2)}x nginx (${Math.round(rateOf('nginx'))}); target >= 1x`,
      );
    }
    console.log();
  }
  if (parts.has('open')) {
    console.log(`### Open loop, ${rate} msg/s (${rateConns} connections), ${rateSeconds} s per run\n`);
    console.log('| path | p50 ms | p99 ms | added p50 / p99 ms over direct | lost |');
    console.log('| --- | --- | --- | --- | --- |');
    const runs = new Map<PathName, { p50: number; p99: number; lost: number }[]>();
    for (let round = 0; round < rounds; round++) {
      for (const path of paths) {
        const result = await openLoop(path.url, rateConns, rate / rateConns, rateSeconds);
        runs.set(path.name, [...(runs.get(path.name) ?? []), result]);
      }
    }
    const p = (name: PathName, key: 'p50' | 'p99') => median((runs.get(name) ?? []).map((r) => r[key]));
    for (const name of NAMES) {
      const lost = (runs.get(name) ?? []).reduce((sum, r) => sum + r.lost, 0);
      totalLost += lost;
      const added =
        name === 'direct'
          ? '-'
          : `+${fmt(p(name, 'p50') - p('direct', 'p50'), 2)} / +${fmt(p(name, 'p99') - p('direct', 'p99'), 2)}`;
      console.log(`| ${name} | ${fmt(p(name, 'p50'), 2)} | ${fmt(p(name, 'p99'), 2)} | ${added} | ${lost} |`);
    }
    const ours = p('our proxy', 'p99') - p('direct', 'p99');
    const nginx = p('nginx', 'p99') - p('direct', 'p99');
    check(
      `added p99 at ${rate} msg/s`,
      ours <= nginx + 0.3,
      `+${fmt(ours, 2)} ms vs nginx +${fmt(nginx, 2)} ms; target <= nginx + 0.3 ms`,
    );
    console.log();
  }
  for (const started of all) await started.stop();
}

if (parts.has('idle')) {
  console.log(`### Idle memory, ${idle} connections, fresh processes per run\n`);
  console.log('| path | RSS growth KB per connection (median) | runs |');
  console.log('| --- | --- | --- |');
  const runs = new Map<PathName, number[]>();
  for (let round = 0; round < rounds; round++) {
    for (const name of NAMES) {
      // Fresh processes each time: a relay's heap grown by the load runs would hide what a connection costs.
      const { paths, all } = await startPaths(false);
      const path = paths.find((p) => p.name === name) as Path;
      const before = rssKb(path.measured.pid);
      const sockets = await openSockets(path.url, idle);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const after = rssKb(path.measured.pid);
      await closeSockets(sockets);
      for (const started of all) await started.stop();
      runs.set(name, [...(runs.get(name) ?? []), (after - before) / idle]);
    }
  }
  for (const name of NAMES) {
    const values = runs.get(name) ?? [];
    console.log(
      `| ${name === 'direct' ? 'direct (the echo backend itself)' : name} | ${fmt(median(values), 1)} | ${values.map((v) => fmt(v, 1)).join(', ')} |`,
    );
  }
  const ours = median(runs.get('our proxy') ?? []);
  const nginx = median(runs.get('nginx') ?? []);
  check(
    `idle memory per connection at ${idle}`,
    ours <= nginx,
    `${fmt(ours)} KB vs nginx ${fmt(nginx)} KB; target <= nginx`,
  );
  console.log();
}

console.log('### Targets\n');
console.log('| target | measured | |');
console.log('| --- | --- | --- |');
for (const line of targets) console.log(line);
console.log(
  `| zero lost messages | ${totalLost} lost over every run | ${totalLost === 0 ? 'met' : 'missed'} |`,
);
if (totalLost !== 0) process.exitCode = 1;
process.exit();
