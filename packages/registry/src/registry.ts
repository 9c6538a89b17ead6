import { EventEmitter } from 'node:events';
import {
  AppError,
  type CreateServiceRequestInput,
  type LogLine,
  type Service,
  type ServiceStats,
  type UpdateServiceRequestInput,
} from '@myagent/models';
import { LogWriter } from './log-writer.js';
import { type RegistryOptions, workingDirectory } from './options.js';
import { PeriodicTask } from './periodic.js';
import { reconcileServices } from './reconcile.js';
import {
  bulk,
  checkRequest,
  listAll,
  type RegistrationContext,
  requireService,
  storeService,
} from './registration.js';
import { resolveRestartPolicy } from './restart-policy.js';
import { Supervisor } from './supervisor.js';
import type {
  BulkResult,
  ListLogsOptions,
  LogSink,
  ReconcileReport,
  RegistryEvents,
  SearchLogsOptions,
  ServiceStore,
} from './types.js';
import { type ServiceUpdate, updateService } from './update.js';

/**
 * Runs agent services as child processes: register, start (RUNNING once a WebSocket ping is answered),
 * stop, restart, auto-restart with backoff, log capture, stats, and reconciliation after a manager restart.
 * @example const registry = createRegistry({ store: storage.services, logs: storage.logs, command: agentServerCommand() });
 */
export class ServiceRegistry extends EventEmitter<RegistryEvents> {
  readonly #store: ServiceStore;
  readonly #logSink: LogSink;
  readonly #logs: LogWriter;
  readonly #options: RegistryOptions;
  readonly #supervisor: Supervisor;
  readonly #statsPoll: PeriodicTask | undefined;
  #registering: Promise<unknown> = Promise.resolve();

  constructor(options: RegistryOptions) {
    super();
    this.#options = options;
    this.#store = options.store;
    this.#logSink = options.logs;
    const policy = resolveRestartPolicy(options.restart);
    this.#logs = new LogWriter(options.logs, {
      maxLinesPerService: options.maxLogLines ?? 10_000,
      flushIntervalMs: options.logFlushMs ?? 100,
      onError: (error) => this.#fail(error),
    });
    this.#supervisor = new Supervisor({
      options,
      policy,
      logs: this.#logs,
      emit: this.emit.bind(this),
      fail: (error) => this.#fail(error),
    });
    const every = options.statsIntervalMs ?? 5_000;
    if (every > 0) this.#statsPoll = new PeriodicTask(every, () => this.#refreshAllStats());
  }

  // ---- registration -------------------------------------------------------------------------------------

  /**
   * Validates and stores a new service (status stopped): the agent file is dry-loaded, the name must be
   * unique, the port free (or one is allocated). With `auto_start` it is started too; a failed start leaves
   * it registered in ERROR.
   */
  async register(input: CreateServiceRequestInput): Promise<Service> {
    this.#assertOpen();
    const context = this.#registrationContext();
    const checked = await checkRequest(input, context);
    const run = this.#registering.then(() => storeService(checked, context));
    this.#registering = run.catch(() => undefined);
    const service = await run;
    if (checked.request.auto_start) {
      return this.start(service.service_id).catch(
        async () => (await this.#store.get(service.service_id)) ?? service,
      );
    }
    return service;
  }

  /**
   * Changes a service's own fields or config (see {@link updateService}): what the running child reads at
   * its start is listed in `pendingRestart`, the rest applies at once. Serialised with registrations (names,
   * ports) and with the service's own operations (a start reads the config it gets).
   * @throws AppError SERVICE_NOT_FOUND, INVALID_REQUEST, SERVICE_ALREADY_EXISTS, PORT_IN_USE, SERVICE_RUNNING
   */
  async update(serviceId: string, patch: UpdateServiceRequestInput): Promise<ServiceUpdate> {
    this.#assertOpen();
    const context = this.#registrationContext();
    const run = this.#registering.then(() =>
      this.#supervisor.serial(serviceId, () => updateService(serviceId, patch, context)),
    );
    this.#registering = run.catch(() => undefined);
    return run;
  }

  /** Stops the service if it runs, then deletes it (its health history and logs go with it in storage). */
  async unregister(serviceId: string): Promise<boolean> {
    await this.stop(serviceId);
    return this.#supervisor.serial(serviceId, async () => {
      await this.#logs.flush();
      this.#logs.drop(serviceId);
      this.#supervisor.forget(serviceId);
      return this.#store.delete(serviceId);
    });
  }

  /** The stored service. @throws AppError SERVICE_NOT_FOUND */
  get(serviceId: string): Promise<Service> {
    return requireService(this.#store, serviceId);
  }

  /** The pid of the service's running child, if any. */
  pid(serviceId: string): number | undefined {
    return this.#supervisor.pid(serviceId);
  }

  // ---- start / stop -------------------------------------------------------------------------------------

  /**
   * Starts the service: STARTING, then RUNNING once it answers a WebSocket ping, else ERROR with the reason
   * and its last stderr lines. Starting a running service returns it unchanged.
   * @throws AppError SERVICE_NOT_FOUND, PORT_IN_USE or SERVICE_START_FAILED
   */
  async start(serviceId: string): Promise<Service> {
    this.#assertOpen();
    await this.get(serviceId);
    return this.#supervisor.start(serviceId);
  }

  /**
   * Stops the service: SIGTERM, then SIGKILL after the grace; STOPPED. Cancels a pending auto-restart and
   * interrupts a start in progress.
   */
  async stop(serviceId: string): Promise<Service> {
    await this.get(serviceId);
    return this.#supervisor.stop(serviceId);
  }

  /** Stops, then starts; the restart count starts over (a person asked for it). */
  async restart(serviceId: string): Promise<Service> {
    await this.stop(serviceId);
    return this.start(serviceId);
  }

  /** Starts every stored service that is not running; one result per service. */
  async startAll(): Promise<BulkResult[]> {
    const services = await listAll(this.#store);
    return Promise.all(
      services.map((service) =>
        service.status === 'running' && this.pid(service.service_id)
          ? bulk(service, undefined)
          : this.#bulk(service, this.start(service.service_id)),
      ),
    );
  }

  /** Stops every stored service; one result per service. */
  async stopAll(): Promise<BulkResult[]> {
    const services = await listAll(this.#store);
    return Promise.all(services.map((service) => this.#bulk(service, this.stop(service.service_id))));
  }

  /** The service's line of a bulk result: as `operation` left it, or as stored with the error. */
  #bulk(service: Service, operation: Promise<Service>): Promise<BulkResult> {
    return operation.then(
      (done) => bulk(done, undefined),
      async (error: unknown) => {
        const current = (await this.#store.get(service.service_id).catch(() => undefined)) ?? service;
        return bulk(current, AppError.from(error));
      },
    );
  }

  // ---- health hooks -------------------------------------------------------------------------------------

  /**
   * Marks a running service UNHEALTHY (health monitors call this); it stays up. No-op unless RUNNING.
   */
  async markUnhealthy(serviceId: string, reason: string): Promise<Service | undefined> {
    const service = await this.get(serviceId);
    return this.#supervisor.setStatus(service, 'unhealthy', { error_message: reason, expected: ['running'] });
  }

  /** Marks an UNHEALTHY service RUNNING again once its checks pass. No-op unless UNHEALTHY. */
  async markHealthy(serviceId: string): Promise<Service | undefined> {
    const service = await this.get(serviceId);
    return this.#supervisor.setStatus(service, 'running', { error_message: null, expected: ['unhealthy'] });
  }

  /**
   * Restarts a failing service under the auto-restart policy (counted toward max_restart_count, with
   * backoff); with auto_restart off it is stopped and left in ERROR with the reason.
   */
  async restartFailed(serviceId: string, reason: string): Promise<Service> {
    await this.get(serviceId);
    return this.#supervisor.restartFailed(serviceId, reason);
  }

  // ---- stats, logs, reconciliation, shutdown -------------------------------------------------------------

  /** Reads the service's stats now (B9: /proc and the agent server's /health) and stores them. */
  async refreshStats(serviceId: string): Promise<ServiceStats> {
    return this.#supervisor.refreshStats(await this.get(serviceId));
  }

  async #refreshAllStats(): Promise<void> {
    for (const serviceId of this.#supervisor.runningServices()) {
      if (this.#supervisor.closed) return;
      await this.refreshStats(serviceId).catch((error: Error) => {
        if (!(AppError.is(error) && error.code === 'SERVICE_NOT_FOUND')) this.#fail(error);
      });
    }
  }

  /** The newest log lines of a service (pending lines are written first). @throws AppError SERVICE_NOT_FOUND */
  async logs(serviceId: string, options?: ListLogsOptions): Promise<LogLine[]> {
    await this.get(serviceId);
    await this.#logs.flush();
    return this.#logSink.list(serviceId, options);
  }

  /** Log lines containing `text`, across services or for one. @throws AppError SERVICE_NOT_FOUND */
  async searchLogs(text: string, options?: SearchLogsOptions): Promise<LogLine[]> {
    if (options?.service_id !== undefined) await this.get(options.service_id);
    await this.#logs.flush();
    return this.#logSink.search(text, options);
  }

  /** Writes every pending log line and prunes each service to its bound. */
  flushLogs(): Promise<void> {
    return this.#logs.flush({ prune: true });
  }

  /**
   * After a manager restart: stops the strays a previous manager left (only the children the store
   * recorded, verified by their command line), then starts again the services the store says should run,
   * and makes the auto-restarts that were pending (ERROR services that gave up, or failed a start, stay
   * in ERROR).
   */
  async reconcile(): Promise<ReconcileReport> {
    this.#assertOpen();
    const services = await listAll(this.#store);
    const supervisor = this.#supervisor;
    return reconcileServices(services, {
      pid: (serviceId) => this.pid(serviceId),
      store: this.#store,
      ownPids: supervisor.ownPids(),
      stopGraceMs: this.#options.stopGraceMs ?? 10_000,
      onStray: (found) => this.emit('stray', found),
      settleStopping: (s) => supervisor.setStatus(s, 'stopped', { started_at: null, expected: ['stopping'] }),
      start: (service) => this.#bulk(service, this.start(service.service_id)),
      resume: (service, pending) =>
        this.#bulk(service, supervisor.resumeRestart(service.service_id, pending)),
    });
  }

  /**
   * Stops every child (SIGTERM, then SIGKILL after the grace), writes pending logs and clears timers; later
   * calls are no-ops. The stored statuses become STOPPED, unless `preserveStatus`: then they stay as they
   * were, so that the next manager's {@link reconcile} starts those services again.
   */
  async close(options: { preserveStatus?: boolean } = {}): Promise<void> {
    if (this.#supervisor.closed) return;
    // Closed first: no restart, start or registration begins while the children are stopped.
    this.#supervisor.close();
    await this.#statsPoll?.stop();
    await this.#supervisor.haltAll(!options.preserveStatus);
    await this.#logs.flush({ prune: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #registrationContext(): RegistrationContext {
    return {
      store: this.#store,
      portRange: this.#options.portRange,
      agentCheck: this.#options.agentCheck,
      cwd: workingDirectory(this.#options),
      command: this.#options.command,
    };
  }

  #assertOpen(): void {
    if (this.#supervisor.closed) throw new AppError('REGISTRY_CLOSED', 'The registry is closed');
  }

  #fail(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(error);
  }
}

/**
 * Creates a {@link ServiceRegistry}.
 * @example const registry = createRegistry({ store: storage.services, logs: storage.logs, command: agentServerCommand() });
 */
export function createRegistry(options: RegistryOptions): ServiceRegistry {
  return new ServiceRegistry(options);
}
