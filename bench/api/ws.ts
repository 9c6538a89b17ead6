// The third measurement of bench/api: what the API's load does to the /ws proxy's added latency. With
// BENCH_WS=1 it registers the echo agent, then times echo turns direct to the agent and through /ws,
// alternating one of each so that both see the same moment of a shared machine, first idle and then while
// a separate autocannon process holds the API at a fixed rate. The added p99 is proxied minus direct.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const TURNS = Number(process.env.BENCH_WS_TURNS ?? 300);
const ECHO = fileURLToPath(new URL('../../examples/echo-agent.ts', import.meta.url));
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] as number;

/** One WebSocket session of the echo agent, ready for turns. */
async function openSession(endpoint: string) {
  const socket = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  let waiting: { resolve: (ms: number) => void; reject: (error: Error) => void; at: number } | undefined;
  let session: string | undefined;
  const created = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event: string; session_id?: string };
      if (message.event === 'agent.session_created') {
        session = message.session_id;
        resolve();
      } else if (message.event === 'agent.final_answer' && waiting) {
        waiting.resolve(performance.now() - waiting.at);
        waiting = undefined;
      } else if (message.event === 'agent.error' || message.event === 'system.error') {
        const error = new Error(String(data));
        if (waiting) waiting.reject(error);
        else reject(error);
      }
    });
  });
  socket.send(JSON.stringify({ event: 'user.create_session' }));
  await created;
  return {
    /** One turn's round trip in ms: the message sent, its final answer received. */
    turn: () =>
      new Promise<number>((resolve, reject) => {
        waiting = { resolve, reject, at: performance.now() };
        socket.send(JSON.stringify({ event: 'user.message', session_id: session, content: 'ping' }));
      }),
    close: () => socket.close(),
  };
}

interface Pairs {
  direct: number[];
  proxied: number[];
}

/** Alternating turns (direct, then through /ws) until `until` says stop and at least `min` pairs ran. */
async function pairedTurns(
  direct: Awaited<ReturnType<typeof openSession>>,
  proxied: Awaited<ReturnType<typeof openSession>>,
  min: number,
  until: () => boolean,
): Promise<Pairs> {
  const pairs: Pairs = { direct: [], proxied: [] };
  while (pairs.direct.length < min || !until()) {
    pairs.direct.push(await direct.turn());
    pairs.proxied.push(await proxied.turn());
  }
  return pairs;
}

function describe(pairs: Pairs) {
  const direct = [...pairs.direct].sort((a, b) => a - b);
  const proxied = [...pairs.proxied].sort((a, b) => a - b);
  return {
    n: direct.length,
    direct: { p50: quantile(direct, 0.5), p99: quantile(direct, 0.99) },
    proxied: { p50: quantile(proxied, 0.5), p99: quantile(proxied, 0.99) },
  };
}

/** autocannon at a fixed rate in a process of its own (never this event loop, which times the turns). */
function apiLoad(url: string, rate: number, seconds: number) {
  const child = spawn(
    process.execPath,
    [AUTOCANNON, '--json', '-c', '10', '-R', String(rate), '-d', String(seconds), url],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  let running = true;
  const done = new Promise<{ rps: number; p99: number; failures: number }>((resolve, reject) => {
    child.once('exit', (code) => {
      running = false;
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const result = JSON.parse(out) as {
        requests: { average: number };
        latency: { p99: number };
        errors: number;
        timeouts: number;
        non2xx: number;
      };
      resolve({
        rps: result.requests.average,
        p99: result.latency.p99,
        failures: result.errors + result.timeouts + result.non2xx,
      });
    });
  });
  return { done, running: () => running, kill: () => child.kill('SIGTERM') };
}

/** Runs the /ws measurement (or says how to) and returns the lines to print. */
export async function wsAddedLatency(
  managerUrl: string,
  load: { path: string; rate: number; seconds: number },
): Promise<string> {
  if (process.env.BENCH_WS !== '1')
    return 'ws: set BENCH_WS=1 to measure the /ws proxy added p99 with and without the API load';
  const register = await fetch(`${managerUrl}/api/v1/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench-echo', agent_factory_path: ECHO, auto_start: true }),
  });
  if (!register.ok)
    throw new Error(`registering the echo agent: ${register.status} ${await register.text()}`);
  const { endpoint } = (await register.json()) as { endpoint: string };
  const direct = await openSession(endpoint);
  const proxied = await openSession(`${managerUrl.replace(/^http/u, 'ws')}/ws?service=bench-echo`);
  try {
    // Warm-up: JIT on both paths, the agent's worker.
    await pairedTurns(direct, proxied, 50, () => true);
    const idle = describe(await pairedTurns(direct, proxied, TURNS, () => true));
    const api = apiLoad(`${managerUrl}${load.path}`, load.rate, load.seconds);
    let busy: ReturnType<typeof describe>;
    try {
      busy = describe(await pairedTurns(direct, proxied, 50, () => !api.running()));
    } finally {
      if (api.running()) api.kill();
    }
    const held = await api.done;
    const ms = (value: number) => value.toFixed(2);
    const row = (label: string, m: ReturnType<typeof describe>, note: string) =>
      `| ${label} | ${m.n} | ${ms(m.direct.p50)} / ${ms(m.direct.p99)} | ${ms(m.proxied.p50)} / ${ms(m.proxied.p99)} | ${ms(m.proxied.p50 - m.direct.p50)} / ${ms(m.proxied.p99 - m.direct.p99)} | ${note} |`;
    return [
      '| echo turns | pairs | direct p50 / p99 (ms) | through /ws p50 / p99 (ms) | added p50 / p99 (ms) | API meanwhile |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      row('idle', idle, 'none'),
      row(
        `API at ${load.rate} req/s`,
        busy,
        `${held.rps.toFixed(0)} req/s held, p99 ${held.p99} ms, ${held.failures} failed`,
      ),
    ].join('\n');
  } finally {
    direct.close();
    proxied.close();
  }
}
