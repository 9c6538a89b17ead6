// The manager's own test helpers; the shared ones (temp dirs, ports, waits, the example agents) are in
// @myagent/test-support.
import { fileURLToPath } from 'node:url';
import type { Service } from '@myagent/models';
import { TestClient } from '@myagent/test-support';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURE_AGENT = fileURLToPath(new URL('./fixtures/fixture-agent.mjs', import.meta.url));

/** The pid the agent server reports on its /health. */
export async function servicePid(service: Pick<Service, 'port'>): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${service.port}/health`);
  return ((await response.json()) as { pid: number }).pid;
}

/**
 * One full turn over the protocol with test-support's TestClient: a new session, one message; the names of
 * the events received up to the end of the run. Rejects on an agent.error, with its content.
 */
export async function converse(endpoint: string, text: string): Promise<string[]> {
  const client = await TestClient.connect(endpoint);
  try {
    // Generous: the hand-made client this replaces waited as long as the test let it.
    const events = await client.turn(await client.createSession(), text, 60_000);
    const error = events.find((event) => event.event === 'agent.error');
    if (error) throw new Error(String(error.content));
    return client.events();
  } finally {
    await client.close();
  }
}
