import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const example = fileURLToPath(new URL('../examples/upgrade-handler.ts', import.meta.url));
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

/** Starts the README's example and resolves with the port it prints. */
function start(): Promise<number> {
  child = spawn(process.execPath, ['--conditions=@myagent/source', '--import', 'tsx', example], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /listening on (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child?.stderr?.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child?.once('exit', (code) => reject(new Error(`example exited with ${code}: ${out}`)));
  });
}

/** Sends a WebSocket-style upgrade request and returns the x-routed-to header of the answer. */
function upgrade(port: number, userAgent: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({
      port,
      host: '127.0.0.1',
      path: '/ws',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'user-agent': userAgent },
    });
    req.once('response', (res) => {
      res.resume();
      resolve(res.headers['x-routed-to'] as string | undefined);
    });
    req.once('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.headers['x-routed-to'] as string | undefined);
    });
    req.once('error', reject);
    req.end();
  });
}

it('runs the README example: a node:http upgrade handler routing with the caller-owned list', async () => {
  const port = await start();
  expect(await upgrade(port, 'Mozilla/5.0 (iPhone) Mobile')).toBe('ws://10.0.0.2:8081');
  const desktop = await upgrade(port, 'Mozilla/5.0 (X11)');
  expect(['ws://10.0.0.1:8081', 'ws://10.0.0.2:8081']).toContain(desktop);
  expect(desktop).not.toBe('ws://10.0.0.3:8081');
});
