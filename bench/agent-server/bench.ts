// `pnpm bench agent-server`: one myagent-ws server with the echo example, in-process and worker modes,
// against a bare `ws` echo server measured in the same run. Loopback only; about two minutes.
//   1. 5,000 concurrent connections with a session each (failures, setup time)
//   2. memory per idle session (heap and RSS after GC, over the server's baseline)
//   3. event latency p50/p99 with 1,000 active sessions each sending a message a second
//   4. full turns per second, 100 sessions in a closed loop
//   5. RSS after 150 turns of 900 KiB messages to one session (issue 12's repro), against the idle RSS
import { type ChildProcess, execSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 5000);
const ACTIVE = Number(process.env.BENCH_ACTIVE ?? 1000);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 6);
const LOOP_SESSIONS = 100;
const LOOP_SECONDS = 4;
const SOAK_TURNS = Number(process.env.BENCH_SOAK_TURNS ?? 150);
const SOAK_BYTES = 900 * 1024;
type Mode = 'bare' | 'in-process' | 'worker' | 'worker-shared';
const ALL_MODES: Mode[] = ['bare', 'in-process', 'worker', 'worker-shared'];
// Quick iterations: BENCH_MODES=bare,worker measures only those (the table shows '-' for the others; bare is
// always measured, since every ratio is against it). BENCH_SERVER_ARGS adds node flags to the server process
// (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' or '--import ./bench/agent-server/eld.mjs').
const MODES = (process.env.BENCH_MODES?.split(',') ?? ALL_MODES).filter((m): m is Mode =>
  ALL_MODES.includes(m as Mode),
);
if (!MODES.includes('bare')) MODES.unshift('bare');
const SERVER_ARGS = process.env.BENCH_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];

const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
if (fdLimit < CONNECTIONS + 1000) {
  console.error(`ulimit -n is ${fdLimit}; this benchmark needs ${CONNECTIONS + 1000} (run: ulimit -n 20000)`);
  process.exit(1);
}

interface Client {
  ws: WebSocket;
  sessionId?: string;
  sentAt?: number;
  gotFirst: boolean;
  onTurnEnd?: () => void;
}

interface Result {
  established: number;
  failed: number;
  setupSeconds: number;
  heapPerSession: number;
  rssPerSession: number;
  first: number[];
  turn: number[];
  skipped: number;
  turnsPerSecond: number;
  /** VmRSS with nothing connected, before the soak; after its 150 turns; after its client left. */
  idleRss: number;
  soakRss: number;
  soakLeftRss: number;
  soakFailures: number;
}

// What the OS counts (no GC first): the figure the repro read.
const vmRss = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

function startServer(mode: Mode): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [mode], {
    execArgv: ['--conditions=@myagent/source', '--import', 'tsx', '--expose-gc', ...SERVER_ARGS],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

function memory(child: ChildProcess): Promise<{ heapUsed: number; rss: number }> {
  return new Promise((resolve) => {
    child.once('message', resolve as (value: unknown) => void);
    child.send({ cmd: 'mem' });
  });
}

function open(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const client: Client = { ws, gotFirst: false };
    const timer = setTimeout(() => reject(new Error('session timeout')), 20_000);
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    ws.once('open', () => ws.send(JSON.stringify({ event: 'user.create_session' })));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (!client.sessionId) {
        if (message.event !== 'agent.session_created') return reject(new Error(message.content));
        client.sessionId = message.session_id;
        clearTimeout(timer);
        resolve(client);
        return;
      }
      if (client.sentAt === undefined) return;
      const now = performance.now();
      if (!client.gotFirst) {
        client.gotFirst = true;
        firstLatencies.push(now - client.sentAt);
      }
      if (message.event === 'agent.final_answer' || message.event === 'agent.error') {
        turnLatencies.push(now - client.sentAt);
        client.sentAt = undefined;
        client.onTurnEnd?.();
      }
    });
  });
}

let firstLatencies: number[] = [];
let turnLatencies: number[] = [];

function send(client: Client, text: string) {
  client.sentAt = performance.now();
  client.gotFirst = false;
  client.ws.send(JSON.stringify({ event: 'user.message', session_id: client.sessionId, content: text }));
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
};

async function measure(mode: Mode): Promise<Result> {
  const { child, port } = await startServer(mode);
  const clients: Client[] = [];
  try {
    // Warm the agent path (module load, worker start) before any figure is taken.
    const warm = await open(port);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        warm.onTurnEnd = resolve;
        send(warm, `warm ${i}`);
      });
    }
    warm.ws.close();
    const before = await memory(child);

    let failed = 0;
    const started = performance.now();
    for (let i = 0; i < CONNECTIONS; i += 250) {
      const batch = await Promise.allSettled(
        Array.from({ length: Math.min(250, CONNECTIONS - i) }, () => open(port)),
      );
      for (const outcome of batch) {
        if (outcome.status === 'fulfilled') clients.push(outcome.value);
        else failed++;
      }
    }
    const setupSeconds = (performance.now() - started) / 1000;
    const after = await memory(child);

    firstLatencies = [];
    turnLatencies = [];
    let skipped = 0;
    const active = clients.slice(0, ACTIVE);
    const timers: NodeJS.Timeout[] = [];
    await new Promise<void>((resolve) => {
      active.forEach((client, i) => {
        const start = setTimeout(
          () => {
            const tick = () => {
              if (client.sentAt !== undefined) skipped++;
              else send(client, `message from session ${i}`);
            };
            tick();
            timers.push(setInterval(tick, 1000));
          },
          (i / active.length) * 1000,
        );
        timers.push(start);
      });
      setTimeout(resolve, LATENCY_SECONDS * 1000 + 1000);
    });
    for (const timer of timers) clearInterval(timer);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const first = firstLatencies;
    const turn = turnLatencies;
    firstLatencies = [];
    turnLatencies = [];

    let turns = 0;
    let looping = true;
    const loop = clients.slice(0, LOOP_SESSIONS);
    for (const client of loop) {
      client.sentAt = undefined;
      client.onTurnEnd = () => {
        turns++;
        if (looping) send(client, 'loop');
      };
      send(client, 'loop');
    }
    await new Promise((resolve) => setTimeout(resolve, LOOP_SECONDS * 1000));
    looping = false;
    const turnsPerSecond = turns / LOOP_SECONDS;

    // The soak: everyone else gone, one session gets 150 messages of 900 KiB, one after the other.
    const established = clients.length;
    for (const client of clients.splice(0)) client.ws.terminate();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pid = child.pid as number;
    const idleRss = vmRss(pid);
    const soaker = await open(port);
    const big = 'x'.repeat(SOAK_BYTES);
    let soakFailures = 0;
    for (let i = 0; i < SOAK_TURNS; i++) {
      await new Promise<void>((resolve) => {
        const watch = (data: WebSocket.RawData) => {
          if (String(data).includes('"agent.error"')) soakFailures++;
        };
        soaker.ws.on('message', watch);
        soaker.onTurnEnd = () => {
          soaker.ws.off('message', watch);
          resolve();
        };
        send(soaker, big);
      });
    }
    const soakRss = vmRss(pid);
    soaker.ws.close();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const soakLeftRss = vmRss(pid);

    return {
      established,
      failed,
      setupSeconds,
      heapPerSession: (after.heapUsed - before.heapUsed) / established,
      rssPerSession: (after.rss - before.rss) / established,
      first,
      turn,
      skipped,
      turnsPerSecond,
      idleRss,
      soakRss,
      soakLeftRss,
      soakFailures,
    };
  } finally {
    for (const client of clients) client.ws.terminate();
    // A clean exit lets --cpu-prof write its profile; SIGKILL if it does not go within 5 s.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ cmd: 'exit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

const results: Partial<Record<Mode, Result>> = {};
for (const mode of MODES) {
  console.error(`measuring ${mode}...`);
  results[mode] = await measure(mode);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const ratio = (value: number, base: number) => (base > 0 ? `${(value / base).toFixed(2)}x` : '-');
const bare = results.bare as Result;
const rows: Array<[string, (r: Result) => string, ((r: Result) => number) | undefined]> = [
  [`sessions established (of ${CONNECTIONS})`, (r) => `${r.established}`, undefined],
  ['failures', (r) => `${r.failed}`, undefined],
  [`time to open ${CONNECTIONS} sessions`, (r) => `${r.setupSeconds.toFixed(2)} s`, (r) => r.setupSeconds],
  ['heap per idle session', (r) => kb(r.heapPerSession), (r) => r.heapPerSession],
  ['RSS per idle session', (r) => kb(r.rssPerSession), (r) => r.rssPerSession],
  [
    `first event p50 (${ACTIVE} active, 1 msg/s each)`,
    (r) => ms(percentile(r.first, 50)),
    (r) => percentile(r.first, 50),
  ],
  ['first event p99', (r) => ms(percentile(r.first, 99)), (r) => percentile(r.first, 99)],
  ['added p99 over bare ws', (r) => ms(percentile(r.first, 99) - percentile(bare.first, 99)), undefined],
  ['full turn p50 (to agent.final_answer)', (r) => ms(percentile(r.turn, 50)), (r) => percentile(r.turn, 50)],
  ['full turn p99', (r) => ms(percentile(r.turn, 99)), (r) => percentile(r.turn, 99)],
  ['messages sent / skipped (turn still running)', (r) => `${r.first.length} / ${r.skipped}`, undefined],
  [
    `full turns per second (${LOOP_SESSIONS} sessions, closed loop)`,
    (r) => r.turnsPerSecond.toFixed(0),
    (r) => r.turnsPerSecond,
  ],
  ['idle RSS before the soak (nothing connected)', (r) => mib(r.idleRss), undefined],
  [`RSS after ${SOAK_TURNS} turns of 900 KiB to one session`, (r) => mib(r.soakRss), (r) => r.soakRss],
  ['RSS after the soak, its client gone', (r) => mib(r.soakLeftRss), undefined],
  ['soak turns that failed', (r) => `${r.soakFailures}`, undefined],
];
console.log(
  '| measure | bare ws (baseline) | in-process | ratio | worker | ratio | worker, 16 runs each | ratio |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [name, show, value] of rows) {
  const cells = [show(bare)];
  for (const mode of ['in-process', 'worker', 'worker-shared'] as const) {
    const result = results[mode];
    if (!result) cells.push('-', '');
    else cells.push(show(result), value ? ratio(value(result), value(bare)) : '');
  }
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
const os = await import('node:os');
console.log(
  `\nNode ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)} at the end; both answer each message with the same 8 events (thinking, tool call, tool result, 4 partial answers, final answer); the bare server has nothing behind them.`,
);
