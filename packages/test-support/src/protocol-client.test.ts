import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { freePort } from './fs-net.js';
import { TestClient } from './protocol-client.js';
import { until } from './wait.js';

// A scripted server on a real loopback socket plays the runtime's part: sessions, a turn with an event of
// another session in the middle and one after the end, binary and non-JSON frames, a close on request.
let server: Server | undefined;
let wss: WebSocketServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const socket of wss?.clients ?? []) socket.terminate();
  wss?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function scripted(): Promise<{ url: string; closes: number[] }> {
  server = createServer();
  wss = new WebSocketServer({ server });
  const closes: number[] = [];
  let sessions = 0;
  wss.on('connection', (ws) => {
    const send = (message: Record<string, unknown>) => ws.send(JSON.stringify(message));
    ws.on('close', (code) => closes.push(code));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.send(data, { binary: true });
      const message = JSON.parse(String(data));
      if (message.event === 'user.create_session')
        send({ event: 'agent.session_created', session_id: `s${++sessions}` });
      if (message.event === 'user.message') {
        const session_id = message.session_id;
        send({ event: 'agent.thinking', session_id, content: message.content });
        send({ event: 'agent.thinking', session_id: 'elsewhere' });
        send({ event: 'agent.final_answer', session_id, content: `Echo: ${message.content}` });
        send({ event: 'agent.session_end', session_id });
      }
      if (message.event === 'raw') ws.send('not json');
      if (message.event === 'bye') ws.close(4001, 'bye now');
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, closes };
}

async function connect(url: string): Promise<TestClient> {
  const client = await TestClient.connect(url);
  clients.push(client);
  return client;
}

it('creates sessions and runs a turn: the events of that session, up to the end of the run', async () => {
  const { url } = await scripted();
  const client = await connect(url);
  const first = await client.createSession();
  const second = await client.createSession();
  expect([first, second]).toEqual(['s1', 's2']);
  const events = await client.turn(second, 'hello');
  expect(events.map((e) => [e.event, e.content])).toEqual([
    ['agent.thinking', 'hello'],
    ['agent.final_answer', 'Echo: hello'],
  ]);
  await client.waitEvent('agent.session_end', { session: second });
  expect(client.events(second)).toEqual([
    'agent.session_created',
    'agent.thinking',
    'agent.final_answer',
    'agent.session_end',
  ]);
  expect(client.events()).toHaveLength(client.messages.length);
});

it('waits for the nth event by name or by predicate, and names what it waited for at the deadline', async () => {
  const { url } = await scripted();
  const client = await connect(url);
  const session = await client.createSession();
  await client.turn(session, 'one');
  await client.turn(session, 'two');
  expect((await client.waitEvent('agent.final_answer', { session, nth: 1 })).content).toBe('Echo: two');
  const elsewhere = await client.waitEvent((e) => e.session_id === 'elsewhere', { nth: 1 });
  expect(elsewhere.event).toBe('agent.thinking');
  await expect(client.waitEvent('agent.final_answer', { session, nth: 2, timeoutMs: 100 })).rejects.toThrow(
    /waiting for agent\.final_answer in s1/u,
  );
});

it('keeps binary frames and text frames as they came, a non-JSON one as { raw }', async () => {
  const { url } = await scripted();
  const client = await connect(url);
  client.send(Buffer.from([1, 2, 3]));
  client.send({ event: 'raw' });
  await until(() => client.binary.length === 1 && client.texts.length === 1, 'the binary echo and the text');
  expect([...(client.binary[0] ?? [])]).toEqual([1, 2, 3]);
  expect(client.texts).toEqual(['not json']);
  expect(client.messages).toEqual([{ raw: 'not json' }]);
});

it("reports the server's close code and reason, and closes its own side", async () => {
  const { url, closes } = await scripted();
  const closedByServer = await connect(url);
  closedByServer.send({ event: 'bye' });
  expect(await closedByServer.waitClosed()).toBe(4001);
  expect(closedByServer.closeReason).toBe('bye now');
  await closedByServer.close(); // already closed: returns at once

  const closing = await connect(url);
  await closing.close();
  expect(closing.closed).toBe(true);
  await until(() => closes.includes(1005), 'the server to see the client close');
});

it('rejects when nothing listens', async () => {
  await expect(TestClient.connect(`ws://127.0.0.1:${await freePort()}`)).rejects.toThrow(/ECONNREFUSED/u);
});
