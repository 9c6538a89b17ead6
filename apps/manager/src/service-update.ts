import type { ServiceUpdateResult } from '@myagent/api-hono';
import type { UpdateServiceRequestInput } from '@myagent/models';
import type { ServiceRegistry } from '@myagent/registry';

/** What a service update did: the API's own result type, which it answers as is. */
export type { ServiceUpdateResult };

/**
 * Updates through the registry and, when asked and needed, restarts the service so that the fields its
 * agent server reads at start take effect now.
 */
export async function updateAndApply(
  registry: ServiceRegistry,
  serviceId: string,
  patch: UpdateServiceRequestInput,
  restart: boolean,
  /** How to restart (the manager's drains its clients at /ws first). @default registry.restart */
  restartWith: (serviceId: string) => Promise<ServiceUpdateResult['service']> = (id) => registry.restart(id),
): Promise<ServiceUpdateResult> {
  const update = await registry.update(serviceId, patch);
  const pending = new Set(update.pendingRestart);
  let service = update.service;
  const restarted = restart && pending.size > 0;
  if (restarted) service = await restartWith(serviceId);
  return {
    service,
    changed: update.changed,
    applied_now: update.changed.filter((field) => restarted || !pending.has(field)),
    pending_restart: restarted ? [] : update.pendingRestart,
    restarted,
  };
}
