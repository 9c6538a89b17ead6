// `pnpm bench traces`: what traces cost and carry. About two minutes, loopback only.
//   1. Full turns per second of the echo agent in a real `myagent-ws` child whose stdout is read line by
//      line (as the registry reads it), with traces on and off, in alternating rounds of the same run
//      (target: at most 5% fewer with traces on).
//   2. Trace events per second a real manager ingests (a flood agent in a real child printing well-formed
//      trace lines at an offered rate), stores (SQLite) and streams to 50 /ws/traces clients in another
//      process (target: 10,000/s with no event dropped).
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentServerCommand } from '@myagent/agent-server';
import { AgentManager, serveManager } from '@myagent/manager';
import WebSocket from 'ws';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 4);
const SESSIONS = 100;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const CLIENT_PROCS = Number(process.env.BENCH_CLIENT_PROCS ?? 5);
const RATES = (process.env.BENCH_RATES ?? '10000,20000').split(',').filter(Boolean).map(Number);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 5);
const TURN_MODES = (process.env.BENCH_TURN_MODES ?? 'in-process,worker').split(',');
const echoAgent = fileURLToPath(new URL('../../examples/echo-agent.ts', import.meta.url));
const floodAgent = fileURLToPath(new URL('./flood-agent.mjs', import.meta.url));

// ---- 1. turns per second, traces on vs off ----------------------------------------------------------------

/**
 * A `myagent-ws` child whose stdout goes to a line reader in its own process (the manager's part, kept off
 * this process's CPU); resolves with its port and a way to count the lines read.
 */
async function startServer(
  traces: boolean,
  mode: string,
): Promise<{ children: ChildProcess[]; port: number; lines: () => Promise<number> }> {
  const reader = fork(fileURLToPath(new URL('./line-reader.mjs', import.meta.url)), [], {
    stdio: ['pipe', 'inherit', 'inherit', 'ipc'],
  });
  const command = agentServerCommand();
  const args = [...command.args, 'server', echoAgent, '--port', '0', '--traces', String(traces)];
  if (mode === 'in-process') args.push('--in-process');
  const port = new Promise<number>((resolve) =>
    reader.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const child = spawn(command.command, args, { stdio: ['ignore', reader.stdin, 'inherit'] });
  const lines = () =>
    new Promise<number>((resolve) => {
      reader.once('message', (m: { lines: number }) => resolve(m.lines));
      reader.send({ cmd: 'lines' });
    });
  return { children: [child, reader], port: await port, lines };
}

function session(port: number): Promise<{ ws: WebSocket; id: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ event: 'user.create_session' })));
    ws.once('message', (data) => resolve({ ws, id: JSON.parse(String(data)).session_id }));
  });
}

/** Closed loop: each session sends its next message when the last turn's final answer came. */
async function turnsPerSecond(port: number, seconds: number): Promise<number> {
  const sessions = await Promise.all(Array.from({ length: SESSIONS }, () => session(port)));
  let turns = 0;
  let looping = true;
  let pending = 0;
  for (const { ws, id } of sessions) {
    const ask = () =>
      ws.send(JSON.stringify({ event: 'user.message', session_id: id, content: 'bench turn' }));
    ws.on('message', (data) => {
      if (!String(data).includes('"agent.final_answer"')) return;
      turns++;
      pending--;
      if (looping) {
        pending++;
        ask();
      }
    });
    pending++;
    ask();
  }
  // A warm-up second is not counted.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const before = turns;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const rate = (turns - before) / seconds;
  looping = false;
  const deadline = Date.now() + 10_000;
  while (pending > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const { ws } of sessions) ws.close();
  return rate;
}

/** CPU seconds a process used so far (utime + stime from /proc). */
function cpuOf(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function overhead(
  mode: string,
): Promise<{ on: number[]; off: number[]; linesPerTurn: number; cpuOn: number[]; cpuOff: number[] }> {
  const on: number[] = [];
  const off: number[] = [];
  const cpuOn: number[] = [];
  const cpuOff: number[] = [];
  let linesPerTurn = 0;
  const servers = { on: await startServer(true, mode), off: await startServer(false, mode) };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating order, so that a load change on the machine does not favour one side.
      for (const side of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const server = servers[side];
        const linesBefore = await server.lines();
        const pid = server.children[0]?.pid;
        const cpuBefore = cpuOf(pid);
        const rate = await turnsPerSecond(server.port, ROUND_SECONDS);
        (side === 'on' ? on : off).push(rate);
        // The server's CPU per turn, in µs (the warm-up second included on both sides alike).
        (side === 'on' ? cpuOn : cpuOff).push(
          ((cpuOf(pid) - cpuBefore) * 1e6) / (rate * (ROUND_SECONDS + 1)),
        );
        if (side === 'on')
          linesPerTurn = ((await server.lines()) - linesBefore) / (rate * (ROUND_SECONDS + 1));
      }
    }
  } finally {
    for (const server of Object.values(servers)) for (const child of server.children) child.kill('SIGKILL');
  }
  return { on, off, linesPerTurn, cpuOn, cpuOff };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

// ---- 2. ingest and stream ----------------------------------------------------------------------------------

interface Report {
  counts: number[];
  first: number;
  last: number;
}

/** Every client process's counts, merged; `reset` starts a new round's first and last arrival times. */
async function ask(children: ChildProcess[], cmd: 'report' | 'reset' = 'report'): Promise<Report> {
  const reports = await Promise.all(
    children.map(
      (child) =>
        new Promise<Report>((resolve) => {
          child.once('message', resolve as (value: unknown) => void);
          child.send({ cmd });
        }),
    ),
  );
  return {
    counts: reports.flatMap((r) => r.counts),
    first: Math.min(...reports.map((r) => r.first)),
    last: Math.max(...reports.map((r) => r.last)),
  };
}

/** How many of the clients process `p` runs. */
function share(p: number): number {
  return Math.floor(CLIENTS / CLIENT_PROCS) + (p < CLIENTS % CLIENT_PROCS ? 1 : 0);
}

async function flood(endpoint: string, events: number, rate: number): Promise<void> {
  const { ws, id } = await session(Number(new URL(endpoint).port));
  await new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      if (String(data).includes('"agent.final_answer"')) resolve();
    });
    ws.send(JSON.stringify({ event: 'user.message', session_id: id, content: `flood ${events} ${rate}` }));
  });
  ws.close();
}

async function ingest(): Promise<
  Array<{
    rate: number;
    events: number;
    delivered: number;
    stored: number;
    dropped: number;
    rejected: number;
    lagMs: number;
    ingestLagMs: number;
    cpuMicros: number;
  }>
> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-traces-'));
  const manager = new AgentManager({ dbPath: join(dir, 'manager.db'), serverArgs: ['--in-process'] });
  await manager.start({ healthCheckInterval: 5 });
  const server = await serveManager(manager, {
    port: 0,
    upgrades: { '/ws/traces': manager.handleTraceUpgrade },
  });
  const results = [];
  let clients: ChildProcess[] = [];
  try {
    // The flood's own run is not traced: every event the clients count is one the flood printed.
    const service = await manager.registerService({
      name: 'flood',
      agent_factory_path: floodAgent,
      auto_start: true,
      config: { environment: { MYAGENT_TRACES: '0' } },
    });
    // The clients spread over a few processes, so that receiving is not one event loop's limit.
    const wsUrl = `${server.url.replace('http', 'ws')}/ws/traces`;
    clients = Array.from({ length: CLIENT_PROCS }, (_, p) =>
      fork(fileURLToPath(new URL('./clients.ts', import.meta.url)), [wsUrl, String(share(p))], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    await Promise.all(clients.map((child) => new Promise((resolve) => child.once('message', resolve))));
    let expected = 0;
    // When the manager took each round's last event in (its ingest side, before any client).
    let ingested = 0;
    manager.traces.hub.subscribe({}, () => {
      ingested = performance.timeOrigin + performance.now();
    });
    for (const rate of RATES) {
      const events = rate * FLOOD_SECONDS;
      expected += events;
      const accepted = manager.traces.hub.counters.accepted;
      const droppedBefore = manager.traces.hub.counters.dropped;
      const rejected = manager.traces.hub.counters.rejected;
      const before = await ask(clients, 'reset');
      const cpuBefore = process.cpuUsage();
      await flood(service.endpoint, events, rate);
      const floodEnded = performance.timeOrigin + performance.now();
      const deadline = Date.now() + 60_000;
      let report = before;
      while (Date.now() < deadline) {
        report = await ask(clients);
        if (report.counts.every((count) => count >= expected)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await manager.traces.hub.flush();
      const cpu = process.cpuUsage(cpuBefore);
      const delivered = report.counts.reduce((sum, n, i) => sum + n - (before.counts[i] as number), 0);
      results.push({
        rate,
        events,
        // From the first event of this flood reaching a client to the last reaching the last client.
        delivered: events / ((report.last - report.first) / 1000),
        stored: manager.traces.hub.counters.accepted - accepted,
        dropped: events * CLIENTS - delivered + (manager.traces.hub.counters.dropped - droppedBefore),
        rejected: manager.traces.hub.counters.rejected - rejected,
        lagMs: report.last - floodEnded,
        ingestLagMs: ingested - floodEnded,
        // The manager's CPU (this process) per event: ingest, store and stream to every client.
        cpuMicros: (cpu.user + cpu.system) / events,
      });
    }
  } finally {
    for (const child of clients) child.send({ cmd: 'exit' });
    await server.close();
    await manager.stopAllServices();
    await manager.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

// ---- report ----------------------------------------------------------------------------------------------

console.log('Figures taken on a shared, loaded machine (2 cores, other work running): compare the ratios.\n');
console.log(
  `| echo agent, ${SESSIONS} sessions closed loop | traces off turns/s | traces on turns/s | on / off | server CPU per turn off / on | trace lines per turn |`,
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const mode of TURN_MODES) {
  const { on, off, linesPerTurn, cpuOn, cpuOff } = await overhead(mode);
  const ratio = median(on) / median(off);
  console.log(
    `| ${mode} (median of ${ROUNDS} rounds of ${ROUND_SECONDS} s) | ${median(off).toFixed(0)} | ${median(on).toFixed(0)} | ${ratio.toFixed(3)} (${((1 - ratio) * 100).toFixed(1)}% fewer; target <= 5%) | ${median(cpuOff).toFixed(0)} / ${median(cpuOn).toFixed(0)} µs | ${linesPerTurn.toFixed(1)} |`,
  );
}
console.log(
  `\n| offered trace events/s (${FLOOD_SECONDS} s) | delivered to each of ${CLIENTS} /ws/traces clients, events/s | stored | dropped | rejected | last event ingested / delivered, after the flood ended | manager CPU per event | events/s one free core would carry |`,
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of await ingest()) {
  console.log(
    `| ${r.rate} | ${r.delivered.toFixed(0)} | ${r.stored} of ${r.events} | ${r.dropped} | ${r.rejected} | ${r.ingestLagMs.toFixed(0)} / ${r.lagMs.toFixed(0)} ms | ${r.cpuMicros.toFixed(1)} µs | ${(1e6 / r.cpuMicros).toFixed(0)} |`,
  );
}
process.exit(0);
