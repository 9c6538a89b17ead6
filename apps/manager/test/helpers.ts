import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Service } from '@myagent/models';
import WebSocket from 'ws';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ECHO_AGENT = join(ROOT, 'examples/echo-agent.ts');
export const FIXTURE_AGENT = fileURLToPath(new URL('./fixtures/fixture-agent.mjs', import.meta.url));

/** A temp folder removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'myagent-manager-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True while a process with this pid exists. */
export { alive } from '@myagent/test-support';

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

/** A port the OS just handed out and took back: free a moment ago, as good as any for a new service. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
