// Real backends for the proxy's tests: the echo agent in an in-process runtime or in a `myagent-ws`
// child process, a plain ws echo server for frame-level checks, and a proxy on a loopback port. The client
// that talks to them is test-support's TestClient.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { agentServerCommand } from '@myagent/agent-server';
import { ECHO_AGENT } from '@myagent/test-support';
import { createAgentRuntime, loadAgentModule } from '@myagent/ws-runtime';
import { WebSocketServer } from 'ws';
import {
  type CandidateSource,
  createProxy,
  type ProxyCandidate,
  type ProxyHandle,
  type ProxyOptionsInput,
} from '../src/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A running agent server: where it listens and how to stop (or kill) it. */
export interface Backend {
  endpoint: string;
  port: number;
  pid?: number;
  stop(): Promise<void>;
}

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

/** The echo agent on a runtime in this process. */
export async function inProcessBackend(): Promise<Backend> {
  const runtime = createAgentRuntime({ agent: await loadAgentModule(ECHO_AGENT), mode: 'in-process' });
  const server = createServer();
  runtime.attach(server);
  const port = await listen(server);
  return {
    endpoint: `ws://127.0.0.1:${port}`,
    port,
    async stop() {
      await runtime.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The echo agent (or `options.agent`) served by a real `myagent-ws` child process. */
export async function childBackend(
  options: { agent?: string; env?: Record<string, string> } = {},
): Promise<Backend> {
  const { command, args } = agentServerCommand();
  const agent = options.agent ?? ECHO_AGENT;
  const child: ChildProcess = spawn(command, [...args, 'server', agent, '--port', '0', '--in-process'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split('\n')) {
        if (!line.includes('"listening"')) continue;
        try {
          resolve(String(JSON.parse(line).url));
        } catch {}
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    void exited.then(() => reject(new Error(`myagent-ws exited: ${stderr}`)));
  });
  const port = Number(new URL(url).port);
  return {
    endpoint: `ws://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A plain ws server that echoes every frame as it came (text stays text, binary stays binary). */
export async function frameEchoBackend(): Promise<
  Backend & { wss: WebSocketServer; headers: Record<string, unknown>[] }
> {
  const server = createServer();
  const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 });
  const headers: Record<string, unknown>[] = [];
  wss.on('connection', (ws, request) => {
    headers.push({ ...request.headers, url: request.url });
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const port = await listen(server);
  return {
    endpoint: `ws://127.0.0.1:${port}`,
    port,
    wss,
    headers,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A candidate source the test changes by hand. */
export class TestSource implements CandidateSource {
  candidates: ProxyCandidate[] = [];
  private readonly listeners = new Set<() => void>();
  list() {
    return this.candidates;
  }
  subscribe(onChange: () => void) {
    this.listeners.add(onChange);
    return () => this.listeners.delete(onChange);
  }
  set(candidates: ProxyCandidate[]): void {
    this.candidates = candidates;
    for (const listener of this.listeners) listener();
  }
}

/** A service record for a backend. */
export function candidate(
  name: string,
  backend: { endpoint: string },
  extra: Partial<ProxyCandidate> = {},
): ProxyCandidate {
  return {
    service_id: `id-${name}`,
    name,
    endpoint: backend.endpoint,
    status: 'running',
    healthy: true,
    tags: [],
    ...extra,
  };
}

/** A proxy on its own loopback port. */
export async function startProxy(
  options: ProxyOptionsInput,
): Promise<{ proxy: ProxyHandle; url: string; port: number; server: Server; stop(): Promise<void> }> {
  const proxy = createProxy(options);
  const server = createServer();
  server.on('upgrade', (request, socket, head) => proxy.handleUpgrade(request, socket, head));
  const port = await listen(server);
  return {
    proxy,
    server,
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    async stop() {
      await proxy.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
