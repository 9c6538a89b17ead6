// The manager's own test helpers; the shared ones (temp dirs, ports, waits, the example agents) are in
// @myagent/test-support.
import { fileURLToPath } from 'node:url';
import type { Service } from '@myagent/models';
import WebSocket from 'ws';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURE_AGENT = fileURLToPath(new URL('./fixtures/fixture-agent.mjs', import.meta.url));

/** The pid the agent server reports on its /health. */
export async function servicePid(service: Pick<Service, 'port'>): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${service.port}/health`);
  return ((await response.json()) as { pid: number }).pid;
}

/** One full turn over the protocol: create a session, send a message, collect events to the final answer. */
export async function converse(endpoint: string, text: string): Promise<string[]> {
  const socket = new WebSocket(endpoint);
  const events: string[] = [];
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return await new Promise<string[]>((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { event: string; session_id?: string; content?: unknown };
        events.push(message.event);
        if (message.event === 'agent.session_created') {
          socket.send(
            JSON.stringify({ event: 'user.message', session_id: message.session_id, content: text }),
          );
        }
        if (message.event === 'agent.final_answer') resolve(events);
        if (message.event === 'agent.error') reject(new Error(String(message.content)));
      });
      socket.send(JSON.stringify({ event: 'user.create_session' }));
    });
  } finally {
    socket.close();
  }
}
