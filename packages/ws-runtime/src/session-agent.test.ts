import { TestClient } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_AGENT, startRuntime } from '../test/helpers.js';

// Spec A2: createAgent() makes one agent instance per session, in both modes; a worker that dies takes
// the instances it held, and their sessions are rebuilt from their state and say so.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const answer = (events: Array<{ event: string; content?: unknown }>) =>
  String(events.find((e) => e.event === 'agent.final_answer')?.content);
const instanceOf = (text: string) => /instance=(\d+)/.exec(text)?.[1];

for (const mode of ['worker', 'in-process'] as const) {
  describe(`${mode} mode`, () => {
    it('every run of a session meets the same agent instance', async () => {
      const server = await startRuntime({ mode, workers: 2, agentPath: HOSTILE_AGENT });
      cleanups.push(server.close);
      const client = await TestClient.connect(server.url);
      cleanups.push(() => client.close());
      const [a, b] = [await client.createSession(), await client.createSession()];
      const turns: string[] = [];
      for (let i = 0; i < 3; i++) {
        turns.push(answer(await client.turn(a, 'hello')));
        await client.turn(b, 'hello');
      }
      expect(turns.map((t) => /turn=(\d+)/.exec(t)?.[1])).toEqual(['1', '2', '3']);
      expect(new Set(turns.map(instanceOf)).size).toBe(1);
      expect(turns[2]).toMatch(/messages=5$/);
    });
  });
}

describe('worker mode', () => {
  it('hands a run the state its worker already holds instead of a copy', async () => {
    const server = await startRuntime({ mode: 'worker', workers: 1, agentPath: HOSTILE_AGENT });
    cleanups.push(server.close);
    const client = await TestClient.connect(server.url);
    cleanups.push(() => client.close());
    const session = await client.createSession();
    expect(answer(await client.turn(session, 'same-state'))).toBe('same-state=false');
    expect(answer(await client.turn(session, 'same-state'))).toBe('same-state=true');
    expect(answer(await client.turn(session, 'same-state'))).toBe('same-state=true');
  });

  it('a session whose worker died is rebuilt from its state and says so', async () => {
    const server = await startRuntime({
      mode: 'worker',
      workers: 2,
      agentPath: HOSTILE_AGENT,
      runTimeoutMs: 1000,
      killGraceMs: 100,
    });
    cleanups.push(server.close);
    const client = await TestClient.connect(server.url);
    cleanups.push(() => client.close());
    const session = await client.createSession();
    const before = answer(await client.turn(session, 'hello'));
    expect(before).toMatch(/turn=1 messages=1$/);
    const spun = await client.turn(session, 'spin');
    expect(spun.map((e) => e.event)).toContain('agent.timeout');
    const notice = await client.waitEvent('system.notice', { session });
    expect(notice.metadata?.reason).toBe('session_rebuilt');
    // The notice follows the run's own end.
    expect(client.events(session).slice(-2)).toEqual(['agent.timeout', 'system.notice']);
    const after = answer(await client.turn(session, 'hello'));
    // A fresh instance (its own turn count starts again), the history kept (the timed-out run left none).
    expect(after).toMatch(/turn=1 messages=3$/);
    expect(instanceOf(after)).toBeDefined();
  });

  // The premise (both first runs land on one worker) is the pool's choice: under a loaded machine the second
  // run can find the first worker not yet released and start the other one, so the case is tried again.
  it('a session whose worker is held by another session moves to an idle worker and says so', {
    retry: 2,
  }, async () => {
    const server = await startRuntime({ mode: 'worker', workers: 2 });
    cleanups.push(server.close);
    const client = await TestClient.connect(server.url);
    cleanups.push(() => client.close());
    const [a, b] = [await client.createSession(), await client.createSession()];
    // One after the other, both first runs go to the first idle worker: both sessions live there.
    await client.turn(a, 'one');
    await client.turn(b, 'one');
    client.send({ event: 'user.message', session_id: b, content: 'wait' });
    await client.waitEvent('agent.thinking', { session: b, nth: 1 });
    // a's worker is busy with b's long run: a's run waits, then moves (its history comes along).
    expect((await client.turn(a, 'runs')).at(-1)?.content).toBe('runs=2 messages=3');
    expect((await client.waitEvent('system.notice', { session: a })).metadata?.reason).toBe(
      'session_rebuilt',
    );
    expect(client.events(b)).not.toContain('agent.interrupted');
  });
});
