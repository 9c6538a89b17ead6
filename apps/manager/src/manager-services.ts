import type { CreateServiceRequestInput, LogLine, Service, UpdateServiceRequestInput } from '@myagent/models';
import type { BulkResult } from '@myagent/registry';
import { drainAround } from './drain.js';
import { ManagerLifecycle } from './manager-lifecycle.js';
import type { DrainOptions, ListServicesFilter } from './manager-types.js';
import { type ServiceUpdateResult, updateAndApply } from './service-update.js';

/** The manager's services (B2, B4, B8): register, start, stop and restart (clients drained), read, update. */
export abstract class ManagerServices extends ManagerLifecycle {
  // ---- services (B2, B4, B8) -------------------------------------------------------------------------------

  /** Registers a service: the agent file is dry-loaded, the name must be unique, the port free. */
  async registerService(input: CreateServiceRequestInput): Promise<Service> {
    const service = await this.parts().registry.register(input);
    this.emit('service', { action: 'registered', service_id: service.service_id, name: service.name });
    return service;
  }

  startService(serviceId: string): Promise<Service> {
    return this.parts().registry.start(serviceId);
  }

  /**
   * Stops a service. Its clients at `/ws` are drained first (while its process is alive, RUNNING or
   * UNHEALTHY): told (a `management_notification`, with `countdown_seconds` if given, which the stop then
   * waits), their running turns finish, and their sessions move to another instance; with none, they end.
   */
  stopService(serviceId: string, options: DrainOptions = {}): Promise<Service> {
    return this.#drained(serviceId, 'stop', options, () => this.parts().registry.stop(serviceId));
  }

  /**
   * Restarts a service without dropping its clients at `/ws`: as {@link ManagerServices.stopService} drains
   * them, and with no other instance their sessions wait (held, nothing lost) for the restarted one.
   */
  restartService(serviceId: string, options: DrainOptions = {}): Promise<Service> {
    return this.#drained(serviceId, 'restart', options, () => this.parts().registry.restart(serviceId));
  }

  #drained(
    serviceId: string,
    kind: 'stop' | 'restart',
    options: DrainOptions,
    step: () => Promise<Service>,
  ): Promise<Service> {
    const { proxy, services, registry } = this.parts();
    return drainAround({ proxy: proxy.proxy, services, registry }, serviceId, kind, options, step);
  }

  /** Stops the service if it runs and deletes it with its history. */
  async unregisterService(serviceId: string): Promise<boolean> {
    const { registry, monitor, router } = this.parts();
    const service = await this.getService(serviceId);
    const removed = await registry.unregister(serviceId);
    monitor.forget(serviceId);
    router.affinity?.releaseService(serviceId);
    if (removed && service)
      this.emit('service', { action: 'unregistered', service_id: serviceId, name: service.name });
    return removed;
  }

  startAllServices(): Promise<BulkResult[]> {
    return this.parts().registry.startAll();
  }

  stopAllServices(): Promise<BulkResult[]> {
    return this.parts().registry.stopAll();
  }

  /** The service, or undefined. Services read here are frozen: copy one to change it. */
  async getService(serviceId: string): Promise<Service | undefined> {
    return this.parts().services.peek(serviceId);
  }

  getServiceByName(name: string): Promise<Service | undefined> {
    return this.parts().services.peekByName(name);
  }

  /** Services by status and tags (all must match), a page at a time. */
  async listServices(filter: ListServicesFilter = {}): Promise<Service[]> {
    return this.parts().services.page(filter).services;
  }

  /** The same filter with the total count, for paging. */
  async countServices(filter: ListServicesFilter = {}): Promise<{ services: Service[]; total: number }> {
    return this.parts().services.page(filter);
  }

  /** A service's newest log lines (B13). @throws AppError SERVICE_NOT_FOUND */
  getServiceLogs(serviceId: string, options?: { level?: LogLine['level']; since?: string; limit?: number }) {
    return this.parts().registry.logs(serviceId, options);
  }

  /** Log lines containing `text`, across services or for one. */
  searchLogs(text: string, options?: { service_id?: string; limit?: number }) {
    return this.parts().registry.searchLogs(text, options);
  }

  /**
   * Changes a service's fields or config. What the manager reads live (auto-restart and health-check
   * settings, description, tags, name) applies at once; what the agent server reads at its start waits for
   * the next start of a running service (`pending_restart`), unless `restart` is set: then it is restarted.
   * Host and port change only while it is stopped (SERVICE_RUNNING otherwise).
   */
  async updateService(
    serviceId: string,
    patch: UpdateServiceRequestInput,
    options: { restart?: boolean } = {},
  ): Promise<ServiceUpdateResult> {
    const { registry, monitor } = this.parts();
    const result = await updateAndApply(registry, serviceId, patch, options.restart ?? false, (id) =>
      this.restartService(id),
    );
    if (result.changed.length > 0) {
      void monitor.sync().catch((error: unknown) => this.fail(error));
      this.emit('service', { action: 'updated', service_id: serviceId, name: result.service.name });
    }
    return result;
  }
}
