import type { Service, ServiceStatus } from '@myagent/models';
import { type PendingRestart, pendingRestart } from './restart-policy.js';
import { type StoppedStray, type StrayContext, stopStrays } from './strays.js';
import type { BulkResult, ReconcileReport } from './types.js';

/** Statuses that say the service should have a running child. */
export const SHOULD_RUN: readonly ServiceStatus[] = ['running', 'starting', 'unhealthy'];

/** What a reconcile pass needs from the registry that runs it. */
export interface ReconcileHost {
  /** The pid of the service's child while this registry runs it. */
  pid(serviceId: string): number | undefined;
  /** Where the children previous managers started are recorded: the only strays there can be. */
  store: StrayContext['store'];
  /** Pids of this registry's own children: never strays. */
  ownPids: ReadonlySet<number>;
  stopGraceMs: number;
  onStray(stray: StoppedStray): void;
  /** Moves a service a dead manager left STOPPING to STOPPED. */
  settleStopping(service: Service): Promise<unknown>;
  /** Starts the service; a failure is reported in its result, not thrown. */
  start(service: Service): Promise<BulkResult>;
  /**
   * Makes the auto-restart a dead manager had scheduled once its delay is over, with its restarts already
   * counted toward max_restart_count; a failure goes on under the restart policy.
   */
  resume(service: Service, pending: PendingRestart): Promise<BulkResult>;
}

/**
 * After a manager restart: stops the strays a previous manager left (children the store recorded for the
 * services this registry does not run), then starts again those the store says should run, and makes the
 * auto-restarts that were pending.
 */
export async function reconcileServices(services: Service[], host: ReconcileHost): Promise<ReconcileReport> {
  const idle = services.filter((service) => host.pid(service.service_id) === undefined);
  const strays = await stopStrays(idle, {
    store: host.store,
    exclude: host.ownPids,
    graceMs: host.stopGraceMs,
    onStray: host.onStray,
  });
  const revive = idle.filter((s) => SHOULD_RUN.includes(s.status));
  const pending = idle.flatMap((service) => {
    const restart = pendingRestart(service);
    return restart === undefined ? [] : [{ service, restart }];
  });
  // A status a dead manager left mid-way (stopping) is settled; other errors stay for people to read.
  await Promise.all(services.filter((s) => s.status === 'stopping').map((s) => host.settleStopping(s)));
  const [started, resumed] = await Promise.all([
    Promise.all(revive.map((service) => host.start(service))),
    Promise.all(pending.map(({ service, restart }) => host.resume(service, restart))),
  ]);
  return { started, resumed, strays };
}
