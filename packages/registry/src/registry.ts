import { EventEmitter } from 'node:events';
import {
  AppError,
  type CreateServiceRequestInput,
  isoNow,
  type LogLine,
  type Service,
  type ServiceStats,
  type ServiceStatus,
  serviceEndpoint,
} from '@myagent/models';
import { connectHost } from './agent-health.js';
import { type Child, cleanBaseEnv } from './child.js';
import { crashReason, launchChild } from './launch.js';
import { parseLogLine } from './log-lines.js';
import { LogWriter } from './log-writer.js';
import type { RegistryOptions } from './options.js';
import { PeriodicTask } from './periodic.js';
import { isPortFree } from './ports.js';
import { reconcileServices, SHOULD_RUN } from './reconcile.js';
import { bulk, checkRequest, listAll, serverArgs, storeService } from './registration.js';
import {
  type PendingRestart,
  planRecovery,
  type ResolvedRestartPolicy,
  resolveRestartPolicy,
} from './restart-policy.js';
import { ServiceRuntime } from './runtime.js';
import { collectStats, stoppedStats } from './stats.js';
import type {
  BulkResult,
  ListLogsOptions,
  LogSink,
  ReconcileReport,
  RegistryEvents,
  SearchLogsOptions,
  ServiceStore,
  StatusPatch,
} from './types.js';

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
  readonly #policy: ResolvedRestartPolicy;
  readonly #runtimes = new Map<string, ServiceRuntime>();
  readonly #statsPoll: PeriodicTask | undefined;
  #registering: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: RegistryOptions) {
    super();
    this.#options = options;
    this.#store = options.store;
    this.#logSink = options.logs;
    this.#policy = resolveRestartPolicy(options.restart);
    this.#logs = new LogWriter(options.logs, {
      maxLinesPerService: options.maxLogLines ?? 10_000,
      flushIntervalMs: options.logFlushMs ?? 100,
      onError: (error) => this.#fail(error),
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
    const context = {
      store: this.#store,
      portRange: this.#options.portRange,
      agentCheck: this.#options.agentCheck,
      cwd: this.#cwd(),
      serverScript: this.#options.command.args.findLast((arg) => !arg.startsWith('-')),
    };
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

  /** Stops the service if it runs, then deletes it (its health history and logs go with it in storage). */
  async unregister(serviceId: string): Promise<boolean> {
    await this.stop(serviceId);
    return this.#serial(serviceId, async () => {
      await this.#logs.flush();
      this.#logs.drop(serviceId);
      const runtime = this.#runtimes.get(serviceId);
      runtime?.clearTimers();
      this.#runtimes.delete(serviceId);
      return this.#store.delete(serviceId);
    });
  }

  /** The stored service. @throws AppError SERVICE_NOT_FOUND */
  async get(serviceId: string): Promise<Service> {
    const service = await this.#store.get(serviceId);
    if (!service) {
      throw new AppError('SERVICE_NOT_FOUND', `Service '${serviceId}' not found`, {
        details: { service_id: serviceId },
      });
    }
    return service;
  }

  /** The pid of the service's running child, if any. */
  pid(serviceId: string): number | undefined {
    return this.#runtimes.get(serviceId)?.pid;
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
    const runtime = this.#runtime(serviceId);
    clearTimeout(runtime.restartTimer);
    runtime.tracker.reset();
    return this.#serial(serviceId, () => this.#launch(serviceId));
  }

  /**
   * Stops the service: SIGTERM, then SIGKILL after the grace; STOPPED. Cancels a pending auto-restart and
   * interrupts a start in progress.
   */
  async stop(serviceId: string): Promise<Service> {
    await this.get(serviceId);
    const runtime = this.#runtime(serviceId);
    clearTimeout(runtime.restartTimer);
    runtime.startAbort?.abort();
    return this.#serial(serviceId, () => this.#halt(serviceId, 'stopped', null));
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

  async #launch(serviceId: string, reason = 'start'): Promise<Service> {
    const runtime = this.#runtime(serviceId);
    const service = await this.get(serviceId);
    if (runtime.child?.running) return service;
    if (this.#closed) throw new AppError('SERVICE_START_FAILED', 'The registry is closed');
    const fail = async (message: string, code: 'SERVICE_START_FAILED' | 'PORT_IN_USE') => {
      const updated = await this.#setStatus(service, 'error', { error_message: message, started_at: null });
      throw new AppError(code, `Service '${service.name}' failed to start: ${message}`, {
        details: { service_id: serviceId, status: updated?.status ?? 'error', reason },
      });
    };
    const host = connectHost(service.host);
    await this.#setStatus(service, 'starting', {
      error_message: null,
      started_at: null,
      restart_due_at: null,
    });
    if (!(await isPortFree(service.host, service.port))) {
      return fail(`port ${service.port} is in use on ${service.host}`, 'PORT_IN_USE');
    }
    const launched = await launchChild({
      service,
      runtime,
      spawn: {
        command: this.#options.command.command,
        args: [...this.#options.command.args, ...this.#serverArgs(service)],
        env: {
          ...(this.#options.baseEnv ?? cleanBaseEnv()),
          MYAGENT_SERVICE_ID: service.service_id,
          MYAGENT_SERVICE_NAME: service.name,
          ...service.config.environment,
        },
        cwd: this.#cwd(),
        onLine: (stream, text) => {
          const line = parseLogLine(serviceId, stream, text);
          this.#logs.push(line);
          this.emit('log', line);
        },
      },
      endpoint: serviceEndpoint(host, service.port),
      readyTimeoutMs: this.#options.readyTimeoutMs ?? 30_000,
      onExit: (child, exit) => this.#onExit(serviceId, child, exit.code, exit.signal),
    });
    if (!launched.ready) return fail(launched.message, 'SERVICE_START_FAILED');
    const child = launched.child;
    const running = await this.#setStatus(service, 'running', {
      error_message: null,
      started_at: isoNow(),
      expected: ['starting'],
    });
    runtime.starting = undefined;
    if (runtime.child !== child) {
      // It died between its answer and our RUNNING write; #onExit left that exit to us.
      const reason = crashReason(child, await child.exited);
      void this.#serial(serviceId, () => this.#afterFailure(serviceId, reason)).catch((error: Error) =>
        this.#fail(error),
      );
      return running ?? this.get(serviceId);
    }
    runtime.armHealthyReset(this.#policy.healthyResetMs, () => {
      void this.#store.setRestartCount(serviceId, 0).catch((error: Error) => this.#fail(error));
    });
    return running ?? this.get(serviceId);
  }

  async #halt(
    serviceId: string,
    to: 'stopped' | 'error',
    errorMessage: string | null,
    record = true,
  ): Promise<Service> {
    const runtime = this.#runtime(serviceId);
    const service = await this.get(serviceId);
    clearTimeout(runtime.healthyTimer);
    const child = runtime.child;
    if (child?.running) {
      if (record) await this.#setStatus(service, 'stopping', {});
      await runtime.kill(child, this.#options.stopGraceMs ?? 10_000);
    }
    if (!record) return service;
    if (service.status === to && !child?.running && to === 'stopped') return service;
    const updated = await this.#setStatus(service, to, {
      error_message: errorMessage,
      started_at: null,
      restart_due_at: null,
    });
    await this.#store.updateStats(serviceId, stoppedStats()).catch(() => undefined);
    return updated ?? this.get(serviceId);
  }

  // ---- exits and auto-restart ---------------------------------------------------------------------------

  #onExit(serviceId: string, child: Child, code: number | null, signal: string | null): void {
    const runtime = this.#runtimes.get(serviceId);
    const expected = runtime?.stopping === child;
    this.emit('exit', {
      service_id: serviceId,
      pid: child.pid,
      code,
      signal,
      expected,
      stderr_tail: child.stderrTail.lines(),
    });
    if (!runtime || runtime.child !== child) return;
    runtime.child = undefined;
    if (runtime.stopping === child) runtime.stopping = undefined;
    clearTimeout(runtime.healthyTimer);
    // A stop owns an expected exit; a start in progress sees the exit through its own abort signal.
    if (expected || runtime.starting === child || this.#closed) return;
    const reason = crashReason(child, { code, signal });
    void this.#serial(serviceId, () => this.#afterFailure(serviceId, reason)).catch((error: Error) =>
      this.#fail(error),
    );
  }

  async #afterFailure(serviceId: string, reason: string): Promise<void> {
    const runtime = this.#runtimes.get(serviceId);
    const service = await this.#store.get(serviceId);
    if (!runtime || !service || this.#closed || runtime.child?.running) return;
    // Someone stopped it meanwhile (an exit can race a stop): a stopped service stays stopped.
    if (service.status === 'stopped' || service.status === 'stopping') return;
    const plan = planRecovery(reason, service.config, runtime.tracker);
    // The count first: a stored restart_due_at must never come with an older count, since the next
    // manager's reconcile resumes the restart from both.
    if (plan.restart) await this.#store.setRestartCount(serviceId, plan.restart.attempt);
    const dueAt = plan.restart ? new Date(Date.now() + plan.restart.delayMs).toISOString() : null;
    const failed = await this.#setStatus(service, 'error', {
      error_message: plan.message,
      started_at: null,
      restart_due_at: dueAt,
      // A stop that got in since the read above wins: no ERROR over its STOPPED, no restart after it.
      expected: ['starting', 'running', 'unhealthy', 'error'],
    });
    if (!failed || !plan.restart) return;
    const { attempt, delayMs } = plan.restart;
    this.emit('restart', {
      service_id: serviceId,
      attempt,
      delay_ms: delayMs,
      reason,
    });
    this.#scheduleRestart(serviceId, runtime, delayMs);
  }

  #scheduleRestart(serviceId: string, runtime: ServiceRuntime, delayMs: number): void {
    clearTimeout(runtime.restartTimer);
    runtime.restartTimer = setTimeout(() => {
      runtime.restartTimer = undefined;
      void this.#serial(serviceId, () => this.#autoRestart(serviceId)).catch((error: Error) =>
        this.#fail(error),
      );
    }, delayMs);
  }

  /**
   * Makes a scheduled restart, unless someone stopped or started the service meanwhile; a failed launch
   * goes back to the policy (the next attempt, or the cap). Resolves with that launch's error, if any.
   */
  async #autoRestart(serviceId: string): Promise<AppError | undefined> {
    const current = await this.#store.get(serviceId);
    if (current?.status !== 'error' || this.#closed) return undefined;
    try {
      await this.#launch(serviceId, 'auto-restart');
      return undefined;
    } catch (error) {
      const failure = AppError.from(error);
      await this.#afterFailure(serviceId, failure.message);
      return failure;
    }
  }

  /**
   * The auto-restart a previous registry had scheduled, with the restarts it had counted: made now when it
   * is due, else scheduled for when it is (the service stays ERROR until then).
   */
  async #resumeRestart(serviceId: string, pending: PendingRestart): Promise<Service> {
    const runtime = this.#runtime(serviceId);
    // Scheduled by this registry itself (a second reconcile): that timer makes it, with its own count.
    if (runtime.restartTimer) return this.get(serviceId);
    runtime.tracker.resume(pending.restarts);
    if (pending.delayMs > 0) {
      this.#scheduleRestart(serviceId, runtime, pending.delayMs);
      return this.get(serviceId);
    }
    const failure = await this.#serial(serviceId, () => this.#autoRestart(serviceId));
    if (failure) throw failure;
    return this.get(serviceId);
  }

  /**
   * Marks a running service UNHEALTHY (health monitors call this); it stays up. No-op unless RUNNING.
   */
  async markUnhealthy(serviceId: string, reason: string): Promise<Service | undefined> {
    const service = await this.get(serviceId);
    return this.#setStatus(service, 'unhealthy', { error_message: reason, expected: ['running'] });
  }

  /** Marks an UNHEALTHY service RUNNING again once its checks pass. No-op unless UNHEALTHY. */
  async markHealthy(serviceId: string): Promise<Service | undefined> {
    const service = await this.get(serviceId);
    return this.#setStatus(service, 'running', { error_message: null, expected: ['unhealthy'] });
  }

  /**
   * Restarts a failing service under the auto-restart policy (counted toward max_restart_count, with
   * backoff); with auto_restart off it is stopped and left in ERROR with the reason.
   */
  async restartFailed(serviceId: string, reason: string): Promise<Service> {
    await this.get(serviceId);
    const runtime = this.#runtime(serviceId);
    runtime.startAbort?.abort();
    return this.#serial(serviceId, async () => {
      await this.#halt(serviceId, 'error', reason);
      await this.#afterFailure(serviceId, reason);
      return this.get(serviceId);
    });
  }

  // ---- stats, logs, reconciliation, shutdown -------------------------------------------------------------

  /** Reads the service's stats now (B9: /proc and the agent server's /health) and stores them. */
  async refreshStats(serviceId: string): Promise<ServiceStats> {
    const service = await this.get(serviceId);
    const runtime = this.#runtime(serviceId);
    const pid = this.pid(serviceId);
    if (pid === undefined || !SHOULD_RUN.includes(service.status)) return service.stats;
    const { stats, sample } = await collectStats(service, pid, runtime.sample, runtime.peak);
    runtime.sample = sample;
    runtime.peak = Math.max(runtime.peak, stats.peak_connections ?? 0);
    const updated = await this.#store.updateStats(serviceId, stats);
    return (updated as Service | undefined)?.stats ?? { ...service.stats, ...stats };
  }

  async #refreshAllStats(): Promise<void> {
    for (const [serviceId, runtime] of this.#runtimes) {
      if (this.#closed) return;
      if (!runtime.child?.running || runtime.starting) continue;
      await this.refreshStats(serviceId).catch((error: Error) => {
        if (!(error instanceof AppError && error.code === 'SERVICE_NOT_FOUND')) this.#fail(error);
      });
    }
  }

  /** The newest log lines of a service (pending lines are written first). */
  async logs(serviceId: string, options?: ListLogsOptions): Promise<LogLine[]> {
    await this.#logs.flush();
    return this.#logSink.list(serviceId, options);
  }

  /** Log lines containing `text`, across services or for one. */
  async searchLogs(text: string, options?: SearchLogsOptions): Promise<LogLine[]> {
    await this.#logs.flush();
    return this.#logSink.search(text, options);
  }

  /** Writes every pending log line and prunes each service to its bound. */
  flushLogs(): Promise<void> {
    return this.#logs.flush({ prune: true });
  }

  /**
   * After a manager restart: stops strays a previous manager left on the services' ports (verified by
   * their command line), then starts again the services the store says should run, and makes the
   * auto-restarts that were pending (ERROR services that gave up, or failed a start, stay in ERROR).
   */
  async reconcile(): Promise<ReconcileReport> {
    this.#assertOpen();
    const services = await listAll(this.#store);
    const ownPids = new Set([...this.#runtimes.values()].flatMap((r) => (r.child?.pid ? [r.child.pid] : [])));
    return reconcileServices(services, {
      pid: (serviceId) => this.pid(serviceId),
      ownPids,
      stopGraceMs: this.#options.stopGraceMs ?? 10_000,
      onStray: (found) => this.emit('stray', found),
      settleStopping: (s) => this.#setStatus(s, 'stopped', { started_at: null, expected: ['stopping'] }),
      start: (service) => this.#bulk(service, this.start(service.service_id)),
      resume: (service, pending) => this.#bulk(service, this.#resumeRestart(service.service_id, pending)),
    });
  }

  /**
   * Stops every child (SIGTERM, then SIGKILL after the grace), writes pending logs and clears timers; later
   * calls are no-ops. The stored statuses become STOPPED, unless `preserveStatus`: then they stay as they
   * were, so that the next manager's {@link reconcile} starts those services again.
   */
  async close(options: { preserveStatus?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    // Closed first: no restart, start or registration begins while the children are stopped.
    this.#closed = true;
    await this.#statsPoll?.stop();
    for (const runtime of this.#runtimes.values()) clearTimeout(runtime.restartTimer);
    const running = [...this.#runtimes].filter(([, r]) => r.child?.running || r.startAbort);
    for (const [, runtime] of running) runtime.startAbort?.abort();
    const record = !options.preserveStatus;
    await Promise.all(
      running.map(([id, runtime]) =>
        runtime
          .serial(() => this.#halt(id, 'stopped', null, record))
          .catch((error: Error) => this.#fail(error)),
      ),
    );
    for (const runtime of this.#runtimes.values()) runtime.clearTimers();
    await this.#logs.flush({ prune: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  #serverArgs(service: Service): string[] {
    const extra = this.#options.serverArgs;
    return serverArgs(service, process.pid, typeof extra === 'function' ? extra(service) : (extra ?? []));
  }

  async #setStatus(service: Service, to: ServiceStatus, patch: StatusPatch): Promise<Service | undefined> {
    const updated = await this.#store.updateStatus(service.service_id, to, patch);
    if (updated && updated.status !== service.status) {
      this.emit('status', {
        service_id: service.service_id,
        name: service.name,
        from: service.status,
        to,
        error_message: updated.error_message ?? null,
      });
    }
    if (updated) service.status = updated.status;
    return updated;
  }

  #runtime(serviceId: string): ServiceRuntime {
    let runtime = this.#runtimes.get(serviceId);
    if (!runtime) {
      runtime = new ServiceRuntime(this.#policy);
      this.#runtimes.set(serviceId, runtime);
    }
    return runtime;
  }

  #serial<T>(serviceId: string, task: () => Promise<T>): Promise<T> {
    return this.#runtime(serviceId).serial(task);
  }

  #cwd(): string {
    return this.#options.cwd ?? process.cwd();
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError('SERVICE_START_FAILED', 'The registry is closed');
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
