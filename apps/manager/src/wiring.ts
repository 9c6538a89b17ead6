import type { HealthMonitor, HealthTarget, HealthTargetSource } from '@myagent/health';
import type { Service } from '@myagent/models';
import type { ServiceRegistry } from '@myagent/registry';
import type { ServiceCache } from './service-cache.js';

// How the manager joins packages that never import each other: the monitor reads services from storage
// and pids from the registry; its verdicts drive the registry's status and restarts.

/** Health targets: stored services with the pid of their child, and the manager-wide interval if set. */
export function healthSource(
  services: ServiceCache,
  registry: ServiceRegistry,
  intervalOverride: number | undefined,
): HealthTargetSource {
  const toTarget = (service: Service): HealthTarget => ({
    ...service,
    pid: registry.pid(service.service_id) ?? null,
    config:
      intervalOverride === undefined
        ? service.config
        : { ...service.config, health_check_interval: intervalOverride },
  });
  return {
    list: () => services.page({ limit: 10_000 }).services.map(toTarget),
    get: (serviceId) => {
      const service = services.peek(serviceId);
      return service && toTarget(service);
    },
  };
}

/** Connects health verdicts to the registry (D6, B12); returns the function that disconnects them. */
export function wireHealthToRegistry(parts: {
  monitor: HealthMonitor;
  registry: ServiceRegistry;
  services: ServiceCache;
  /** The restart of a service unhealthy for too long (the manager drains its clients first). */
  restartUnhealthy: (serviceId: string, reason: string) => Promise<unknown>;
  onError: (error: unknown) => void;
}): () => void {
  const { monitor, registry, services, restartUnhealthy, onError } = parts;
  const offs = [
    monitor.on('transition', ({ service_id, to, result }) => {
      const reason = result.error ?? firstFailure(result.checks) ?? 'health checks failed';
      const change =
        to === 'unhealthy'
          ? registry.markUnhealthy(service_id, `Unhealthy: ${reason}`)
          : to === 'healthy'
            ? registry.markHealthy(service_id)
            : undefined;
      change?.catch(onError);
    }),
    monitor.on('restart', ({ service_id, reason }) => {
      restartUnhealthy(service_id, reason).catch(onError);
    }),
    monitor.on('result', ({ service_id, timestamp }) => {
      services.setLastHealthCheck(service_id, timestamp).catch(onError);
    }),
    monitor.on('error', ({ error }) => onError(error)),
  ];
  return () => {
    for (const off of offs) off();
  };
}

function firstFailure(checks: Record<string, { status: string; message: string }>): string | undefined {
  const failed = Object.entries(checks).find(([, check]) => check.status !== 'healthy');
  return failed && `${failed[0]}: ${failed[1].message}`;
}
