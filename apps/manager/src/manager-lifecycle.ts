import { EventEmitter } from 'node:events';
import { AppError, type Service } from '@myagent/models';
import type { RouteContext } from '@myagent/router';
import { type PartsHost, type Running, startParts, stopParts } from './manager-parts.js';
import type { AgentManagerEvents } from './manager-types.js';
import type { RoutingFailure } from './operations.js';
import type { AgentManagerOptions, StartOptions } from './options.js';

/**
 * The manager's life: its options, the parts that exist while it runs (started and stopped here), and where
 * background failures go. The facade's other jobs extend it: services, routing, then `AgentManager`.
 */
export abstract class ManagerLifecycle extends EventEmitter<AgentManagerEvents> implements PartsHost {
  readonly options: AgentManagerOptions;
  #running: Running | undefined;
  #starting: Promise<void> | undefined;

  /** `new AgentManager('manager.db')` as in the seed, or with options. */
  constructor(options: AgentManagerOptions | string = {}) {
    super();
    this.options = typeof options === 'string' ? { dbPath: options } : options;
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Opens storage, loads the routing rules, reconciles services with the database (strays stopped, services
   * that should run started again) and starts health monitoring.
   */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.#running) return;
    this.#starting ??= this.#start(options).finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(options: StartOptions): Promise<void> {
    const hooks = {
      fail: (error: unknown) => this.fail(error),
      leaseLost: (error: AppError) => this.#leaseLost(error),
    };
    const running = await startParts(this, hooks, options);
    this.#running = running;
    if (options.reconcile !== false) await running.registry.reconcile();
    await running.monitor.start();
  }

  /**
   * Stops health checks and every child process, then closes storage. Services keep their stored status,
   * so the next manager on this database starts again those that were running (B11); call
   * `stopAllServices()` first to stop them for good. Later calls are no-ops.
   */
  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await stopParts(running, (error) => this.fail(error));
  }

  /** Another manager took the lease over: say so and stop, without writing to the store any more. */
  #leaseLost(error: AppError): void {
    this.fail(error);
    void this.stop().catch((stopError: unknown) => this.fail(stopError));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  // What the parts ask of their host (PartsHost): the routing and services classes that extend this one answer.
  abstract reportRoutingFailure(failure: Omit<RoutingFailure, 'timestamp'> & { timestamp?: string }): void;
  abstract routeConnection(context: RouteContext): Promise<Service>;
  abstract getServiceByName(name: string): Promise<Service | undefined>;

  /** The running parts, or undefined while stopped (the upgrade handlers answer 503 then). */
  protected get runningParts(): Running | undefined {
    return this.#running;
  }

  protected parts(): Running {
    if (!this.#running) {
      throw new AppError('MANAGER_NOT_RUNNING', 'The manager is not running: call start() first');
    }
    return this.#running;
  }

  protected fail(error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    if (this.listenerCount('error') > 0) this.emit('error', wrapped);
    else console.warn(`[agent-manager] ${wrapped.message}`);
  }
}
