import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, freePortRange, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentManager } from '../src/index.js';
import { converse, servicePid } from './helpers.js';

// In --in-process mode an agent's synchronous infinite loop freezes its agent server: no /health, no
// WebSocket, SIGTERM's handler never runs. The manager must see it and bring the service back: health
// checks fail, the service is UNHEALTHY, the restart's SIGTERM is ignored and SIGKILL follows the grace.

const SPIN_AGENT = fileURLToPath(new URL('./fixtures/spin-agent.mjs', import.meta.url));
const temp = tempDir();
let manager: AgentManager;

beforeAll(async () => {
  manager = new AgentManager({
    dbPath: join(temp.dir, 'manager.db'),
    portRange: await freePortRange(10),
    serverArgs: ['--in-process'],
    stopGraceMs: 1_000,
    healthThresholds: { rise: 1, fall: 2 },
    unhealthyGraceMs: 500,
    restart: { maxDelayMs: 1_000 },
  });
  await manager.start({ healthCheckInterval: 0.3 });
});

afterAll(async () => {
  await manager?.stop();
  temp.cleanup();
});

/**
 * Sends `text` in a new session and resolves once it is sent (the agent's first event may never leave a
 * thread that freezes right after yielding it).
 */
async function startTurn(endpoint: string, text: string): Promise<WebSocket> {
  const socket = new WebSocket(endpoint);
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event: string; session_id?: string };
      if (message.event === 'agent.session_created') {
        socket.send(
          JSON.stringify({ event: 'user.message', session_id: message.session_id, content: text }),
          () => resolve(),
        );
      }
    });
    socket.once('open', () => socket.send(JSON.stringify({ event: 'user.create_session' })));
    socket.once('close', () => reject(new Error('closed before the turn started')));
  });
  return socket;
}

it('sees an in-process agent server frozen by a synchronous loop, kills it and restarts it', async () => {
  const service = await manager.registerService({
    name: 'spinner',
    agent_factory_path: SPIN_AGENT,
    config: { restart_delay: 0.1, health_check_timeout: 0.5 },
    auto_start: true,
  });
  expect(service.status).toBe('running');
  expect(await converse(service.endpoint, 'hello')).toContain('agent.final_answer');
  const frozen = await servicePid(service);

  const client = await startTurn(service.endpoint, 'spin');
  // Frozen: its own HTTP side answers nothing any more.
  await until(
    () =>
      fetch(`http://127.0.0.1:${service.port}/health`, { signal: AbortSignal.timeout(500) }).then(
        () => false,
        () => true,
      ),
    'the server to stop answering /health',
    10_000,
  );

  await until(
    async () => (await manager.getService(service.service_id))?.status === 'unhealthy',
    'the frozen service to be unhealthy',
    20_000,
  );
  // SIGTERM cannot run its handler in a frozen thread: only the SIGKILL after the grace ends it.
  await until(() => !alive(frozen), 'the frozen process to be killed', 20_000);
  await until(
    async () => {
      const now = await manager.getService(service.service_id);
      return now?.status === 'running' && (await servicePid(service)) !== frozen;
    },
    'the service to run again in a new process',
    30_000,
  );
  client.terminate();
  expect((await manager.getService(service.service_id))?.restart_count).toBeGreaterThanOrEqual(1);
  expect(await converse(service.endpoint, 'back')).toContain('agent.final_answer');
}, 90_000);
