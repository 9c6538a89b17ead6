// After a child exits or fails to start: the ERROR status, the auto-restart with backoff, a restart resumed.
import type { EventEmitter } from 'node:events';
import { AppError, type Service, type ServiceStatus } from '@myagent/models';
import type { Child } from './child.js';
import { crashReason } from './launch.js';
import { requireService } from './registration.js';
import { type PendingRestart, planRecovery } from './restart-policy.js';
import type { ServiceRuntime } from './runtime.js';
import type { RegistryEvents, ServiceStore, StatusPatch } from './types.js';

/** What {@link ExitRecovery} needs from the supervisor it works for. */
export interface RecoveryHost {
  store: ServiceStore;
  emit: EventEmitter<RegistryEvents>['emit'];
  fail: (error: Error) => void;
  /** No restart begins once this is true. */
  readonly closed: boolean;
  /** The service's runtime, if the supervisor holds one. */
  find(serviceId: string): ServiceRuntime | undefined;
  /** The service's runtime, made if it has none yet. */
  runtime(serviceId: string): ServiceRuntime;
  serial<T>(serviceId: string, task: () => Promise<T>): Promise<T>;
  setStatus(service: Service, to: ServiceStatus, patch: StatusPatch): Promise<Service | undefined>;
  launch(serviceId: string, reason: string): Promise<Service>;
}

/** Exits and auto-restart of the supervisor's children. */
export class ExitRecovery {
  readonly #host: RecoveryHost;
  readonly #store: ServiceStore;
  readonly #emit: RecoveryHost['emit'];
  readonly #fail: RecoveryHost['fail'];

  constructor(host: RecoveryHost) {
    this.#host = host;
    this.#store = host.store;
    this.#emit = host.emit;
    this.#fail = host.fail;
  }

  /**
   * The auto-restart a previous registry had scheduled, with the restarts it had counted: made now when it
   * is due, else scheduled for when it is (the service stays ERROR until then).
   */
  async resume(serviceId: string, pending: PendingRestart): Promise<Service> {
    const runtime = this.#host.runtime(serviceId);
    // Scheduled by this registry itself (a second reconcile): that timer makes it, with its own count.
    if (runtime.restartTimer) return requireService(this.#store, serviceId);
    runtime.tracker.resume(pending.restarts);
    if (pending.delayMs > 0) {
      this.#scheduleRestart(serviceId, runtime, pending.delayMs);
      return requireService(this.#store, serviceId);
    }
    const failure = await this.#host.serial(serviceId, () => this.#autoRestart(serviceId));
    if (failure) throw failure;
    return requireService(this.#store, serviceId);
  }

  /** A child exited: its record goes, an `exit` event reports it, and an unexpected exit counts as a failure. */
  onExit(serviceId: string, child: Child, code: number | null, signal: string | null): void {
    if (child.pid !== undefined) {
      void this.#store.clearProcess(serviceId, child.pid).catch((error: Error) => this.#fail(error));
    }
    const runtime = this.#host.find(serviceId);
    const expected = runtime?.stopping === child;
    this.#emit('exit', {
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
    if (expected || runtime.starting === child || this.#host.closed) return;
    const reason = crashReason(child, { code, signal });
    void this.#host
      .serial(serviceId, () => this.afterFailure(serviceId, reason))
      .catch((error: Error) => this.#fail(error));
  }

  /** The service failed: ERROR, then an auto-restart when the policy allows one (else `restart_limit`). */
  async afterFailure(serviceId: string, reason: string): Promise<void> {
    const runtime = this.#host.find(serviceId);
    const service = await this.#store.get(serviceId);
    if (!runtime || !service || this.#host.closed || runtime.child?.running) return;
    // Someone stopped it meanwhile (an exit can race a stop): a stopped service stays stopped.
    if (service.status === 'stopped' || service.status === 'stopping') return;
    const plan = planRecovery(reason, service.config, runtime.tracker);
    // The count first: a stored restart_due_at must never come with an older count, since the next
    // manager's reconcile resumes the restart from both.
    if (plan.restart) await this.#store.setRestartCount(serviceId, plan.restart.attempt);
    const dueAt = plan.restart ? new Date(Date.now() + plan.restart.delayMs).toISOString() : null;
    const failed = await this.#host.setStatus(service, 'error', {
      error_message: plan.message,
      started_at: null,
      restart_due_at: dueAt,
      // A stop that got in since the read above wins: no ERROR over its STOPPED, no restart after it.
      expected: ['starting', 'running', 'unhealthy', 'error'],
    });
    if (failed && !plan.restart && service.config.auto_restart) {
      this.#emit('restart_limit', { service_id: serviceId, reason, message: plan.message });
    }
    if (!failed || !plan.restart) return;
    const { attempt, delayMs } = plan.restart;
    this.#emit('restart', {
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
      void this.#host
        .serial(serviceId, () => this.#autoRestart(serviceId))
        .catch((error: Error) => this.#fail(error));
    }, delayMs);
  }

  /**
   * Makes a scheduled restart, unless someone stopped or started the service meanwhile; a failed launch
   * goes back to the policy (the next attempt, or the cap). Resolves with that launch's error, if any.
   */
  async #autoRestart(serviceId: string): Promise<AppError | undefined> {
    const current = await this.#store.get(serviceId);
    if (current?.status !== 'error' || this.#host.closed) return undefined;
    try {
      await this.#host.launch(serviceId, 'auto-restart');
      return undefined;
    } catch (error) {
      const failure = AppError.from(error);
      await this.afterFailure(serviceId, failure.message);
      return failure;
    }
  }
}
