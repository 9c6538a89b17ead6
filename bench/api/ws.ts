// The third measurement of bench/api: what the API's load does to the /ws proxy's added latency. It needs
// the proxy (issue 8): until the manager answers upgrades on /ws it returns a notice instead of figures.
// With BENCH_WS=1 and a proxy, it registers the echo agent, then measures turn round trips direct to the
// agent and through /ws, each idle and under the API load, and reports the added p99 both ways.
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const TURNS = Number(process.env.BENCH_WS_TURNS ?? 500);
const ECHO = fileURLToPath(new URL('../../examples/echo-agent.ts', import.meta.url));

/** True when the manager completes a WebSocket upgrade on /ws. */
function hasProxy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const req = request({
      host: hostname,
      port,
      path: '/ws',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(true);
    });
    req.on('response', () => resolve(false));
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** p99 in ms of `turns` sequential echo turns over one session. */
async function turnP99(endpoint: string, turns: number): Promise<number> {
  const socket = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const times: number[] = [];
  let session: string | undefined;
  let sentAt = 0;
  await new Promise<void>((resolve, reject) => {
    const send = () => {
      sentAt = performance.now();
      socket.send(JSON.stringify({ event: 'user.message', session_id: session, content: 'ping' }));
    };
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event: string; session_id?: string };
      if (message.event === 'agent.session_created') {
        session = message.session_id;
        send();
      } else if (message.event === 'agent.final_answer') {
        times.push(performance.now() - sentAt);
        if (times.length >= turns) resolve();
        else send();
      } else if (message.event === 'agent.error') reject(new Error(String(data)));
    });
    socket.send(JSON.stringify({ event: 'user.create_session' }));
  });
  socket.close();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length * 0.99)] as number;
}

/** Runs the /ws measurement (or explains why not) and returns the lines to print. */
export async function wsAddedLatency(managerUrl: string, apiLoad: () => Promise<unknown>): Promise<string> {
  if (!(await hasProxy(managerUrl))) {
    return "ws: skipped, the manager has no /ws yet (the proxy of issue 8); once it has, BENCH_WS=1 measures the proxy's added p99 with and without the API load";
  }
  if (process.env.BENCH_WS !== '1')
    return 'ws: the manager serves /ws; set BENCH_WS=1 to measure its added p99 under API load';
  const register = await fetch(`${managerUrl}/api/v1/services`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench-echo', agent_factory_path: ECHO, auto_start: true }),
  });
  const { endpoint } = (await register.json()) as { endpoint: string };
  const proxied = `${managerUrl.replace(/^http/u, 'ws')}/ws?service=bench-echo`;
  const idle = { direct: await turnP99(endpoint, TURNS), proxied: await turnP99(proxied, TURNS) };
  const loaded = await Promise.all([apiLoad(), turnP99(endpoint, TURNS), turnP99(proxied, TURNS)]);
  const busy = { direct: loaded[1], proxied: loaded[2] };
  const added = (m: { direct: number; proxied: number }) => (m.proxied - m.direct).toFixed(2);
  return [
    '| /ws added p99 (ms) | idle | under 1,000 API req/s | target |',
    '| --- | ---: | ---: | --- |',
    `| through /ws minus direct | ${added(idle)} | ${added(busy)} | unchanged |`,
  ].join('\n');
}
