import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Service } from '@myagent/models';
import { isSignallablePid } from './child.js';
import { isAlive, readCmdline } from './proc.js';
import type { ServiceStore } from './types.js';

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

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (or after the kill). */
export async function terminatePid(pid: number, graceMs: number): Promise<void> {
  // Never a pid we could not own: 0 or a negative pid would signal a whole process group, ours too.
  if (!isSignallablePid(pid)) return;
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

/** What stray hunting needs: the records of the store, and which pids are this registry's own. */
export interface StrayContext {
  store: Pick<ServiceStore, 'listProcesses' | 'clearProcess'>;
  /** Pids of this registry's children: never strays. */
  exclude: ReadonlySet<number>;
  graceMs: number;
  onStray: (stray: StoppedStray) => void;
}

/**
 * Stops the processes the store says a previous manager started for these services (on this host) that
 * still run as their agent server, checked by command line, and forgets records of processes that are
 * gone. Nothing the store does not name is ever stopped, whatever listens on a service's port.
 */
export async function stopStrays(
  services: readonly Service[],
  context: StrayContext,
): Promise<StoppedStray[]> {
  const byId = new Map(services.map((service) => [service.service_id, service]));
  const here = hostname();
  const stopped: StoppedStray[] = [];
  const records = (await context.store.listProcesses()).filter(
    (record) => record.host === here && byId.has(record.service_id) && !context.exclude.has(record.pid),
  );
  await Promise.all(
    records.map(async ({ service_id, pid }) => {
      const service = byId.get(service_id) as Service;
      const target = { host: service.host, port: service.port, agentPath: service.config.agent_factory_path };
      const argv = isSignallablePid(pid) && isAlive(pid) ? await readCmdline(pid) : undefined;
      // A pid that is gone, or that the system gave to another program since, is only forgotten.
      if (argv && isServerCmdline(argv, target)) {
        await terminatePid(pid, context.graceMs);
        const stray = { service_id, pid, port: service.port };
        stopped.push(stray);
        context.onStray(stray);
      }
      await context.store.clearProcess(service_id, pid);
    }),
  );
  return stopped;
}
