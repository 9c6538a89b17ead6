import { TestClient } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime } from '../test/helpers.js';

// A run cut off mid-answer (cancel, the drain timeout) ends its stream: the closing is_final partial answer,
// then agent.interrupted, and nothing of the run after that; in both modes.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

for (const mode of ['worker', 'in-process'] as const) {
  describe(`${mode} mode`, () => {
    async function setup() {
      const server = await startRuntime({ mode, workers: 1, killGraceMs: 500 });
      cleanups.push(server.close);
      const client = await TestClient.connect(server.url);
      cleanups.push(() => client.close());
      return { server, client, session: await client.createSession() };
    }

    function partialsOf(client: TestClient, session: string) {
      return client.messages.filter((m) => m.session_id === session && m.event === 'agent.partial_answer');
    }

    it('a cancelled run closes its half-sent answer, then says agent.interrupted', async () => {
      const { client, session } = await setup();
      client.send({ event: 'user.message', session_id: session, content: 'slow' });
      await client.waitEvent('agent.partial_answer', { session, nth: 1 });
      client.send({ event: 'user.cancel', session_id: session });
      await client.waitEvent('agent.interrupted', { session });
      const events = client.messages.filter((m) => m.session_id === session);
      const partials = partialsOf(client, session);
      const closing = partials.at(-1);
      expect(closing?.metadata).toMatchObject({ is_final: true, interrupted: true });
      const sent = partials.slice(0, -1).reduce((n, m) => n + String(m.content).length, 0);
      expect(closing?.metadata?.total_length).toBe(sent);
      expect(events.slice(-2).map((e) => e.event)).toEqual(['agent.partial_answer', 'agent.interrupted']);
      // Nothing of the run comes after, and the session goes on.
      const next = await client.turn(session, 'hello');
      expect(next[0]?.event).toBe('agent.thinking');
      expect(next.at(-1)?.content).toBe('Echo: hello');
    });

    it('a run cut off by the drain timeout closes its answer before the session ends', async () => {
      const { server, client, session } = await setup();
      client.send({ event: 'user.message', session_id: session, content: 'slow' });
      await client.waitEvent('agent.partial_answer', { session, nth: 1 });
      await server.runtime.drain(100);
      await client.waitEvent('agent.session_end', { session });
      const tail = client.messages.filter((m) => m.session_id === session).slice(-3);
      expect(tail.map((e) => e.event)).toEqual([
        'agent.partial_answer',
        'agent.interrupted',
        'agent.session_end',
      ]);
      expect(tail[0]?.metadata).toMatchObject({ is_final: true });
      expect(tail[1]?.metadata).toMatchObject({ reason: 'shutdown' });
      expect(client.events(session)).not.toContain('agent.final_answer');
    });

    it('a cancel with no answer under way sends no closing partial', async () => {
      const { client, session } = await setup();
      client.send({ event: 'user.message', session_id: session, content: 'wait' });
      await client.waitEvent('agent.thinking', { session });
      client.send({ event: 'user.cancel', session_id: session });
      await client.waitEvent('agent.interrupted', { session });
      expect(partialsOf(client, session)).toEqual([]);
    });
  });
}
