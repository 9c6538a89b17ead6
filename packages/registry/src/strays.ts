import { setTimeout as delay } from 'node:timers/promises';
import type { Service } from '@myagent/models';
import { connectHost, fetchAgentHealth } from './agent-health.js';
import { isPortFree } from './ports.js';
import { findListeningPids, isAlive, readCmdline } from './proc.js';

/** What identifies the agent server of one service on this machine. */
export interface StrayTarget {
  host: string;
  port: number;
  agentPath: string;
}

/**
 * True when `argv` is an agent server started for this service: `server <agent file> ... --port <port>`.
 * Nothing else on the port is ever killed.
 */
export function isServerCmdline(argv: readonly string[], target: StrayTarget): boolean {
  const serverAt = argv.indexOf('server');
  if (serverAt === -1 || argv[serverAt + 1] !== target.agentPath) return false;
  const portAt = argv.indexOf('--port');
  const port = portAt === -1 ? undefined : argv[portAt + 1];
  const inline = argv.find((arg) => arg.startsWith('--port='))?.slice('--port='.length);
  return (port ?? inline) === String(target.port);
}

/** Pids that listen on the service's port and whose command line is this service's agent server. */
export async function findStrays(target: StrayTarget, exclude: ReadonlySet<number>): Promise<number[]> {
  const candidates = new Set<number>();
  const health = await fetchAgentHealth(target.host, target.port, 1_000);
  if (typeof health?.pid === 'number') candidates.add(health.pid);
  for (const pid of await findListeningPids(target.port)) candidates.add(pid);
  const strays: number[] = [];
  for (const pid of candidates) {
    if (pid === process.pid || exclude.has(pid)) continue;
    const argv = await readCmdline(pid);
    if (argv && isServerCmdline(argv, target)) strays.push(pid);
  }
  return strays;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (or after the kill). */
export async function terminatePid(pid: number, graceMs: number): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const deadline = performance.now() + graceMs;
  while (isAlive(pid) && performance.now() < deadline) await delay(20);
  if (!isAlive(pid)) return;
  signal('SIGKILL');
  const killDeadline = performance.now() + 2_000;
  while (isAlive(pid) && performance.now() < killDeadline) await delay(20);
}

/** A stray that was stopped. */
export interface StoppedStray {
  service_id: string;
  pid: number;
  port: number;
}

/**
 * For each service whose port is taken, stops the processes that are its agent server (a previous
 * manager's child); anything else on the port is left alone.
 */
export async function stopStrays(
  services: readonly Service[],
  exclude: ReadonlySet<number>,
  graceMs: number,
  onStray: (stray: StoppedStray) => void,
): Promise<StoppedStray[]> {
  const stopped: StoppedStray[] = [];
  await Promise.all(
    services.map(async (service) => {
      if (await isPortFree(service.host, service.port)) return;
      const target = {
        host: connectHost(service.host),
        port: service.port,
        agentPath: service.config.agent_factory_path,
      };
      for (const pid of await findStrays(target, exclude)) {
        await terminatePid(pid, graceMs);
        const stray = { service_id: service.service_id, pid, port: service.port };
        stopped.push(stray);
        onStray(stray);
      }
    }),
  );
  return stopped;
}
