import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { HealthSummary, ServiceHealthState } from '@myagent/health';
import {
  AppError,
  type ConnectionInfo,
  CreateRoutingRuleRequest,
  type CreateRoutingRuleRequestInput,
  type CreateServiceRequestInput,
  type HealthCheckResult,
  isoNow,
  type LogLine,
  parseOrThrow,
  type RoutingRule,
  type Service,
  type UpdateServiceRequestInput,
} from '@myagent/models';
import type { BulkResult } from '@myagent/registry';
import type { ConnectionStats, RouteContext, RouteExplanation } from '@myagent/router';
import { type Running, startParts, stopParts } from './manager-parts.js';
import type {
  AgentManagerEvents,
  DrainOptions,
  ListServicesFilter,
  RegisterConnectionInput,
} from './manager-types.js';
import type { RoutingFailure } from './operations.js';
import type { AgentManagerOptions, StartOptions } from './options.js';
import {
  type ClientNotification,
  disconnectLive,
  type LiveConnection,
  listLive,
  wsUpgrade,
} from './proxy-wiring.js';
import { updateRule } from './rule-update.js';
import { type ServiceUpdateResult, updateAndApply } from './service-update.js';
import { type StatsOverview, statsOverview } from './stats-overview.js';
import { type SystemStats, systemStats } from './system-stats.js';
import { type ManagerTraces, traceUpgrade } from './traces/index.js';

export type {
  AgentManagerEvents,
  DrainOptions,
  ListServicesFilter,
  RegisterConnectionInput,
} from './manager-types.js';

/**
 * The manager facade of spec B1 and seed 000: owns storage, the registry of child processes, the health
 * monitor and the router, and joins them through their events. Names follow the seed one to one.
 * @example
 * await using manager = new AgentManager({ dbPath: 'manager.db' });
 * await manager.start({ healthCheckInterval: 10 });
 * const service = await manager.registerService({ name: 'echo', agent_factory_path: 'examples/echo-agent.ts', auto_start: true });
 */
export class AgentManager extends EventEmitter<AgentManagerEvents> {
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
      fail: (error: unknown) => this.#fail(error),
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
    await stopParts(running, (error) => this.#fail(error));
  }

  /** Another manager took the lease over: say so and stop, without writing to the store any more. */
  #leaseLost(error: AppError): void {
    this.#fail(error);
    void this.stop().catch((stopError: unknown) => this.#fail(stopError));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  // ---- services (B2, B4, B8) -------------------------------------------------------------------------------

  /** Registers a service: the agent file is dry-loaded, the name must be unique, the port free. */
  async registerService(input: CreateServiceRequestInput): Promise<Service> {
    const service = await this.#parts().registry.register(input);
    this.emit('service', { action: 'registered', service_id: service.service_id, name: service.name });
    return service;
  }

  startService(serviceId: string): Promise<Service> {
    return this.#parts().registry.start(serviceId);
  }

  /**
   * Stops a service. Its clients at `/ws` are drained first: told (a `management_notification`, with
   * `countdown_seconds` if given, which the stop then waits), their running turns finish, and their
   * sessions move to another instance; with none, they end.
   */
  stopService(serviceId: string, options: DrainOptions = {}): Promise<Service> {
    return this.#drained(serviceId, 'stop', options, () => this.#parts().registry.stop(serviceId));
  }

  /**
   * Restarts a service without dropping its clients at `/ws`: as {@link AgentManager.stopService} drains
   * them, and with no other instance their sessions wait (held, nothing lost) for the restarted one.
   */
  restartService(serviceId: string, options: DrainOptions = {}): Promise<Service> {
    return this.#drained(serviceId, 'restart', options, () => this.#parts().registry.restart(serviceId));
  }

  async #drained(
    serviceId: string,
    kind: 'stop' | 'restart',
    options: DrainOptions,
    step: () => Promise<Service>,
  ): Promise<Service> {
    const { proxy, services } = this.#parts();
    const service = services.peek(serviceId) ?? (await services.peekByName(serviceId));
    if (service?.status !== 'running') return step();
    const countdown = options.countdown_seconds;
    proxy.proxy.drain(service.service_id, {
      type: kind === 'restart' ? 'service_restart' : 'service_stop',
      message:
        kind === 'restart'
          ? `The agent '${service.name}' restarts; your sessions are kept`
          : `The agent '${service.name}' stops; your sessions move to another instance where there is one`,
      severity: 'warning',
      ...(countdown !== undefined && countdown > 0 && { countdown_seconds: countdown }),
    });
    try {
      if (countdown !== undefined && countdown > 0)
        await new Promise((resolve) => setTimeout(resolve, countdown * 1000));
      return await step();
    } finally {
      proxy.proxy.endDrain(service.service_id, { stopped: kind === 'stop' });
    }
  }

  /** Stops the service if it runs and deletes it with its history. */
  async unregisterService(serviceId: string): Promise<boolean> {
    const { registry, monitor, router } = this.#parts();
    const service = await this.getService(serviceId);
    const removed = await registry.unregister(serviceId);
    monitor.forget(serviceId);
    router.affinity?.releaseService(serviceId);
    if (removed && service)
      this.emit('service', { action: 'unregistered', service_id: serviceId, name: service.name });
    return removed;
  }

  startAllServices(): Promise<BulkResult[]> {
    return this.#parts().registry.startAll();
  }

  stopAllServices(): Promise<BulkResult[]> {
    return this.#parts().registry.stopAll();
  }

  /** The service, or undefined. Services read here are frozen: copy one to change it. */
  async getService(serviceId: string): Promise<Service | undefined> {
    return this.#parts().services.peek(serviceId);
  }

  getServiceByName(name: string): Promise<Service | undefined> {
    return this.#parts().services.peekByName(name);
  }

  /** Services by status and tags (all must match), a page at a time. */
  async listServices(filter: ListServicesFilter = {}): Promise<Service[]> {
    return this.#parts().services.page(filter).services;
  }

  /** The same filter with the total count, for paging. */
  async countServices(filter: ListServicesFilter = {}): Promise<{ services: Service[]; total: number }> {
    return this.#parts().services.page(filter);
  }

  /** A service's newest log lines (B13). @throws AppError SERVICE_NOT_FOUND */
  getServiceLogs(serviceId: string, options?: { level?: LogLine['level']; since?: string; limit?: number }) {
    return this.#parts().registry.logs(serviceId, options);
  }

  /** Log lines containing `text`, across services or for one. */
  searchLogs(text: string, options?: { service_id?: string; limit?: number }) {
    return this.#parts().registry.searchLogs(text, options);
  }

  // ---- routing and connections (C1-C6) -----------------------------------------------------------------------

  /**
   * Picks a running, healthy service for a client by the routing rules, affinity and default strategy.
   * @throws AppError ROUTING_FAILED when no service is routable
   */
  async routeConnection(context: RouteContext): Promise<Service> {
    const { router } = this.#parts();
    try {
      return router.route(context, await this.#routable()).service;
    } catch (error) {
      if (AppError.is(error) && error.code === 'ROUTING_FAILED') {
        this.reportRoutingFailure({
          code: error.code,
          message: error.message,
          client_ip: context.client_ip ?? null,
        });
      }
      throw error;
    }
  }

  /** The route dry run: every rule tried, why it matched or not, the candidate set and the pick. */
  async explainRoute(context: RouteContext): Promise<RouteExplanation<Service>> {
    const { router } = this.#parts();
    return router.explain(context, await this.#routable());
  }

  async #routable(): Promise<Service[]> {
    return this.#parts().services.page({ status: 'running', limit: 10_000 }).services;
  }

  /**
   * Records a live connection (the strategies read its count) and its persistent record.
   * @throws AppError SERVICE_NOT_FOUND when the target service does not exist
   */
  async registerConnection(input: RegisterConnectionInput): Promise<ConnectionInfo> {
    const { router, storage } = this.#parts();
    const { service, ...rest } = input;
    const target = input.target_service_id ?? service?.service_id;
    if (!target) throw new AppError('INVALID_REQUEST', 'A connection needs a service or target_service_id');
    if (!this.#parts().services.peek(target)) {
      throw new AppError('SERVICE_NOT_FOUND', `Service '${target}' not found`, {
        details: { service_id: target },
      });
    }
    const info = router.connections.register({
      ...rest,
      connection_id: input.connection_id ?? randomUUID(),
      target_service_id: target,
    });
    await storage.connections.open(info);
    this.emit('connection', { action: 'opened', connection_id: info.connection_id, service_id: target });
    return info;
  }

  /** Ends a connection; false when it was not live. */
  async unregisterConnection(connectionId: string): Promise<boolean> {
    const { router, storage } = this.#parts();
    const removed = router.connections.unregister(connectionId);
    await storage.connections.close(connectionId);
    if (removed) {
      this.emit('connection', {
        action: 'closed',
        connection_id: connectionId,
        service_id: removed.target_service_id,
      });
    }
    return removed !== undefined;
  }

  /** Live connections by status and by service (seed 000's shape). */
  getConnectionStats(): ConnectionStats {
    return this.#parts().router.connections.stats();
  }

  getActiveConnections(filter?: { service_id?: string; limit?: number }): ConnectionInfo[] {
    return this.#parts().router.connections.active(filter);
  }

  /** Validates, compiles and stores a routing rule; a bad regex is refused here, never at route time. */
  async addRoutingRule(input: CreateRoutingRuleRequestInput): Promise<RoutingRule> {
    const { router, storage } = this.#parts();
    const body = parseOrThrow(CreateRoutingRuleRequest, input, 'routing rule');
    if (await storage.rules.getByName(body.name)) {
      throw new AppError('INVALID_REQUEST', `A routing rule named '${body.name}' exists`, {
        details: { name: body.name },
      });
    }
    const now = isoNow();
    const rule = router.addRule({ ...body, rule_id: randomUUID(), created_at: now, updated_at: now });
    try {
      return await storage.rules.save(rule);
    } catch (error) {
      router.removeRule(rule.rule_id);
      throw error;
    }
  }

  /** Deletes a rule; false when there was none. */
  async removeRoutingRule(ruleId: string): Promise<boolean> {
    const { router, storage } = this.#parts();
    router.removeRule(ruleId);
    return storage.rules.delete(ruleId);
  }

  /** Rules in evaluation order (priority, highest first). */
  getRoutingRules(options: { enabledOnly?: boolean } = {}): Promise<RoutingRule[]> {
    return this.#parts().storage.rules.list(options);
  }

  // ---- health (D1-D6) ----------------------------------------------------------------------------------------

  /** Checks one service now. @throws AppError SERVICE_NOT_FOUND */
  checkServiceHealth(serviceId: string): Promise<HealthCheckResult> {
    return this.#parts().monitor.checkService(serviceId);
  }

  /** Checks every service now; results by service id. */
  async checkAllServicesHealth(): Promise<Record<string, HealthCheckResult>> {
    const results = await this.#parts().monitor.checkAll();
    return Object.fromEntries(results.map((result) => [result.service_id, result]));
  }

  getHealthSummary(): Promise<HealthSummary> {
    return this.#parts().monitor.getSummary();
  }

  /** A service's latest health results, newest first. */
  getServiceHealthHistory(serviceId: string, limit = 10): Promise<HealthCheckResult[]> {
    return this.#parts().monitor.getHistory(serviceId, limit);
  }

  // ---- system (B10) ------------------------------------------------------------------------------------------

  /** Services by status, connections, sessions, performance and resources, with the health summary. */
  async getSystemStats(): Promise<SystemStats> {
    const { services, router, monitor, startedAt } = this.#parts();
    return systemStats({
      services: services.page({ limit: 10_000 }).services,
      connections: router.connections.stats(),
      health: await monitor.getSummary(),
      uptimeSeconds: (Date.now() - startedAt) / 1000,
    });
  }

  // ---- HTTP API: updates, health state, stats, operations (issue 9) -------------------------------------------

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
    const { registry, monitor } = this.#parts();
    const result = await updateAndApply(registry, serviceId, patch, options.restart ?? false, (id) =>
      this.restartService(id),
    );
    if (result.changed.length > 0) {
      void monitor.sync().catch((error: unknown) => this.#fail(error));
      this.emit('service', { action: 'updated', service_id: serviceId, name: result.service.name });
    }
    return result;
  }

  /** Changes any field of a rule; the router recompiles it before it is stored. @throws AppError RULE_NOT_FOUND */
  async updateRoutingRule(ruleId: string, patch: unknown): Promise<RoutingRule> {
    const { router, storage } = this.#parts();
    return updateRule(router, storage.rules, ruleId, patch);
  }

  /** A rule by id, or undefined. */
  getRoutingRule(ruleId: string): Promise<RoutingRule | undefined> {
    return this.#parts().storage.rules.get(ruleId);
  }

  /** The health monitor's verdict on a service and its latest result; undefined before its first check. */
  getHealthState(serviceId: string): ServiceHealthState | undefined {
    return this.#parts().monitor.getState(serviceId);
  }

  /**
   * Records a client the manager could not route, for the alerts and the event stream. The proxy calls it
   * for every connection it refuses; `routeConnection` calls it for the ROUTING_FAILED it throws.
   */
  reportRoutingFailure(failure: Omit<RoutingFailure, 'timestamp'> & { timestamp?: string }): void {
    this.emit('routing_failed', { ...failure, timestamp: failure.timestamp ?? isoNow() });
  }

  /** The overview of seed 003 §1.4: services, connections (peak today), sessions today, performance, resources. */
  async getStatsOverview(): Promise<StatsOverview> {
    const { storage, operations } = this.#parts();
    return statsOverview(await this.getSystemStats(), storage.totals, operations.metrics);
  }

  /** Counters kept across restarts of services and of the manager, by service id (or `system`). */
  getStatTotals(scope: string): Promise<Record<string, number>> {
    return this.#parts().storage.totals.get(scope);
  }

  /** The metrics sampler and its time series (spec H3). */
  get metrics() {
    return this.#parts().operations.metrics;
  }

  /** The alert webhooks and their deliveries (spec D6). */
  get alerts() {
    return this.#parts().operations.alerts;
  }

  /** The operation log (spec H4). */
  get audit() {
    return this.#parts().operations.audit;
  }

  /** When this manager started, and which database it keeps its state in. */
  getManagerInfo(): { started_at: string; uptime_seconds: number; storage: 'sqlite' | 'postgres' } {
    const { startedAt, storage } = this.#parts();
    return {
      started_at: new Date(startedAt).toISOString(),
      uptime_seconds: Math.round((Date.now() - startedAt) / 100) / 10,
      storage: storage.dialect,
    };
  }

  // ---- the WebSocket proxy at /ws (E1-E9) ------------------------------------------------------------------

  /**
   * Serves a WebSocket upgrade at `/ws`: routes the client and relays it to an agent server (503 while the
   * manager is not running). Mount it with `serveManager(manager, { upgrades: { '/ws': manager.handleUpgrade } })`.
   */
  readonly handleUpgrade = wsUpgrade(() => this.#running?.proxy.proxy);

  /**
   * The `/ws/traces` and `/ws/traces/{session_id}` upgrade handler (503 while the manager is not running).
   * Mount it with `serveManager(manager, { upgrades: { '/ws/traces': h, '/ws/traces/*': h } })`.
   */
  readonly handleTraceUpgrade = traceUpgrade(() => this.#running?.traces);

  /** The traces of agent runs: list, one run with its spans, the live hub. @throws AppError MANAGER_NOT_RUNNING */
  get traces(): ManagerTraces {
    return this.#parts().traces;
  }

  /** Live connections through the proxy (oldest first), by service and status. */
  listConnections(
    filter: { service_id?: string; status?: ConnectionInfo['status']; limit?: number } = {},
  ): LiveConnection[] {
    const { proxy, router } = this.#parts();
    return listLive(proxy.proxy, router, filter);
  }

  /**
   * Ends a live connection: a management_notification (unless notify_client is false), then close 1000 with
   * the reason. @throws AppError CONNECTION_NOT_FOUND when it is not live
   */
  disconnectConnection(connectionId: string, options: { reason?: string; notify_client?: boolean } = {}) {
    const { proxy, router } = this.#parts();
    return disconnectLive(proxy.proxy, router, connectionId, options, (id) => this.unregisterConnection(id));
  }

  /** Sends a management_notification to the clients of one service or all; resolves with how many. */
  async notifyClients(
    notification: ClientNotification,
    options: { service_id?: string } = {},
  ): Promise<number> {
    return this.#parts().proxy.proxy.notify(notification, options);
  }

  #parts(): Running {
    if (!this.#running) {
      throw new AppError('MANAGER_NOT_RUNNING', 'The manager is not running: call start() first');
    }
    return this.#running;
  }

  #fail(error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    if (this.listenerCount('error') > 0) this.emit('error', wrapped);
    else console.warn(`[agent-manager] ${wrapped.message}`);
  }
}
