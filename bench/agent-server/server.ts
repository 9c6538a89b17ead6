// One server under test, in its own process so its memory and event loop are its own. argv[2]: `bare` (a
// plain ws server, the baseline), `in-process`, `worker` or `worker-shared` (16 runs per worker) for
// myagent-ws with the echo example.
// Answers IPC {cmd: 'mem'} with its heap and RSS after a full GC; {cmd: 'exit'} ends it (flushing --cpu-prof).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startAgentServer } from '@myagent/agent-server';
import { WebSocketServer } from 'ws';

const mode = process.argv[2] as 'bare' | 'in-process' | 'worker' | 'worker-shared';
const echoAgent = fileURLToPath(new URL('../../examples/echo-agent.ts', import.meta.url));

async function startBare(): Promise<number> {
  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    // The same wire traffic as the echo agent's turn (8 events), with nothing behind it: what is left of
    // the difference is the runtime's own cost.
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      const reply = (event: string, content: unknown) =>
        ws.send(
          JSON.stringify({
            event,
            session_id: message.session_id ?? 'bare',
            content,
            timestamp: new Date().toISOString(),
          }),
        );
      if (message.event !== 'user.message') return reply('agent.session_created', 'created');
      const text = String(message.content);
      for (const event of ['agent.thinking', 'agent.tool_call', 'agent.tool_result']) reply(event, text);
      for (const part of [text.slice(0, 8), text.slice(8, 16), text.slice(16), ''])
        reply('agent.partial_answer', part);
      reply('agent.final_answer', `Echo: ${text}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startAgent(): Promise<number> {
  const server = await startAgentServer({
    agentFile: echoAgent,
    port: 0,
    inProcess: mode === 'in-process',
    workers: process.env.BENCH_WORKERS ? Number(process.env.BENCH_WORKERS) : undefined,
    runsPerWorker: mode === 'worker-shared' ? 16 : 1,
    heartbeatInterval: 30,
    write: () => {},
  });
  return server.port;
}

const port = mode === 'bare' ? await startBare() : await startAgent();
process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'exit') process.exit(0);
  if (message.cmd !== 'mem') return;
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.send?.({ heapUsed, rss });
});
process.send?.({ port });
