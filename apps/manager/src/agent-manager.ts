import type { HealthSummary, ServiceHealthState } from '@myagent/health';
import type { ConnectionInfo, HealthCheckResult } from '@myagent/models';
import { ManagerRouting } from './manager-routing.js';
import {
  type ClientNotification,
  disconnectLive,
  type LiveConnection,
  listLive,
  wsUpgrade,
} from './proxy-wiring.js';
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
export class AgentManager extends ManagerRouting {
  // ---- health (D1-D6) ----------------------------------------------------------------------------------------

  /** Checks one service now. @throws AppError SERVICE_NOT_FOUND */
  checkServiceHealth(serviceId: string): Promise<HealthCheckResult> {
    return this.parts().monitor.checkService(serviceId);
  }

  /** Checks every service now; results by service id. */
  async checkAllServicesHealth(): Promise<Record<string, HealthCheckResult>> {
    const results = await this.parts().monitor.checkAll();
    return Object.fromEntries(results.map((result) => [result.service_id, result]));
  }

  getHealthSummary(): Promise<HealthSummary> {
    return this.parts().monitor.getSummary();
  }

  /** A service's latest health results, newest first. */
  getServiceHealthHistory(serviceId: string, limit = 10): Promise<HealthCheckResult[]> {
    return this.parts().monitor.getHistory(serviceId, limit);
  }

  // ---- system (B10) ------------------------------------------------------------------------------------------

  /** Services by status, connections, sessions, performance and resources, with the health summary. */
  async getSystemStats(): Promise<SystemStats> {
    const { services, router, monitor, startedAt } = this.parts();
    return systemStats({
      services: services.page({ limit: 10_000 }).services,
      connections: router.connections.stats(),
      health: await monitor.getSummary(),
      uptimeSeconds: (Date.now() - startedAt) / 1000,
    });
  }

  /** The health monitor's verdict on a service and its latest result; undefined before its first check. */
  getHealthState(serviceId: string): ServiceHealthState | undefined {
    return this.parts().monitor.getState(serviceId);
  }

  /** The overview of seed 003 §1.4: services, connections (peak today), sessions today, performance, resources. */
  async getStatsOverview(): Promise<StatsOverview> {
    const { storage, operations } = this.parts();
    return statsOverview(await this.getSystemStats(), storage.totals, operations.metrics);
  }

  /** Counters kept across restarts of services and of the manager, by service id (or `system`). */
  getStatTotals(scope: string): Promise<Record<string, number>> {
    return this.parts().storage.totals.get(scope);
  }

  /** The metrics sampler and its time series (spec H3). */
  get metrics() {
    return this.parts().operations.metrics;
  }

  /** The alert webhooks and their deliveries (spec D6). */
  get alerts() {
    return this.parts().operations.alerts;
  }

  /** The operation log (spec H4). */
  get audit() {
    return this.parts().operations.audit;
  }

  /** When this manager started, and which database it keeps its state in. */
  getManagerInfo(): { started_at: string; uptime_seconds: number; storage: 'sqlite' | 'postgres' } {
    const { startedAt, storage } = this.parts();
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
  readonly handleUpgrade = wsUpgrade(() => this.runningParts?.proxy.proxy);

  /**
   * The `/ws/traces` and `/ws/traces/{session_id}` upgrade handler (503 while the manager is not running).
   * Mount it with `serveManager(manager, { upgrades: { '/ws/traces': h, '/ws/traces/*': h } })`.
   */
  readonly handleTraceUpgrade = traceUpgrade(() => this.runningParts?.traces);

  /** The traces of agent runs: list, one run with its spans, the live hub. @throws AppError MANAGER_NOT_RUNNING */
  get traces(): ManagerTraces {
    return this.parts().traces;
  }

  /** Live connections through the proxy (oldest first), by service and status. */
  listConnections(
    filter: { service_id?: string; status?: ConnectionInfo['status']; limit?: number } = {},
  ): LiveConnection[] {
    const { proxy, router } = this.parts();
    return listLive(proxy.proxy, router, filter);
  }

  /**
   * Ends a live connection: a management_notification (unless notify_client is false), then close 1000 with
   * the reason. @throws AppError CONNECTION_NOT_FOUND when it is not live
   */
  disconnectConnection(connectionId: string, options: { reason?: string; notify_client?: boolean } = {}) {
    const { proxy, router } = this.parts();
    return disconnectLive(proxy.proxy, router, connectionId, options, (id) => this.unregisterConnection(id));
  }

  /** Sends a management_notification to the clients of one service or all; resolves with how many. */
  async notifyClients(
    notification: ClientNotification,
    options: { service_id?: string } = {},
  ): Promise<number> {
    return this.parts().proxy.proxy.notify(notification, options);
  }
}
