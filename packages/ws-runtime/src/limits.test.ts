import { TestClient } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_AGENT, startRuntime } from '../test/helpers.js';
import { resolveRuntimeOptions } from './options.js';

// Everything a client can make the server keep is bounded in count and in bytes (limits.ts), in both modes.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('documents defaults and refuses a bad bound with a coded error naming it', async () => {
  const agent = {
    name: 'a',
    export: 'agent' as const,
    create: async () => ({ name: 'a', run: async function* () {} }),
  };
  const opts = resolveRuntimeOptions({ agent });
  expect(opts).toMatchObject({
    maxEventBytes: 8 * 1024 * 1024,
    replayBufferSize: 1000,
    replayBufferBytes: 4 * 1024 * 1024,
    maxHistoryMessages: 1000,
    maxHistoryBytes: 4 * 1024 * 1024,
    maxPendingRuns: 10_000,
    maxSessionsPerConnection: 1000,
  });
  expect(() => resolveRuntimeOptions({ agent, replayBufferBytes: -1 })).toThrow(
    expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(/replayBufferBytes/) }),
  );
});

for (const mode of ['worker', 'in-process'] as const) {
  describe(`${mode} mode`, () => {
    async function setup(options: Parameters<typeof startRuntime>[0] = {}) {
      const server = await startRuntime({ mode, workers: 1, ...options });
      cleanups.push(server.close);
      const client = await TestClient.connect(server.url);
      cleanups.push(() => client.close());
      return { server, client };
    }

    it('replays at most replayBufferBytes of a closed connection', async () => {
      // Two messages of history keep the export itself (an event too) small.
      const { server, client } = await setup({
        stateSecret: 's',
        replayBufferBytes: 128 * 1024,
        maxHistoryMessages: 2,
      });
      const session = await client.createSession();
      for (let i = 0; i < 6; i++) await client.turn(session, `${i}${'y'.repeat(20_000)}`);
      client.send({ event: 'user.request_state', session_id: session });
      const exported = await client.waitEvent('agent.state_exported');
      await client.close();
      const again = await TestClient.connect(server.url);
      cleanups.push(() => again.close());
      again.send({ event: 'user.reconnect_with_state', signed_state: exported.metadata?.signed_state });
      const notice = await again.waitEvent('system.notice');
      const replayed = again.messages.filter((m) => m.metadata?.replayed === true);
      expect(replayed.length).toBe(notice.metadata?.replayed);
      expect(replayed.length).toBeGreaterThan(0);
      const bytes = replayed.reduce((sum, m) => sum + JSON.stringify(m.content ?? '').length, 0);
      expect(bytes).toBeLessThanOrEqual(128 * 1024);
      expect(replayed.some((m) => JSON.stringify(m.content).includes('0yyyy'))).toBe(false);
      // The newest events are the ones kept.
      expect(replayed.at(-1)?.event).toBe('agent.state_exported');
    });

    it('bounds a session history in count and bytes, oldest turns first', async () => {
      const { client } = await setup({ maxHistoryMessages: 6, maxHistoryBytes: 0 });
      const session = await client.createSession();
      for (let i = 0; i < 5; i++) await client.turn(session, `turn ${i}`);
      client.send({ event: 'user.request_state', session_id: session });
      const exported = await client.waitEvent('agent.state_exported');
      expect(exported.metadata?.message_count).toBe(6);
      const signed = exported.metadata?.signed_state as { state: { messages: Array<{ content: string }> } };
      const state = signed.state;
      expect(state.messages[0]?.content).toBe('turn 2');
      expect(state.messages.at(-1)?.content).toBe('Echo: turn 4');
    });

    it('refuses a run whose agent data is over maxStateBytes, keeping the state it had', async () => {
      const { client } = await setup({ agentPath: HOSTILE_AGENT, maxStateBytes: 1024 });
      const session = await client.createSession();
      await client.turn(session, 'hello');
      // The answer was streamed before the run ended; the state it left is what is refused.
      await client.turn(session, 'state-big');
      const error = await client.waitEvent('agent.error', { session });
      expect(error.metadata?.code).toBe('AGENT_ERROR');
      expect(String(error.content)).toMatch(/maxStateBytes/);
      // The refused run left nothing: its own user message is gone too.
      expect(String((await client.turn(session, 'hello')).at(-1)?.content)).toMatch(/messages=3$/);
    });

    it('caps the sessions of one connection', async () => {
      const { client } = await setup({ maxSessionsPerConnection: 2 });
      await client.createSession();
      await client.createSession();
      client.send({ event: 'user.create_session' });
      const error = await client.waitEvent('agent.error');
      expect(error.metadata?.code).toBe('MAX_SESSIONS');
    });
  });
}

it('refuses runs past maxPendingRuns while they wait for a worker', async () => {
  const server = await startRuntime({ mode: 'worker', workers: 1, maxPendingRuns: 1 });
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  const [busy, waiting, refused] = [
    await client.createSession(),
    await client.createSession(),
    await client.createSession(),
  ];
  client.send({ event: 'user.message', session_id: busy, content: 'wait' });
  await client.waitEvent('agent.thinking', { session: busy });
  client.send({ event: 'user.message', session_id: waiting, content: 'queued' });
  client.send({ event: 'user.message', session_id: refused, content: 'one too many' });
  const error = await client.waitEvent('agent.error', { session: refused });
  expect(error.metadata?.code).toBe('INSUFFICIENT_RESOURCES');
  client.send({ event: 'user.cancel', session_id: busy });
  expect((await client.waitEvent('agent.final_answer', { session: waiting })).content).toBe('Echo: queued');
  // Once the queue drained, the refused session runs again.
  expect((await client.turn(refused, 'now')).at(-1)?.content).toBe('Echo: now');
});
