import type { Service } from '@myagent/models';
import type { ProxyHandle } from '@myagent/proxy';
import type { ServiceRegistry } from '@myagent/registry';
import type { DrainOptions } from './manager-types.js';
import type { ServiceCache } from './service-cache.js';

// Stopping or restarting a service without dropping its clients at /ws: the proxy tells them, holds them
// between turns and routes nobody new there; the registry's stop (SIGTERM) lets the agent server finish
// its running turns and close its proxied connections (1001), bounded by the stop grace (SIGKILL after);
// the clients then fail over with their sessions. The manager's stop, restart and health restarts share it.

/** The parts a drain needs: the proxy's drains, the services (for their status), the registry (for pids). */
export interface DrainParts {
  proxy: Pick<ProxyHandle, 'drain' | 'endDrain'>;
  services: ServiceCache;
  registry: Pick<ServiceRegistry, 'pid' | 'restartFailed'>;
}

/** What a drain is for: the notification's type and message, and whether the service comes back. */
type DrainKind = 'stop' | 'restart' | 'unhealthy_restart';

const NOTICE: Record<DrainKind, { type: string; message: (name: string) => string }> = {
  stop: {
    type: 'service_stop',
    message: (name) => `The agent '${name}' stops; your sessions move to another instance where there is one`,
  },
  restart: {
    type: 'service_restart',
    message: (name) => `The agent '${name}' restarts; your sessions are kept`,
  },
  unhealthy_restart: {
    type: 'service_restart',
    message: (name) => `The agent '${name}' is unhealthy and restarts; your sessions are kept`,
  },
};

/**
 * True while the service's child process exists. An UNHEALTHY service's process may be alive and mid-turn
 * (only its checks fail); a dead one has no clients left to drain.
 */
export function processAlive(registry: Pick<ServiceRegistry, 'pid'>, serviceId: string): boolean {
  const pid = registry.pid(serviceId);
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists under another user (it cannot be ours, but it is alive).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `step` (the registry's stop or restart) with the service drained around it, when its process is
 * alive (RUNNING, or UNHEALTHY with a live process); else at once. `countdown_seconds` tells the clients
 * that far ahead and is waited before the step. `stopped` says, from the step's result, whether the service
 * will not come back, so that clients waiting for it end instead.
 */
export async function drainAround(
  parts: DrainParts,
  serviceId: string,
  kind: DrainKind,
  options: DrainOptions,
  step: () => Promise<Service>,
  stopped: (result: Service) => boolean = () => kind === 'stop',
): Promise<Service> {
  const { proxy, services, registry } = parts;
  const service = services.peek(serviceId) ?? (await services.peekByName(serviceId));
  const live = service?.status === 'running' || service?.status === 'unhealthy';
  if (!service || !live || !processAlive(registry, service.service_id)) return step();
  const countdown = options.countdown_seconds;
  proxy.drain(service.service_id, {
    type: NOTICE[kind].type,
    message: NOTICE[kind].message(service.name),
    severity: 'warning',
    ...(countdown !== undefined && countdown > 0 && { countdown_seconds: countdown }),
  });
  let result: Service | undefined;
  try {
    if (countdown !== undefined && countdown > 0)
      await new Promise((resolve) => setTimeout(resolve, countdown * 1000));
    result = await step();
    return result;
  } finally {
    proxy.endDrain(service.service_id, { stopped: result === undefined ? kind === 'stop' : stopped(result) });
  }
}

/**
 * The health monitor's restart of a service unhealthy for too long: drained first while its process is
 * alive (its running turns finish, its clients wait for it with their sessions), at once when it is dead.
 * With no auto-restart to come (auto_restart off, or the limit reached) its clients are let go.
 */
export function restartUnhealthy(parts: DrainParts, serviceId: string, reason: string): Promise<Service> {
  return drainAround(
    parts,
    serviceId,
    'unhealthy_restart',
    {},
    () => parts.registry.restartFailed(serviceId, reason),
    (result) => result.restart_due_at === null && result.status !== 'running' && result.status !== 'starting',
  );
}
