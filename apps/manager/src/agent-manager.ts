import { EventEmitter } from 'node:events';
import type { HealthSummary, ServiceHealthState } from '@myagent/health';
import type {
  ConnectionInfo,
  CreateRoutingRuleRequestInput,
  CreateServiceRequestInput,
  HealthCheckResult,
  LogLine,
  RoutingRule,
  Service,
  UpdateServiceRequestInput,
} from '@myagent/models';
import type { BulkResult } from '@myagent/registry';
import type { ConnectionStats, RouteContext, RouteExplanation } from '@myagent/router';
import { createLifecycle } from './manager-lifecycle.js';
import * as routingJobs from './manager-routing.js';
import * as serviceJobs from './manager-services.js';
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
import type { ServiceUpdateResult } from './service-update.js';
import { type StatsOverview, statsOverview } from './stats-overview.js';
import { type SystemStats, systemStats } from './system-stats.js';
import { type ManagerTraces, traceUpgrade } from './traces/index.js';

export type {
  AgentManagerEvents,
  DrainOptions,
  ListServicesFilter,
  RegisterConnectionInput,
} from './manager-types.js';

// The one public class. A method that only reads or forwards to a part does so here; the jobs with steps of
// their own live in plain functions over small host interfaces (the lifecycle in manager-lifecycle.ts,
// services and routing in manager-services.ts and manager-routing.ts), not in base classes: the public type
// must not depend on classes the package does not export.

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
  // The manager is the parts' host (PartsHost): options, events, routeConnection, getServiceByName.
  readonly #life = createLifecycle(this);
  readonly #jobs: serviceJobs.ServicesHost & routingJobs.RoutingHost = {
    parts: () => this.#life.parts(),
    emit: (event, ...args) => this.emit(event, ...args),
    fail: (error) => this.#life.fail(error),
  };

  /** `new AgentManager('manager.db')` as in the seed, or with options. */
  constructor(options: AgentManagerOptions | string = {}) {
    super();
    this.options = typeof options === 'string' ? { dbPath: options } : options;
  }

  // ---- life -------------------------------------------------------------------------------------------------

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#life.running;
  }

  /**
   * Opens storage, loads the routing rules, reconciles services with the database (strays stopped, services
   * that should run started again) and starts health monitoring.
   */
  start(options: StartOptions = {}): Promise<void> {
    return this.#life.start(options);
  }

  /**
   * Stops health checks and every child process, then closes storage. Services keep their stored status,
   * so the next manager on this database starts again those that were running (B11); call
   * `stopAllServices()` first to stop them for good. Later calls are no-ops.
   */
  stop(): Promise<void> {
    return this.#life.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  // ---- services (B2, B4, B8) -------------------------------------------------------------------------------

  /** Registers a service: the agent file is dry-loaded, the name must be unique, the port free. */
  registerService(input: CreateServiceRequestInput): Promise<Service> {
    return serviceJobs.registerService(this.#jobs, input);
  }

  startService(serviceId: string): Promise<Service> {
    return this.#life.parts().registry.start(serviceId);
  }

  /**
   * Stops a service. Its clients at `/ws` are drained first (while its process is alive, RUNNING or
   * UNHEALTHY): told (a `management_notification`, with `countdown_seconds` if given, which the stop then
   * waits), their running turns finish, and their sessions move to another instance; with none, they end.
   */
  stopService(serviceId: string, options: DrainOptions = {}): Promise<Service> {
    return serviceJobs.stopService(this.#jobs, serviceId, options);
  }

  /**
   * Restarts a service without dropping its clients at `/ws`: as {@link AgentManager.stopService} drains
   * them, and with no other instance their sessions wait (held, nothing lost) for the restarted one.
   */
  restartService(serviceId: string, options: DrainOptions = {}): Promise<Service> {
    return serviceJobs.restartService(this.#jobs, serviceId, options);
  }

  /** Stops the service if it runs and deletes it with its history. */
  unregisterService(serviceId: string): Promise<boolean> {
    return serviceJobs.unregisterService(this.#jobs, serviceId);
  }

  startAllServices(): Promise<BulkResult[]> {
    return this.#life.parts().registry.startAll();
  }

  stopAllServices(): Promise<BulkResult[]> {
    return this.#life.parts().registry.stopAll();
  }

  /** The service, or undefined. Services read here are frozen: copy one to change it. */
  async getService(serviceId: string): Promise<Service | undefined> {
    return this.#life.parts().services.peek(serviceId);
  }

  getServiceByName(name: string): Promise<Service | undefined> {
    return this.#life.parts().services.peekByName(name);
  }

  /** Services by status and tags (all must match), a page at a time. */
  async listServices(filter: ListServicesFilter = {}): Promise<Service[]> {
    return this.#life.parts().services.page(filter).services;
  }

  /** The same filter with the total count, for paging. */
  async countServices(filter: ListServicesFilter = {}): Promise<{ services: Service[]; total: number }> {
    return this.#life.parts().services.page(filter);
  }

  /** A service's newest log lines (B13). @throws AppError SERVICE_NOT_FOUND */
  getServiceLogs(serviceId: string, options?: { level?: LogLine['level']; since?: string; limit?: number }) {
    return this.#life.parts().registry.logs(serviceId, options);
  }

  /** Log lines containing `text`, across services or for one. */
  searchLogs(text: string, options?: { service_id?: string; limit?: number }) {
    return this.#life.parts().registry.searchLogs(text, options);
  }

  /**
   * Changes a service's fields or config. What the manager reads live (auto-restart and health-check
   * settings, description, tags, name) applies at once; what the agent server reads at its start waits for
   * the next start of a running service (`pending_restart`), unless `restart` is set: then it is restarted.
   * Host and port change only while it is stopped (SERVICE_RUNNING otherwise).
   */
  updateService(
    serviceId: string,
    patch: UpdateServiceRequestInput,
    options: { restart?: boolean } = {},
  ): Promise<ServiceUpdateResult> {
    return serviceJobs.updateService(this.#jobs, serviceId, patch, options);
  }

  // ---- routing and connections (C1-C6) -----------------------------------------------------------------------

  /**
   * Picks a running, healthy service for a client by the routing rules, affinity and default strategy.
   * @throws AppError ROUTING_FAILED when no service is routable
   */
  routeConnection(context: RouteContext): Promise<Service> {
    return routingJobs.routeConnection(this.#jobs, context);
  }

  /** The route dry run: every rule tried, why it matched or not, the candidate set and the pick. */
  explainRoute(context: RouteContext): Promise<RouteExplanation<Service>> {
    return routingJobs.explainRoute(this.#jobs, context);
  }

  /**
   * Records a live connection (the strategies read its count) and its persistent record.
   * @throws AppError SERVICE_NOT_FOUND when the target service does not exist
   */
  registerConnection(input: RegisterConnectionInput): Promise<ConnectionInfo> {
    return routingJobs.registerConnection(this.#jobs, input);
  }

  /** Ends a connection; false when it was not live. */
  unregisterConnection(connectionId: string): Promise<boolean> {
    return routingJobs.unregisterConnection(this.#jobs, connectionId);
  }

  /** Live connections by status and by service (seed 000's shape). */
  getConnectionStats(): ConnectionStats {
    return this.#life.parts().router.connections.stats();
  }

  getActiveConnections(filter?: { service_id?: string; limit?: number }): ConnectionInfo[] {
    return this.#life.parts().router.connections.active(filter);
  }

  /** Validates, compiles and stores a routing rule; a bad regex is refused here, never at route time. */
  addRoutingRule(input: CreateRoutingRuleRequestInput): Promise<RoutingRule> {
    return routingJobs.addRoutingRule(this.#jobs, input);
  }

  /** Deletes a rule; false when there was none. */
  removeRoutingRule(ruleId: string): Promise<boolean> {
    return routingJobs.removeRoutingRule(this.#jobs, ruleId);
  }

  /** Rules in evaluation order (priority, highest first). */
  getRoutingRules(options: { enabledOnly?: boolean } = {}): Promise<RoutingRule[]> {
    return this.#life.parts().storage.rules.list(options);
  }

  /** Changes any field of a rule; the router recompiles it before it is stored. @throws AppError RULE_NOT_FOUND */
  async updateRoutingRule(ruleId: string, patch: unknown): Promise<RoutingRule> {
    const { router, storage } = this.#life.parts();
    return updateRule(router, storage.rules, ruleId, patch);
  }

  /** A rule by id, or undefined. */
  getRoutingRule(ruleId: string): Promise<RoutingRule | undefined> {
    return this.#life.parts().storage.rules.get(ruleId);
  }

  /**
   * Records a client the manager could not route, for the alerts and the event stream. The proxy calls it
   * for every connection it refuses; `routeConnection` calls it for the ROUTING_FAILED it throws.
   */
  reportRoutingFailure(failure: Omit<RoutingFailure, 'timestamp'> & { timestamp?: string }): void {
    routingJobs.reportRoutingFailure(this.#jobs, failure);
  }

  // ---- health (D1-D6) ----------------------------------------------------------------------------------------

  /** Checks one service now. @throws AppError SERVICE_NOT_FOUND */
  checkServiceHealth(serviceId: string): Promise<HealthCheckResult> {
    return this.#life.parts().monitor.checkService(serviceId);
  }

  /** Checks every service now; results by service id. */
  async checkAllServicesHealth(): Promise<Record<string, HealthCheckResult>> {
    const results = await this.#life.parts().monitor.checkAll();
    return Object.fromEntries(results.map((result) => [result.service_id, result]));
  }

  getHealthSummary(): Promise<HealthSummary> {
    return this.#life.parts().monitor.getSummary();
  }

  /** A service's latest health results, newest first. */
  getServiceHealthHistory(serviceId: string, limit = 10): Promise<HealthCheckResult[]> {
    return this.#life.parts().monitor.getHistory(serviceId, limit);
  }

  // ---- system (B10) ------------------------------------------------------------------------------------------

  /** Services by status, connections, sessions, performance and resources, with the health summary. */
  async getSystemStats(): Promise<SystemStats> {
    const { services, router, monitor, startedAt } = this.#life.parts();
    return systemStats({
      services: services.page({ limit: 10_000 }).services,
      connections: router.connections.stats(),
      health: await monitor.getSummary(),
      uptimeSeconds: (Date.now() - startedAt) / 1000,
    });
  }

  /** The health monitor's verdict on a service and its latest result; undefined before its first check. */
  getHealthState(serviceId: string): ServiceHealthState | undefined {
    return this.#life.parts().monitor.getState(serviceId);
  }

  /** The overview of seed 003 §1.4: services, connections (peak today), sessions today, performance, resources. */
  async getStatsOverview(): Promise<StatsOverview> {
    const { storage, operations } = this.#life.parts();
    return statsOverview(await this.getSystemStats(), storage.totals, operations.metrics);
  }

  /** Counters kept across restarts of services and of the manager, by service id (or `system`). */
  getStatTotals(scope: string): Promise<Record<string, number>> {
    return this.#life.parts().storage.totals.get(scope);
  }

  /** The metrics sampler and its time series (spec H3). */
  get metrics() {
    return this.#life.parts().operations.metrics;
  }

  /** The alert webhooks and their deliveries (spec D6). */
  get alerts() {
    return this.#life.parts().operations.alerts;
  }

  /** The operation log (spec H4). */
  get audit() {
    return this.#life.parts().operations.audit;
  }

  /** When this manager started, and which database it keeps its state in. */
  getManagerInfo(): { started_at: string; uptime_seconds: number; storage: 'sqlite' | 'postgres' } {
    const { startedAt, storage } = this.#life.parts();
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
  readonly handleUpgrade = wsUpgrade(() => this.#life.runningParts()?.proxy.proxy);

  /**
   * The `/ws/traces` and `/ws/traces/{session_id}` upgrade handler (503 while the manager is not running).
   * Mount it with `serveManager(manager, { upgrades: { '/ws/traces': h, '/ws/traces/*': h } })`.
   */
  readonly handleTraceUpgrade = traceUpgrade(() => this.#life.runningParts()?.traces);

  /** The traces of agent runs: list, one run with its spans, the live hub. @throws AppError MANAGER_NOT_RUNNING */
  get traces(): ManagerTraces {
    return this.#life.parts().traces;
  }

  /** Live connections through the proxy (oldest first), by service and status. */
  listConnections(
    filter: { service_id?: string; status?: ConnectionInfo['status']; limit?: number } = {},
  ): LiveConnection[] {
    const { proxy, router } = this.#life.parts();
    return listLive(proxy.proxy, router, filter);
  }

  /**
   * Ends a live connection: a management_notification (unless notify_client is false), then close 1000 with
   * the reason. @throws AppError CONNECTION_NOT_FOUND when it is not live
   */
  disconnectConnection(connectionId: string, options: { reason?: string; notify_client?: boolean } = {}) {
    const { proxy, router } = this.#life.parts();
    return disconnectLive(proxy.proxy, router, connectionId, options, (id) => this.unregisterConnection(id));
  }

  /** Sends a management_notification to the clients of one service or all; resolves with how many. */
  async notifyClients(
    notification: ClientNotification,
    options: { service_id?: string } = {},
  ): Promise<number> {
    return this.#life.parts().proxy.proxy.notify(notification, options);
  }
}
