import { TestClient, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HOSTILE_AGENT, startRuntime } from '../test/helpers.js';

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

// What a hostile agent does to its thread, its memory and the event stream, in both modes where the mode
// can survive it: a synchronous spin or unbounded allocation in-process takes the server's own thread or
// heap (the price of that mode; the manager's health check restarts such a server), so those two run in
// worker mode only, where the worker is terminated and the server lives.
describe('hostile agents', () => {
  for (const mode of ['worker', 'in-process'] as const) {
    describe(`${mode} mode`, () => {
      async function setup(options: Parameters<typeof startRuntime>[0] = {}) {
        const server = await startRuntime({ mode, workers: 2, agentPath: HOSTILE_AGENT, ...options });
        cleanups.push(server.close);
        const client = await TestClient.connect(server.url);
        cleanups.push(() => client.close());
        return { server, client };
      }

      it('a run that throws ends with a coded agent.error; the session goes on', async () => {
        const { client } = await setup();
        const session = await client.createSession();
        const events = await client.turn(session, 'throw');
        expect(events.at(-1)).toMatchObject({ event: 'agent.error', metadata: { code: 'AGENT_ERROR' } });
        expect(String(events.at(-1)?.content)).toMatch(/on purpose/);
        expect((await client.turn(session, 'hello')).at(-1)?.event).toBe('agent.final_answer');
      });

      it('a million tiny events reach the client at its pace; the connection and the server stay', async () => {
        const { server, client } = await setup();
        // A client that only counts: the events are many, each is small.
        const raw = new WebSocket(server.url);
        cleanups.push(async () => raw.terminate());
        await new Promise((resolve) => raw.once('open', resolve));
        let session = '';
        let count = 0;
        let final = false;
        raw.on('message', (data) => {
          const text = String(data);
          if (text.includes('"agent.session_created"')) session = JSON.parse(text).session_id;
          else if (text.includes('"agent.thinking"')) count++;
          else if (text.includes('"agent.final_answer"')) final = true;
        });
        raw.send(JSON.stringify({ event: 'user.create_session' }));
        await until(() => session !== '', 'the session');
        raw.send(JSON.stringify({ event: 'user.message', session_id: session, content: 'many' }));
        await until(() => count > 1000, 'the flood');
        // Meanwhile the server answers others.
        const other = await client.createSession();
        expect((await client.turn(other, 'hello')).at(-1)?.event).toBe('agent.final_answer');
        await until(() => final, 'the end of the flood', 180_000);
        expect(count).toBe(1_000_000);
        expect(raw.readyState).toBe(WebSocket.OPEN);
      }, 240_000);

      it('a message of 100 MB put in the history is dropped by the history bound', async () => {
        const { client } = await setup({ stateSecret: 's' });
        const session = await client.createSession();
        const put = await client.turn(session, 'huge-history');
        expect(put.at(-1)?.event, String(put.at(-1)?.content)).toBe('agent.final_answer');
        client.send({ event: 'user.request_state', session_id: session });
        const exported = await client.waitEvent('agent.state_exported');
        expect(exported.metadata?.state_size).toBeLessThan(64 * 1024);
        const next = await client.turn(session, 'hello');
        expect(next.at(-1)?.event, String(next.at(-1)?.content)).toBe('agent.final_answer');
      });

      it('timers an agent leaves running after a cancel never reach the client', async () => {
        const { client } = await setup();
        const session = await client.createSession();
        client.send({ event: 'user.message', session_id: session, content: 'timers' });
        await until(() => client.messages.some((m) => m.session_id === session), 'the run');
        client.send({ event: 'user.cancel', session_id: session });
        await client.waitEvent('agent.interrupted', { session });
        for (let i = 0; i < 3; i++) {
          expect((await client.turn(session, 'hello')).at(-1)?.event).toBe('agent.final_answer');
        }
        const interrupted = client.messages.findIndex((m) => m.event === 'agent.interrupted');
        // After the interrupt only the new turns' events came: the old run's timers sent nothing.
        const after = client.messages.slice(interrupted + 1).map((m) => m.event);
        expect(after.filter((e) => e === 'agent.final_answer')).toHaveLength(3);
        expect(after.every((e) => e === 'agent.final_answer')).toBe(true);
      });

      it('a run that never returns and ignores its abort is given up on after the grace', async () => {
        const { client } = await setup({ killGraceMs: 200 });
        const session = await client.createSession();
        client.send({ event: 'user.message', session_id: session, content: 'never' });
        await client.waitEvent('agent.thinking', { session });
        client.send({ event: 'user.cancel', session_id: session });
        await client.waitEvent('agent.interrupted', { session });
        expect((await client.turn(session, 'hello')).at(-1)?.event).toBe('agent.final_answer');
        if (mode === 'worker') {
          // Its worker was killed with it: the session was rebuilt and said so.
          expect((await client.waitEvent('system.notice', { session })).metadata?.reason).toBe(
            'session_rebuilt',
          );
        }
      });

      it.runIf(mode === 'worker')(
        'a synchronous spin is killed with its worker; the server and other sessions live',
        async () => {
          const { client } = await setup({ runTimeoutMs: 1000, killGraceMs: 100 });
          const spinner = await client.createSession();
          const other = await client.createSession();
          client.send({ event: 'user.message', session_id: spinner, content: 'spin' });
          await client.waitEvent('agent.thinking', { session: spinner });
          client.send({ event: 'ping' });
          await client.waitEvent('pong');
          expect((await client.turn(other, 'hello')).at(-1)?.event).toBe('agent.final_answer');
          await client.waitEvent('agent.timeout', { session: spinner });
          expect((await client.waitEvent('system.notice', { session: spinner })).metadata?.reason).toBe(
            'session_rebuilt',
          );
          expect((await client.turn(spinner, 'hello')).at(-1)?.event).toBe('agent.final_answer');
        },
      );

      it.runIf(mode === 'worker')(
        'unbounded allocation exhausts only its worker; the session is rebuilt',
        async () => {
          const { client } = await setup({ workerMemoryMb: 32 });
          const session = await client.createSession();
          const events = await client.turn(session, 'alloc', 60_000);
          expect(events.at(-1)).toMatchObject({ event: 'agent.error', metadata: { code: 'AGENT_ERROR' } });
          expect(String(events.at(-1)?.content)).toMatch(/memory/);
          expect((await client.waitEvent('system.notice', { session })).metadata?.reason).toBe(
            'session_rebuilt',
          );
          expect((await client.turn(session, 'hello')).at(-1)?.event).toBe('agent.final_answer');
        },
      );
    });
  }
});
