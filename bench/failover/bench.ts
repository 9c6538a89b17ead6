// `pnpm bench failover`: kill -9 of the agent server a client's session runs on, with a second instance up;
// time from the kill to `service_switched` and to the first answer of the restored session, p50 and p99
// over BENCH_FAILOVER_KILLS (20) kills. One client keeps one socket to the proxy through every kill, and
// each answer must count on (message N+1): a session that lost its history fails the run. The agent
// servers are real `myagent-ws` children of the echo example sharing a state secret; each killed one is
// replaced by a new child, so two are up at every kill. The proxy runs in this process (as in the manager).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { agentServerCommand } from '@myagent/agent-server';
import { createProxy, type ProxyCandidate } from '@myagent/proxy';
import WebSocket from 'ws';

const kills = Number(process.env.BENCH_FAILOVER_KILLS ?? 20);
const SECRET = 'bench-failover-secret-0123456789abcdef';
const ECHO = fileURLToPath(new URL('../../examples/echo-agent.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

interface Instance {
  candidate: ProxyCandidate;
  child: ChildProcess;
}

let serial = 0;
async function startInstance(): Promise<Instance> {
  const { command, args } = agentServerCommand();
  const child = spawn(command, [...args, 'server', ECHO, '--port', '0', '--in-process'], {
    cwd: ROOT,
    env: { ...process.env, MYAGENT_STATE_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve(String(JSON.parse(line).url));
    });
    child.once('exit', (code) => reject(new Error(`myagent-ws exited ${code}`)));
  });
  serial++;
  return {
    child,
    candidate: {
      service_id: `echo-${serial}`,
      name: `echo-${serial}`,
      endpoint: url.replace(/\/$/u, ''),
      status: 'running',
      healthy: true,
    },
  };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

async function main(): Promise<void> {
  let instances = [await startInstance(), await startInstance()];
  const listeners = new Set<() => void>();
  let list = instances.map((i) => i.candidate);
  const proxy = createProxy({
    source: {
      list: () => list,
      subscribe: (onChange) => {
        listeners.add(onChange);
        return () => listeners.delete(onChange);
      },
    },
    stateSecret: SECRET,
  });
  const server = createServer().on('upgrade', (req, socket, head) => proxy.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
  const waiters = new Set<(event: Record<string, unknown>) => void>();
  ws.on('message', (data) => {
    const event = JSON.parse(String(data)) as Record<string, unknown>;
    for (const waiter of waiters) waiter(event);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = (match: (event: Record<string, unknown>) => boolean, what: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 30 s`)), 30_000);
      const waiter = (event: Record<string, unknown>) => {
        if (!match(event)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(event);
      };
      waiters.add(waiter);
    });
  const created = next((e) => e.event === 'agent.session_created', 'session');
  ws.send(JSON.stringify({ event: 'user.create_session' }));
  const session = String((await created).session_id);
  let count = 0;
  const turn = async () => {
    const answer = next((e) => e.event === 'agent.final_answer' && e.session_id === session, 'answer');
    ws.send(JSON.stringify({ event: 'user.message', session_id: session, content: 'ping' }));
    const text = String((await answer).content);
    count++;
    if (!text.includes(`(message ${count} of this session)`))
      throw new Error(`session lost its history: '${text}' is not message ${count}`);
  };
  await turn();

  const toClose: number[] = [];
  const toSwitched: number[] = [];
  const toAnswer: number[] = [];
  for (let i = 0; i < kills; i++) {
    const on = proxy.connections()[0]?.target_service_id;
    const victim = instances.find((x) => x.candidate.service_id === on) as Instance;
    const switched = next((e) => e.event === 'service_switched', 'service_switched');
    // The baseline: a client straight at the victim sees its socket close this long after the kill (the
    // kernel tears the process down first); everything past it is the proxy's.
    const direct = new WebSocket(victim.candidate.endpoint, { perMessageDeflate: false });
    await new Promise((resolve, reject) => direct.once('open', resolve).once('error', reject));
    direct.on('error', () => {});
    const directClosed = new Promise<number>((resolve) =>
      direct.once('close', () => resolve(performance.now())),
    );
    const t0 = performance.now();
    victim.child.kill('SIGKILL');
    const event = await switched;
    const t1 = performance.now();
    toClose.push((await directClosed) - t0);
    if ((event.data as { session_preserved?: boolean }).session_preserved !== true)
      throw new Error('the session was not preserved');
    await turn();
    const t2 = performance.now();
    toSwitched.push(t1 - t0);
    toAnswer.push(t2 - t0);
    // Two instances up again before the next kill: the source learns of the death and of the new one.
    const fresh = await startInstance();
    instances = [...instances.filter((x) => x !== victim), fresh];
    list = instances.map((x) => x.candidate);
    for (const listener of listeners) listener();
  }
  ws.close();
  await proxy.close();
  server.close();
  for (const instance of instances) instance.child.kill('SIGTERM');

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`failover over ${kills} kills -9 (second instance up), one client socket throughout:`);
  console.log('| measure | p50 | p99 | target |');
  console.log('| --- | --- | --- | --- |');
  console.log(
    `| baseline: kill -9 -> a direct client sees the close | ${ms(percentile(toClose, 50))} | ${ms(percentile(toClose, 99))} | |`,
  );
  console.log(
    `| kill -9 -> service_switched | ${ms(percentile(toSwitched, 50))} | ${ms(percentile(toSwitched, 99))} | < 1 s |`,
  );
  console.log(
    `| kill -9 -> first answer of the restored session | ${ms(percentile(toAnswer, 50))} | ${ms(percentile(toAnswer, 99))} | < 1 s |`,
  );
  console.log(`sessions preserved ${kills}/${kills}; messages counted on without a gap (${count} turns)`);
  const worst = Math.max(...toAnswer);
  process.exit(worst < 1000 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
