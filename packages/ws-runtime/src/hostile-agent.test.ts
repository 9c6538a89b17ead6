import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_AGENT, startRuntime, TestClient } from '../test/helpers.js';

// Every value an agent yields, returns or throws is untrusted: in both modes a bad one costs its session a
// coded agent.error, never the server or another session.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

for (const mode of ['worker', 'in-process'] as const) {
  describe(`${mode} mode`, () => {
    async function setup(options: Parameters<typeof startRuntime>[0] = {}) {
      const server = await startRuntime({ mode, workers: 1, agentPath: HOSTILE_AGENT, ...options });
      cleanups.push(server.close);
      const client = await TestClient.connect(server.url);
      cleanups.push(() => client.close());
      return { server, client };
    }

    it('events JSON cannot carry end the run with a coded agent.error; the server and session go on', async () => {
      const { client } = await setup();
      const session = await client.createSession();
      // JSON leaves a function out; only structured clone (worker mode) refuses one.
      const inputs = ['bigint', 'circular', 'throwing-getter', ...(mode === 'worker' ? ['function'] : [])];
      for (const input of inputs) {
        const events = await client.turn(session, input);
        expect(events.at(-1), input).toMatchObject({
          event: 'agent.error',
          metadata: { code: 'AGENT_ERROR' },
        });
        expect(
          events.map((e) => e.event),
          input,
        ).not.toContain('agent.final_answer');
      }
      expect((await client.turn(session, 'hello')).at(-1)).toMatchObject({ event: 'agent.final_answer' });
    });

    it('garbage events are dropped; odd throws and unkeepable states are coded errors', async () => {
      const { client } = await setup();
      const session = await client.createSession();
      const garbage = await client.turn(session, 'garbage');
      expect(garbage.map((e) => e.event)).toEqual(['agent.final_answer']);
      for (const input of ['throw-null', 'throw-weird']) {
        expect((await client.turn(session, input)).at(-1), input).toMatchObject({
          event: 'agent.error',
          metadata: { code: 'AGENT_ERROR' },
        });
      }
      // A state JSON cannot carry fails only its export, with a code.
      await client.turn(session, 'state-bigint');
      client.send({ event: 'user.request_state', session_id: session });
      const error = await client.waitEvent('system.error');
      expect(error.metadata?.code).toMatch(/^[A-Z_]+$/);
      expect((await client.turn(session, 'hello')).at(-1)?.event).toBe('agent.final_answer');
    });

    it('a 100 MB event is refused with a coded error; the connection stays', async () => {
      const { client } = await setup();
      const session = await client.createSession();
      const events = await client.turn(session, 'huge');
      expect(events.at(-1)).toMatchObject({ event: 'agent.error', metadata: { code: 'AGENT_ERROR' } });
      expect(String(events.at(-1)?.content)).toMatch(/over the limit/);
      expect(client.closed).toBe(false);
      expect((await client.turn(session, 'hello')).at(-1)?.event).toBe('agent.final_answer');
    });
  });
}
