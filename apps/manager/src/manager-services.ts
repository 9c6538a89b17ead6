import type { CreateServiceRequestInput, Service, UpdateServiceRequestInput } from '@myagent/models';
import { drainAround } from './drain.js';
import type { Running } from './manager-parts.js';
import type { DrainOptions, EmitManagerEvent } from './manager-types.js';
import { type ServiceUpdateResult, updateAndApply } from './service-update.js';

// The manager's services (B2, B4, B8): register, stop and restart (clients drained), unregister, update.
// The steps `AgentManager`'s service methods take beyond one part's call; their JSDoc is there.

/** What the service jobs need of the manager: its running parts, its events, where failures go. */
export interface ServicesHost {
  /** @throws AppError MANAGER_NOT_RUNNING */
  parts(): Running;
  emit: EmitManagerEvent;
  fail(error: unknown): void;
}

export async function registerService(
  host: ServicesHost,
  input: CreateServiceRequestInput,
): Promise<Service> {
  const service = await host.parts().registry.register(input);
  host.emit('service', { action: 'registered', service_id: service.service_id, name: service.name });
  return service;
}

export function stopService(
  host: ServicesHost,
  serviceId: string,
  options: DrainOptions = {},
): Promise<Service> {
  return drained(host, serviceId, 'stop', options, () => host.parts().registry.stop(serviceId));
}

export function restartService(
  host: ServicesHost,
  serviceId: string,
  options: DrainOptions = {},
): Promise<Service> {
  return drained(host, serviceId, 'restart', options, () => host.parts().registry.restart(serviceId));
}

function drained(
  host: ServicesHost,
  serviceId: string,
  kind: 'stop' | 'restart',
  options: DrainOptions,
  step: () => Promise<Service>,
): Promise<Service> {
  const { proxy, services, registry } = host.parts();
  return drainAround({ proxy: proxy.proxy, services, registry }, serviceId, kind, options, step);
}

export async function unregisterService(host: ServicesHost, serviceId: string): Promise<boolean> {
  const { registry, monitor, router, services } = host.parts();
  const service = services.peek(serviceId);
  const removed = await registry.unregister(serviceId);
  monitor.forget(serviceId);
  router.affinity?.releaseService(serviceId);
  if (removed && service)
    host.emit('service', { action: 'unregistered', service_id: serviceId, name: service.name });
  return removed;
}

export async function updateService(
  host: ServicesHost,
  serviceId: string,
  patch: UpdateServiceRequestInput,
  options: { restart?: boolean } = {},
): Promise<ServiceUpdateResult> {
  const { registry, monitor } = host.parts();
  const result = await updateAndApply(registry, serviceId, patch, options.restart ?? false, (id) =>
    restartService(host, id),
  );
  if (result.changed.length > 0) {
    void monitor.sync().catch((error: unknown) => host.fail(error));
    host.emit('service', { action: 'updated', service_id: serviceId, name: result.service.name });
  }
  return result;
}
