import { TestClient, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime } from '../test/helpers.js';

// The protocol of protocol.md, against both run modes: the same behaviour in a worker as in-process.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Parameters<typeof startRuntime>[0] = {}) {
  const server = await startRuntime(options);
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  return { server, client };
}

describe.each(['in-process', 'worker'] as const)('runs (%s)', (mode) => {
  it('streams a run in order with seq and event_id stamped', async () => {
    const { client } = await setup({ mode, workers: 1 });
    const sessionId = await client.createSession();
    const created = client.messages[0];
    expect(created).toMatchObject({
      event: 'agent.session_created',
      session_id: sessionId,
      seq: 1,
      metadata: { agent_name: 'fixture', connection_id: created?.connection_id },
    });
    const events = await client.turn(sessionId, 'hello');
    expect(events.map((e) => e.event)).toEqual([
      'agent.thinking',
      'agent.tool_call',
      'agent.tool_result',
      'agent.partial_answer',
      'agent.partial_answer',
      'agent.partial_answer',
      'agent.partial_answer',
      'agent.final_answer',
    ]);
    expect(events.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    for (const e of events) expect(e.event_id).toBe(`${e.connection_id}-${e.seq}`);
    const partials = events.filter((e) => e.event === 'agent.partial_answer');
    expect(partials.map((e) => e.content).join('')).toBe('Echo: hello');
    expect(partials.at(-1)?.metadata).toMatchObject({ is_final: true, total_length: 11 });
    expect(events[1]?.step_id).toBe('step_1_echo');
    expect(events[2]?.step_id).toBe('step_1_echo');
  });

  it('keeps the session state between runs, one agent per session', async () => {
    const { client } = await setup({ mode, workers: 1 });
    const a = await client.createSession();
    const b = await client.createSession();
    await client.turn(a, 'one');
    await client.turn(a, 'two');
    const runsA = await client.turn(a, 'runs');
    const runsB = await client.turn(b, 'runs');
    expect(runsA.at(-1)?.content).toBe('runs=3 messages=5');
    expect(runsB.at(-1)?.content).toBe('runs=1 messages=1');
  });

  it('refuses a second run in a busy session with SESSION_BUSY, then cancels the first', async () => {
    const { client } = await setup({ mode, workers: 1 });
    const sessionId = await client.createSession();
    client.send({ event: 'user.message', session_id: sessionId, content: 'wait' });
    await client.waitEvent('agent.thinking', { session: sessionId });
    client.send({ event: 'user.message', session_id: sessionId, content: 'again' });
    const busy = await client.waitEvent('agent.error', { session: sessionId });
    expect(busy.metadata?.code).toBe('SESSION_BUSY');
    client.send({ event: 'user.cancel', session_id: sessionId });
    const interrupted = await client.waitEvent('agent.interrupted', { session: sessionId });
    expect(interrupted.session_id).toBe(sessionId);
    const after = await client.turn(sessionId, 'fine');
    expect(after.at(-1)).toMatchObject({ event: 'agent.final_answer', content: 'Echo: fine' });
  });

  it('asks for confirmation and passes the answer to the agent', async () => {
    const { client } = await setup({ mode, workers: 1 });
    const sessionId = await client.createSession();
    client.send({ event: 'user.message', session_id: sessionId, content: 'confirm' });
    const ask = await client.waitEvent('agent.user_confirm', { session: sessionId });
    expect(ask.step_id).toMatch(/^confirm_[0-9a-f]{8}_delete_file$/);
    expect(ask.metadata).toMatchObject({
      tool_name: 'delete_file',
      tool_description: 'Deletes a file',
      tool_args: { path: '/tmp/x' },
      requires_confirmation: true,
    });
    client.send({
      event: 'user.response',
      session_id: sessionId,
      step_id: ask.step_id,
      content: { confirmed: true },
    });
    expect((await client.waitEvent('agent.final_answer', { session: sessionId })).content).toBe('confirmed');

    client.send({ event: 'user.message', session_id: sessionId, content: 'confirm again' });
    const second = await client.waitEvent('agent.user_confirm', { session: sessionId, nth: 1 });
    client.send({
      event: 'user.response',
      session_id: sessionId,
      step_id: second.step_id,
      content: { confirmed: false },
    });
    expect((await client.waitEvent('agent.final_answer', { session: sessionId, nth: 1 })).content).toBe(
      'denied',
    );
  });

  it('ends a run that hangs past the run timeout with agent.timeout; the session stays usable', async () => {
    // The timeout counts from the run's start in its worker, so a replacement worker's start-up is free.
    const runTimeoutMs = mode === 'worker' ? 800 : 300;
    const { client, server } = await setup({ mode, workers: 1, runTimeoutMs, killGraceMs: 200 });
    const sessionId = await client.createSession();
    const hung = await client.turn(sessionId, mode === 'worker' ? 'spin' : 'hang');
    expect(hung.at(-1)).toMatchObject({ event: 'agent.timeout', metadata: { code: 'RUN_TIMEOUT' } });
    const next = await client.turn(sessionId, 'after');
    expect(next.at(-1)).toMatchObject({ event: 'agent.final_answer', content: 'Echo: after' });
    expect(server.runtime.stats().active_runs).toBe(0);
  });

  it('turns a run that throws into agent.error for that session alone', async () => {
    const { client } = await setup({ mode, workers: 2 });
    const a = await client.createSession();
    const b = await client.createSession();
    client.send({ event: 'user.message', session_id: b, content: 'slow' });
    const failed = await client.turn(a, 'throw');
    expect(failed.at(-1)).toMatchObject({
      event: 'agent.error',
      content: 'the fixture agent failed on purpose',
      metadata: { code: 'AGENT_ERROR' },
    });
    const other = await client.waitEvent('agent.final_answer', { session: b });
    expect(other.content).toBe('Echo: slow');
    expect((await client.turn(a, 'ok')).at(-1)?.content).toBe('Echo: ok');
  });
});

describe('sessions', () => {
  it('closes a session with agent.session_end and forgets it', async () => {
    const { client, server } = await setup();
    const sessionId = await client.createSession();
    client.send({ event: 'user.close_session', session_id: sessionId });
    const end = await client.waitEvent('agent.session_end', { session: sessionId });
    expect(end.metadata?.reason).toBe('closed');
    const stats = server.runtime.stats();
    expect(stats).toMatchObject({ active_sessions: 0, total_sessions: 1, completed_sessions: 1 });
    expect(stats.avg_session_duration).toBeGreaterThan(0);
    client.send({ event: 'user.message', session_id: sessionId, content: 'hi' });
    const error = await client.waitEvent('system.error');
    expect(error.metadata?.code).toBe('SESSION_NOT_FOUND');
  });

  it('refuses sessions past max_sessions with MAX_SESSIONS, over all connections', async () => {
    const { client, server } = await setup({ maxSessions: 2 });
    const other = await TestClient.connect(server.url);
    cleanups.push(() => other.close());
    await client.createSession();
    await other.createSession();
    client.send({ event: 'user.create_session' });
    const refused = await client.waitEvent('agent.error');
    expect(refused.metadata?.code).toBe('MAX_SESSIONS');
    await other.close();
    await until(() => server.runtime.stats().active_sessions === 1, 'the closed peer to release its session');
    expect(server.runtime.stats()).toMatchObject({ peak_connections: 2, completed_sessions: 1 });
    expect(await client.createSession()).toBeTypeOf('string');
  });

  it('expires idle sessions with agent.session_end', async () => {
    const { client, server } = await setup({ sessionTimeoutMs: 150 });
    const sessionId = await client.createSession();
    const end = await client.waitEvent('agent.session_end', { session: sessionId });
    expect(end.metadata?.reason).toBe('timeout');
    expect(server.runtime.stats().active_sessions).toBe(0);
  });

  it('does not expire a session while its run goes on', async () => {
    const { client } = await setup({ sessionTimeoutMs: 150 });
    const sessionId = await client.createSession();
    const events = await client.turn(sessionId, 'slow');
    expect(events.at(-1)?.event).toBe('agent.final_answer');
    expect(events.map((e) => e.event)).not.toContain('agent.session_end');
  });

  it('sessions are private to their connection', async () => {
    const { client, server } = await setup();
    const sessionId = await client.createSession();
    const intruder = await TestClient.connect(server.url);
    cleanups.push(() => intruder.close());
    intruder.send({ event: 'user.message', session_id: sessionId, content: 'hi' });
    expect((await intruder.waitEvent('system.error')).metadata?.code).toBe('SESSION_NOT_FOUND');
  });

  it('treats an unanswered confirmation as a denial after the confirm timeout', async () => {
    const { client } = await setup({ confirmTimeoutMs: 100 });
    const sessionId = await client.createSession();
    const events = await client.turn(sessionId, 'confirm');
    expect(events.map((e) => e.event)).toEqual([
      'agent.thinking',
      'agent.user_confirm',
      'agent.final_answer',
    ]);
    expect(events.at(-1)?.content).toBe('denied');
  });
});
