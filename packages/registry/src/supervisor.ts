import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import {
  AppError,
  Environment,
  isoNow,
  type LogLine,
  parseOrThrow,
  type Service,
  type ServiceStats,
  type ServiceStatus,
  serviceEndpoint,
} from '@myagent/models';
import { connectHost } from './agent-health.js';
import { cleanBaseEnv } from './child.js';
import { ExitRecovery } from './exit-recovery.js';
import { crashReason, launchChild } from './launch.js';
import { parseLogLine } from './log-lines.js';
import type { LogWriter } from './log-writer.js';
import { type ResolvedRegistryOptions, type ResolvedRestartPolicy, workingDirectory } from './options.js';
import { portState } from './ports.js';
import { SHOULD_RUN } from './reconcile.js';
import { requireService, serverArgs } from './registration.js';
import type { PendingRestart } from './restart-policy.js';
import { ServiceRuntime } from './runtime.js';
import { collectStats, stoppedStats } from './stats.js';
import type { RegistryEvents, ServiceStore, StatusPatch } from './types.js';

// A stop reads the stats one last time, but does not wait long on a server that no longer answers.
const FINAL_STATS_TIMEOUT_MS = 500;

/** What a {@link Supervisor} needs from the registry it works for. */
export interface SupervisorHost {
  options: ResolvedRegistryOptions;
  policy: ResolvedRestartPolicy;
  logs: LogWriter;
  /** Reports through the registry's own events, in the order they happen. */
  emit: EventEmitter<RegistryEvents>['emit'];
  /** A background step failed; the registry goes on. */
  fail: (error: Error) => void;
}

/**
 * Runs each service's child: the in-memory runtimes, one operation at a time per service, the status
 * writes, and what happens after an exit (ERROR, auto-restart with backoff, or a restart resumed).
 */
export class Supervisor {
  readonly #store: ServiceStore;
  readonly #options: ResolvedRegistryOptions;
  readonly #policy: ResolvedRestartPolicy;
  readonly #logs: LogWriter;
  readonly #emit: SupervisorHost['emit'];
  readonly #fail: SupervisorHost['fail'];
  readonly #runtimes = new Map<string, ServiceRuntime>();
  readonly #recovery: ExitRecovery;
  #closed = false;

  constructor(host: SupervisorHost) {
    this.#options = host.options;
    this.#store = host.options.store;
    this.#policy = host.policy;
    this.#logs = host.logs;
    this.#emit = host.emit;
    this.#fail = host.fail;
    const supervisor = this;
    this.#recovery = new ExitRecovery({
      store: this.#store,
      emit: this.#emit,
      fail: this.#fail,
      get closed() {
        return supervisor.#closed;
      },
      find: (serviceId) => this.#runtimes.get(serviceId),
      runtime: (serviceId) => this.runtime(serviceId),
      serial: (serviceId, task) => this.serial(serviceId, task),
      setStatus: (service, to, patch) => this.setStatus(service, to, patch),
      launch: (serviceId, reason) => this.#launch(serviceId, reason),
    });
  }

  #claimed(line: LogLine): boolean {
    const claim = this.#options.claimLine;
    if (!claim) return false;
    try {
      return claim(line);
    } catch (error) {
      this.#fail(error as Error);
      return false;
    }
  }

  /** No launch or restart begins once this is true. */
  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  /** The pid of the service's running child, if any. */
  pid(serviceId: string): number | undefined {
    return this.#runtimes.get(serviceId)?.pid;
  }

  /** Pids of every child this registry runs: never strays. */
  ownPids(): Set<number> {
    return new Set([...this.#runtimes.values()].flatMap((r) => (r.child?.pid ? [r.child.pid] : [])));
  }

  /** Services whose child runs past its start, looked at one by one as the caller goes on. */
  *runningServices(): Generator<string> {
    for (const [serviceId, runtime] of this.#runtimes) {
      if (runtime.child?.running && !runtime.starting) yield serviceId;
    }
  }

  runtime(serviceId: string): ServiceRuntime {
    let runtime = this.#runtimes.get(serviceId);
    if (!runtime) {
      runtime = new ServiceRuntime(this.#policy);
      this.#runtimes.set(serviceId, runtime);
    }
    return runtime;
  }

  /** Runs `task` after the service's operations under way, before any asked later. */
  serial<T>(serviceId: string, task: () => Promise<T>): Promise<T> {
    return this.runtime(serviceId).serial(task);
  }

  /** Drops the service's runtime and its timers (it is being deleted). */
  forget(serviceId: string): void {
    this.#runtimes.get(serviceId)?.clearTimers();
    this.#runtimes.delete(serviceId);
  }

  start(serviceId: string): Promise<Service> {
    const runtime = this.runtime(serviceId);
    clearTimeout(runtime.restartTimer);
    runtime.tracker.reset();
    return this.serial(serviceId, () => this.#launch(serviceId));
  }

  stop(serviceId: string): Promise<Service> {
    const runtime = this.runtime(serviceId);
    clearTimeout(runtime.restartTimer);
    runtime.startAbort?.abort();
    return this.serial(serviceId, () => this.#halt(serviceId, 'stopped', null));
  }

  restartFailed(serviceId: string, reason: string): Promise<Service> {
    const runtime = this.runtime(serviceId);
    runtime.startAbort?.abort();
    return this.serial(serviceId, async () => {
      await this.#halt(serviceId, 'error', reason);
      await this.#recovery.afterFailure(serviceId, reason);
      return requireService(this.#store, serviceId);
    });
  }

  /**
   * Stops every child and clears every timer, with no restart after; `record` false leaves the stored
   * statuses as they were.
   */
  async haltAll(record: boolean): Promise<void> {
    for (const runtime of this.#runtimes.values()) clearTimeout(runtime.restartTimer);
    const running = [...this.#runtimes].filter(([, r]) => r.child?.running || r.startAbort);
    for (const [, runtime] of running) runtime.startAbort?.abort();
    await Promise.all(
      running.map(([id, runtime]) =>
        runtime
          .serial(() => this.#halt(id, 'stopped', null, record))
          .catch((error: Error) => this.#fail(error)),
      ),
    );
    for (const runtime of this.#runtimes.values()) runtime.clearTimers();
  }

  /** Writes the status (compare-and-set with `patch.expected`) and reports a change as a `status` event. */
  async setStatus(service: Service, to: ServiceStatus, patch: StatusPatch): Promise<Service | undefined> {
    const updated = await this.#store.updateStatus(service.service_id, to, patch);
    if (updated && updated.status !== service.status) {
      this.#emit('status', {
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

  /**
   * The auto-restart a previous registry had scheduled, with the restarts it had counted: see
   * {@link ExitRecovery.resume}.
   */
  resumeRestart(serviceId: string, pending: PendingRestart): Promise<Service> {
    return this.#recovery.resume(serviceId, pending);
  }

  async #launch(serviceId: string, reason = 'start'): Promise<Service> {
    const runtime = this.runtime(serviceId);
    const service = await requireService(this.#store, serviceId);
    if (runtime.child?.running) return service;
    if (this.#closed) throw new AppError('REGISTRY_CLOSED', 'The registry is closed');
    const fail = async (message: string, code: 'SERVICE_START_FAILED' | 'PORT_IN_USE') => {
      const updated = await this.setStatus(service, 'error', { error_message: message, started_at: null });
      throw new AppError(code, `Service '${service.name}' failed to start: ${message}`, {
        details: { service_id: serviceId, status: updated?.status ?? 'error', reason },
      });
    };
    const host = connectHost(service.host);
    await this.setStatus(service, 'starting', {
      error_message: null,
      started_at: null,
      restart_due_at: null,
    });
    // A stored config may hold what older releases let through (a NUL byte in a value): never spawn it.
    try {
      parseOrThrow(Environment, service.config.environment, 'environment');
    } catch (error) {
      return fail((error as Error).message, 'SERVICE_START_FAILED');
    }
    const port = await portState(service.host, service.port).catch((error: unknown) => AppError.from(error));
    if (port instanceof AppError) return fail(port.message, 'SERVICE_START_FAILED');
    if (port === 'in_use') return fail(`port ${service.port} is in use on ${service.host}`, 'PORT_IN_USE');
    const launched = await launchChild({
      service,
      runtime,
      spawn: {
        command: this.#options.command.command,
        args: [...this.#options.command.args, ...this.#serverArgs(service)],
        env: {
          ...(this.#options.baseEnv ?? cleanBaseEnv()),
          ...this.#options.sharedEnv,
          MYAGENT_SERVICE_ID: service.service_id,
          MYAGENT_SERVICE_NAME: service.name,
          ...service.config.environment,
        },
        cwd: workingDirectory(this.#options),
        onLine: (stream, text) => {
          const line = parseLogLine(serviceId, stream, text);
          if (this.#claimed(line)) return;
          this.#logs.push(line);
          this.#emit('log', line);
        },
      },
      endpoint: serviceEndpoint(host, service.port),
      readyTimeoutMs: this.#options.readyTimeoutMs,
      onExit: (child, exit) => this.#recovery.onExit(serviceId, child, exit.code, exit.signal),
      // Recorded before readiness: should we die now, the next manager knows this child is ours to stop.
      onSpawned: (child) =>
        this.#store
          .setProcess(serviceId, { pid: child.pid, host: hostname() })
          .catch((error: Error) => this.#fail(error)),
    });
    if (!launched.ready) return fail(launched.message, 'SERVICE_START_FAILED');
    const child = launched.child;
    const running = await this.setStatus(service, 'running', {
      error_message: null,
      started_at: isoNow(),
      expected: ['starting'],
    });
    runtime.starting = undefined;
    if (runtime.child !== child) {
      // It died between its answer and our RUNNING write; onExit (exit-recovery.ts) left that exit to us.
      const reason = crashReason(child, await child.exited);
      void this.serial(serviceId, () => this.#recovery.afterFailure(serviceId, reason)).catch(
        (error: Error) => this.#fail(error),
      );
      return running ?? requireService(this.#store, serviceId);
    }
    runtime.armHealthyReset(this.#policy.healthyResetMs, () => {
      void this.#store.setRestartCount(serviceId, 0).catch((error: Error) => this.#fail(error));
    });
    return running ?? requireService(this.#store, serviceId);
  }

  /** Reads a running service's stats (B9) and stores them; its totals add to those of earlier children. */
  async refreshStats(service: Service, timeoutMs?: number): Promise<ServiceStats> {
    const runtime = this.runtime(service.service_id);
    if (runtime.pid === undefined || !SHOULD_RUN.includes(service.status)) return service.stats;
    const { stats, sample } = await collectStats(service, runtime, timeoutMs);
    runtime.sample = sample;
    runtime.peak = Math.max(runtime.peak, stats.peak_connections ?? 0);
    const updated = await this.#store.updateStats(service.service_id, stats);
    return (updated as Service | undefined)?.stats ?? { ...service.stats, ...stats };
  }

  async #halt(
    serviceId: string,
    to: 'stopped' | 'error',
    errorMessage: string | null,
    record = true,
  ): Promise<Service> {
    const runtime = this.runtime(serviceId);
    const service = await requireService(this.#store, serviceId);
    clearTimeout(runtime.healthyTimer);
    const child = runtime.child;
    if (child?.running) {
      // The counts since the last poll, so that the totals the next child starts from miss nothing.
      await this.refreshStats(service, FINAL_STATS_TIMEOUT_MS).catch(() => undefined);
      if (record) await this.setStatus(service, 'stopping', {});
      await runtime.kill(child, this.#options.stopGraceMs);
    }
    if (!record) return service;
    if (service.status === to && !child?.running && to === 'stopped') return service;
    const updated = await this.setStatus(service, to, {
      error_message: errorMessage,
      started_at: null,
      restart_due_at: null,
    });
    await this.#store.updateStats(serviceId, stoppedStats()).catch(() => undefined);
    return updated ?? requireService(this.#store, serviceId);
  }

  #serverArgs(service: Service): string[] {
    const extra = this.#options.serverArgs;
    return serverArgs(service, process.pid, typeof extra === 'function' ? extra(service) : (extra ?? []));
  }
}
