import { TestClient } from '@myagent/test-support';
import { afterEach, expect, it } from 'vitest';
import { startRuntime } from '../test/helpers.js';

// Worker mode: a run that exhausts its worker's memory or spins forever harms only its own session, and
// runs sent ahead to a worker never wait on it.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a run that exhausts worker memory ends with agent.error; the worker is replaced', async () => {
  const server = await startRuntime({ mode: 'worker', workers: 2, workerMemoryMb: 32 });
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  const greedy = await client.createSession();
  const calm = await client.createSession();
  client.send({ event: 'user.message', session_id: calm, content: 'slow' });
  const events = await client.turn(greedy, 'oom');
  expect(events.at(-1)).toMatchObject({ event: 'agent.error', metadata: { code: 'AGENT_ERROR' } });
  expect(String(events.at(-1)?.content)).toMatch(/memory/);
  expect((await client.waitEvent('agent.final_answer', { session: calm })).content).toBe('Echo: slow');
  expect((await client.turn(greedy, 'again')).at(-1)?.content).toBe('Echo: again');
});

it('a spinning run is killed with its worker while another session runs on', async () => {
  const server = await startRuntime({ mode: 'worker', workers: 2, runTimeoutMs: 1500, killGraceMs: 100 });
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  const spinner = await client.createSession();
  const other = await client.createSession();
  client.send({ event: 'user.message', session_id: spinner, content: 'spin' });
  await client.waitEvent('agent.thinking', { session: spinner });
  // The main thread stays responsive while a worker spins: pings and other runs are answered.
  client.send({ event: 'ping' });
  await client.waitEvent('pong');
  expect((await client.turn(other, 'meanwhile')).at(-1)?.content).toBe('Echo: meanwhile');
  const timeout = await client.waitEvent('agent.timeout', { session: spinner });
  expect(timeout.metadata?.code).toBe('RUN_TIMEOUT');
  expect((await client.turn(spinner, 'back')).at(-1)?.content).toBe('Echo: back');
});

it('with several runs per worker, runs share it and a spinning one is still killed and replaced', async () => {
  const server = await startRuntime({
    mode: 'worker',
    workers: 1,
    runsPerWorker: 4,
    runTimeoutMs: 4000,
    killGraceMs: 100,
  });
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  const a = await client.createSession();
  const b = await client.createSession();
  // Two runs share the one worker at once: the slow one finishes while the other waits for a confirm.
  client.send({ event: 'user.message', session_id: a, content: 'confirm' });
  await client.waitEvent('agent.user_confirm', { session: a });
  expect((await client.turn(b, 'slow')).at(-1)?.content).toBe('Echo: slow');
  const ask = await client.waitEvent('agent.user_confirm', { session: a });
  client.send({ event: 'user.response', session_id: a, step_id: ask.step_id, content: { confirmed: true } });
  expect((await client.waitEvent('agent.final_answer', { session: a })).content).toBe('confirmed');
  // A spinning run is killed with its worker; the pool starts another and both sessions go on.
  const spun = await client.turn(a, 'spin');
  expect(spun.at(-1)).toMatchObject({ event: 'agent.timeout', metadata: { code: 'RUN_TIMEOUT' } });
  expect((await client.turn(a, 'again')).at(-1)?.content).toBe('Echo: again');
  expect((await client.turn(b, 'too')).at(-1)?.content).toBe('Echo: too');
});

it('a run sent ahead to a worker that then hangs is taken over by another worker', async () => {
  const server = await startRuntime({ mode: 'worker', workers: 2, runTimeoutMs: 60_000, killGraceMs: 100 });
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  const [spinner, waiter, third, fourth] = [
    await client.createSession(),
    await client.createSession(),
    await client.createSession(),
    await client.createSession(),
  ];
  client.send({ event: 'user.message', session_id: spinner, content: 'spin' });
  await client.waitEvent('agent.thinking', { session: spinner });
  client.send({ event: 'user.message', session_id: waiter, content: 'wait' });
  await client.waitEvent('agent.thinking', { session: waiter });
  // Both workers are busy: each is sent one of these ahead, so one waits behind the spinning run.
  client.send({ event: 'user.message', session_id: third, content: 'third' });
  client.send({ event: 'user.message', session_id: fourth, content: 'fourth' });
  client.send({ event: 'user.cancel', session_id: waiter });
  await client.waitEvent('agent.interrupted', { session: waiter });
  // Both finish long before the spinner's 60 s timeout would free its worker.
  expect((await client.waitEvent('agent.final_answer', { session: third })).content).toBe('Echo: third');
  expect((await client.waitEvent('agent.final_answer', { session: fourth })).content).toBe('Echo: fourth');
  expect(client.events(spinner)).not.toContain('agent.final_answer');
});

it('runs cancelled before they start (sent ahead or still queued) never run', async () => {
  const server = await startRuntime({ mode: 'worker', workers: 1 });
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  const [busy, ahead, queued] = [
    await client.createSession(),
    await client.createSession(),
    await client.createSession(),
  ];
  client.send({ event: 'user.message', session_id: busy, content: 'wait' });
  await client.waitEvent('agent.thinking', { session: busy });
  client.send({ event: 'user.message', session_id: ahead, content: 'ahead' });
  client.send({ event: 'user.message', session_id: queued, content: 'queued' });
  client.send({ event: 'user.cancel', session_id: ahead });
  client.send({ event: 'user.cancel', session_id: queued });
  await client.waitEvent('agent.interrupted', { session: ahead });
  await client.waitEvent('agent.interrupted', { session: queued });
  client.send({ event: 'user.cancel', session_id: busy });
  await client.waitEvent('agent.interrupted', { session: busy });
  expect(client.events(ahead)).not.toContain('agent.thinking');
  expect(client.events(queued)).not.toContain('agent.thinking');
  // The fixture counts its runs in the session state: the cancelled ones left no trace.
  expect((await client.turn(ahead, 'runs')).at(-1)?.content).toBe('runs=1 messages=1');
  expect((await client.turn(queued, 'runs')).at(-1)?.content).toBe('runs=1 messages=1');
});
