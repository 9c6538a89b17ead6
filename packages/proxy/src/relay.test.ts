import { TestClient } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  candidate,
  childBackend,
  inProcessBackend,
  startProxy,
  TestSource,
} from '../test/harness.js';

// One suite over both kinds of agent server (crossws's habit): an in-process runtime and a myagent-ws child.
const BACKENDS: Array<[string, () => Promise<Backend>]> = [
  ['in-process runtime', inProcessBackend],
  ['myagent-ws child', childBackend],
];

for (const [kind, makeBackend] of BACKENDS) {
  describe(`through the proxy to a ${kind}`, () => {
    let backend: Backend;
    let proxied: Awaited<ReturnType<typeof startProxy>>;
    const source = new TestSource();

    beforeAll(async () => {
      backend = await makeBackend();
      source.set([candidate('echo', backend)]);
      proxied = await startProxy({ source });
    });
    afterAll(async () => {
      await proxied?.stop();
      await backend?.stop();
    });

    it('relays a session and a turn, the session reply first', async () => {
      const client = await TestClient.connect(proxied.url);
      const session = await client.createSession();
      expect(client.messages[0]?.event).toBe('agent.session_created');
      client.send({ event: 'user.message', session_id: session, content: 'hello' });
      const answer = await client.waitEvent('agent.final_answer', { session });
      expect(String(answer.content)).toContain('hello');
      expect(proxied.proxy.connections()[0]?.session_ids).toEqual([session]);
      client.close();
      expect(await client.waitClosed()).toBe(1005);
    });
  });
}
