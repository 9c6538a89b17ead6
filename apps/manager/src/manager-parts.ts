import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { agentServerCommand } from '@myagent/agent-server';
import { createHealthMonitor, type HealthMonitor } from '@myagent/health';
import type { AppError, Service } from '@myagent/models';
import { createRegistry, type ServiceRegistry, type StatusEvent } from '@myagent/registry';
import { createRouter, type RouteContext, type Router } from '@myagent/router';
import { openStorage, type Storage } from '@myagent/storage-kysely';
import { restartUnhealthy } from './drain.js';
import { acquireLease, describeDatabase, fencedStore, type HeldLease } from './lease.js';
import type { AgentManagerEvents } from './manager-types.js';
import {
  type AlertSource,
  forwardPartEvents,
  type Operations,
  type RoutingFailure,
  startOperations,
} from './operations.js';
import type { AgentManagerOptions, StartOptions } from './options.js';
import { type ManagerProxy, startManagerProxy } from './proxy-wiring.js';
import { loadRules } from './rules.js';
import { ServiceCache } from './service-cache.js';
import { type ManagerTraces, startTraces } from './traces/index.js';
import { healthSource, wireHealthToRegistry } from './wiring.js';

/** The parts that exist only while the manager runs. */
export interface Running {
  storage: Storage;
  /** The services in memory, written through to storage: every read and write of them goes here. */
  services: ServiceCache;
  ownsStorage: boolean;
  lease: HeldLease;
  registry: ServiceRegistry;
  monitor: HealthMonitor;
  router: Router;
  startedAt: number;
  operations: Operations;
  /** The WebSocket proxy at `/ws`. */
  proxy: ManagerProxy;
  /** Trace events of the agent servers' runs: the hub, `/ws/traces`, the OTLP export. */
  traces: ManagerTraces;
  unwire: () => void;
}

/** What the parts need of the manager that holds them: its options, its events, and where failures go. */
export interface PartsHost extends EventEmitter<AgentManagerEvents> {
  readonly options: AgentManagerOptions;
  reportRoutingFailure(failure: Omit<RoutingFailure, 'timestamp'> & { timestamp?: string }): void;
  /** The router's pick for a context (start_agent on `/ws/traces/{session}` asks it). */
  routeConnection(context: RouteContext): Promise<Service>;
  getServiceByName(name: string): Promise<Service | undefined>;
}

/** Where the parts report background failures, and what they do when another manager takes the lease. */
export interface PartsHooks {
  fail(error: unknown): void;
  leaseLost(error: AppError): void;
}

/**
 * Opens storage, takes the lease, loads the routing rules and the services, and joins registry, health
 * monitor, router, operations and proxy through their events. The caller reconciles and starts the monitor
 * once it holds them (the services' events reach the manager from then on).
 */
export async function startParts(
  host: PartsHost,
  hooks: PartsHooks,
  options: StartOptions,
): Promise<Running> {
  const o = host.options;
  const storage =
    o.storage ??
    (await openStorage(o.databaseUrl ? { url: o.databaseUrl } : { path: o.dbPath ?? 'agent_manager.db' }));
  const fail = hooks.fail;
  const lease = await takeOver(o, hooks, storage);
  const router = createRouter({ defaultStrategy: o.defaultStrategy, affinity: o.affinity });
  await orGiveBack(o, storage, lease, async () => loadRules(router, await storage.rules.list(), fail));
  // Fenced below the cache: once the lease is lost, no write of any part reaches storage.
  const services = new ServiceCache(fencedStore(storage.services, lease));
  await orGiveBack(o, storage, lease, () => services.load());
  // One secret per database, shared by every agent server: any of them restores another's session states.
  let stateSecret = o.stateSecret ?? '';
  if (!stateSecret) {
    await orGiveBack(o, storage, lease, async () => {
      stateSecret = await storage.lease.stateSecret(randomBytes(32).toString('hex'));
    });
  }
  const traces = startTraces(
    storage.traces,
    {
      routeConnection: (context) => host.routeConnection(context),
      findService: async (idOrName) =>
        services.peek(idOrName) ?? (await host.getServiceByName(idOrName).catch(() => undefined)),
      fail,
    },
    o.traces,
  );
  const registry = createRegistry({
    store: services,
    logs: storage.logs,
    command: o.agentServer ?? agentServerCommand(),
    serverArgs: o.serverArgs,
    portRange: o.portRange,
    readyTimeoutMs: o.readyTimeoutMs,
    stopGraceMs: o.stopGraceMs,
    restart: o.restart,
    cwd: o.cwd,
    sharedEnv: { MYAGENT_STATE_SECRET: stateSecret },
    claimLine: traces.hub.claimLine,
  });
  const monitor = createHealthMonitor({
    source: healthSource(services, registry, options.healthCheckInterval),
    sink: storage.health,
    sinkKeep: o.healthHistoryKeep ?? 1000,
    thresholds: o.healthThresholds,
    unhealthyGraceMs: o.unhealthyGraceMs,
  });
  // Before the health wiring: a health restart drains the service's clients through it.
  const proxy = startManagerProxy({
    services,
    router,
    connections: storage.connections,
    manager: {
      on: (event, listener) => host.on(event, listener),
      off: (event, listener) => host.off(event, listener),
      emitConnection: (change) => host.emit('connection', change),
      reportRoutingFailure: (failure) => host.reportRoutingFailure(failure),
      fail,
    },
    options: o.proxy,
    stateSecret,
  });
  const unwire = wireHealthToRegistry({
    monitor,
    registry,
    services,
    restartUnhealthy: (serviceId, reason) =>
      restartUnhealthy({ proxy: proxy.proxy, services, registry }, serviceId, reason),
    onError: fail,
  });
  const onStatus = (event: StatusEvent) => {
    if (event.to !== 'running') router.affinity?.releaseService(event.service_id);
    void monitor.sync().catch(fail);
    host.emit('status', event);
  };
  const offResult = monitor.on('result', (result) => host.emit('health', result));
  registry.on('status', onStatus);
  registry.on('error', fail);
  const unforward = forwardPartEvents(registry, monitor, (event, ...args) =>
    host.emit(event, ...(args as never)),
  );
  const running: Running = {
    storage,
    services,
    ownsStorage: !o.storage,
    lease,
    registry,
    monitor,
    router,
    startedAt: Date.now(),
    // The manager's emitter carries OperationEvents among its own.
    operations: startOperations(storage, services, router, host as unknown as AlertSource, fail, o),
    proxy,
    traces,
    unwire: () => {
      unwire();
      unforward();
      offResult();
      registry.off('status', onStatus);
      registry.off('error', fail);
    },
  };
  return running;
}

/** Stops what {@link startParts} started, clients first, and closes storage the manager opened. */
export async function stopParts(running: Running, fail: (error: unknown) => void): Promise<void> {
  // Clients first get a clean close, before the agent servers behind them stop.
  await running.proxy.close();
  await running.operations.stop();
  await running.monitor.stop();
  await running.registry.close({ preserveStatus: true });
  await running.traces.close();
  running.unwire();
  await running.lease.release().catch((error: unknown) => fail(error));
  if (running.ownsStorage) await running.storage.close();
}

// ---- the database's lease (one manager per database) ------------------------------------------------------

/**
 * Takes the database's manager lease (MANAGER_LOCKED while another manager runs on it), then closes the
 * connection records the previous holder left open. Storage opened here is closed again on a refusal.
 */
async function takeOver(o: AgentManagerOptions, hooks: PartsHooks, storage: Storage): Promise<HeldLease> {
  let lease: HeldLease;
  try {
    lease = await acquireLease(storage.lease, {
      ttlMs: o.leaseTtlMs ?? 30_000,
      database: describeDatabase(o),
      onLost: (error) => hooks.leaseLost(error),
      onError: hooks.fail,
    });
  } catch (error) {
    if (!o.storage) await storage.close().catch(() => undefined);
    throw error;
  }
  await orGiveBack(o, storage, lease, () => storage.connections.closeOpen());
  return lease;
}

/** Runs a step of the start; if it fails, lets go of the lease (the caller closes the storage). */
async function orGiveBack(
  o: AgentManagerOptions,
  storage: Storage,
  lease: HeldLease,
  step: () => Promise<unknown>,
): Promise<void> {
  try {
    await step();
  } catch (error) {
    await lease.release().catch(() => undefined);
    if (!o.storage) await storage.close().catch(() => undefined);
    throw error;
  }
}
