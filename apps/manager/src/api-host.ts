import { createRequire } from 'node:module';
import type { ApiHost, ManagerEvent } from '@myagent/api-hono';
import type { Service } from '@myagent/models';
import type { AgentManager } from './agent-manager.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The manager's version, from its package.json. */
export const MANAGER_VERSION = version;

/** Connection counts go out at most this often on the event stream, however many connections change. */
const CONNECTIONS_COALESCE_MS = 250;

/** The manager's events as the API's stream shows them, subscribed once for every stream client. */
function eventFeed(manager: AgentManager) {
  const listeners = new Set<(event: ManagerEvent) => void>();
  const send = (event: ManagerEvent) => {
    for (const listener of listeners) listener(event);
  };
  const now = () => new Date().toISOString();
  let pending: NodeJS.Timeout | undefined;
  const on = {
    status: (e: { service_id: string }) =>
      send({ type: 'status', service_id: e.service_id, data: { ...e, timestamp: now() } }),
    health_transition: (e: { service_id: string; from: string; to: string; timestamp: string }) =>
      send({
        type: 'health',
        service_id: e.service_id,
        data: { service_id: e.service_id, from: e.from, to: e.to, timestamp: e.timestamp },
      }),
    restart: (e: { service_id: string }) =>
      send({ type: 'restart', service_id: e.service_id, data: { ...e, timestamp: now() } }),
    restart_limit: (e: { service_id: string }) =>
      send({ type: 'restart_limit', service_id: e.service_id, data: { ...e, timestamp: now() } }),
    service: (e: { service_id: string }) =>
      send({ type: 'service', service_id: e.service_id, data: { ...e, timestamp: now() } }),
    routing_failed: (e: object) => send({ type: 'routing_failed', service_id: null, data: { ...e } }),
    connection: () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        if (manager.running)
          send({
            type: 'connections',
            service_id: null,
            data: { ...manager.getConnectionStats(), timestamp: now() },
          });
      }, CONNECTIONS_COALESCE_MS);
    },
  };
  const attach = (method: 'on' | 'off') => {
    for (const [event, handler] of Object.entries(on))
      (manager[method] as (e: string, h: unknown) => void)(event, handler);
  };
  return (listener: (event: ManagerEvent) => void) => {
    if (listeners.size === 0) attach('on');
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) {
        attach('off');
        clearTimeout(pending);
        pending = undefined;
      }
    };
  };
}

/**
 * The API's host over an AgentManager: each method is the manager's own, in the API's terms.
 * @example const app = createApi(createApiHost(manager));
 */
export function createApiHost(manager: AgentManager): ApiHost {
  const onEvent = eventFeed(manager);
  const find = async (idOrName: string): Promise<Service | undefined> =>
    (await manager.getService(idOrName)) ?? (await manager.getServiceByName(idOrName));
  return {
    managerHealth: () => {
      if (!manager.running) return { status: 'stopping', uptime_seconds: 0 };
      return { status: 'healthy', uptime_seconds: manager.getManagerInfo().uptime_seconds };
    },
    info: async () => {
      const [all, running] = await Promise.all([
        manager.countServices({ limit: 1 }),
        manager.countServices({ status: ['running', 'unhealthy'], limit: 1 }),
      ]);
      return {
        name: 'MyAgent Manager',
        version,
        ...manager.getManagerInfo(),
        services: { total: all.total, running: running.total },
      };
    },
    systemStats: () => manager.getSystemStats(),
    statsOverview: () => manager.getStatsOverview(),
    timeseries: (query) => manager.metrics.query(query),
    onEvent,

    registerService: (request) => manager.registerService(request),
    listServices: (query) => manager.countServices(query),
    findService: find,
    updateService: (serviceId, patch, options) => manager.updateService(serviceId, patch, options),
    startService: (serviceId) => manager.startService(serviceId),
    stopService: (serviceId, options) => manager.stopService(serviceId, options),
    restartService: (serviceId, options) => manager.restartService(serviceId, options),
    unregisterService: (serviceId) => manager.unregisterService(serviceId),

    healthSummary: () => manager.getHealthSummary(),
    healthState: (serviceId) => {
      const state = manager.getHealthState(serviceId);
      return state && { status: state.status, last_result: state.last_result };
    },
    checkService: (serviceId) => manager.checkServiceHealth(serviceId),
    checkAllServices: async () => Object.values(await manager.checkAllServicesHealth()),
    healthHistory: (serviceId, limit) => manager.getServiceHealthHistory(serviceId, limit),

    listConnections: (query) => manager.listConnections(query),
    getConnectionStats: () => manager.getConnectionStats(),
    disconnectConnection: (connectionId, options) => manager.disconnectConnection(connectionId, options),
    notifyClients: (notification, options) => manager.notifyClients(notification, options),

    listRoutingRules: (options) => manager.getRoutingRules(options),
    findRoutingRule: async (idOrName) =>
      (await manager.getRoutingRule(idOrName)) ??
      (await manager.getRoutingRules()).find((rule) => rule.name === idOrName),
    addRoutingRule: (request) => manager.addRoutingRule(request),
    updateRoutingRule: (ruleId, patch) => manager.updateRoutingRule(ruleId, patch),
    removeRoutingRule: (ruleId) => manager.removeRoutingRule(ruleId),
    explainRoute: async (context) => {
      const explanation = await manager.explainRoute(context);
      const decision = explanation.decision;
      return {
        ...explanation,
        decision: decision && {
          service_id: decision.service.service_id,
          name: decision.service.name,
          endpoint: decision.service.endpoint,
          rule_id: decision.rule?.rule_id ?? null,
          rule_name: decision.rule?.name ?? null,
          strategy: decision.strategy,
          reason: decision.reason,
        },
        affinity: explanation.affinity && { ...explanation.affinity },
        rules: explanation.rules.map((rule) => ({
          ...rule,
          conditions: rule.conditions.map((c) => ({
            ...c,
            value: typeof c.value === 'string' ? c.value : [...c.value],
          })),
        })),
      };
    },

    serviceLogs: (serviceId, options) => manager.getServiceLogs(serviceId, options),
    searchLogs: (text, options) => manager.searchLogs(text, options),
    onLog: (listener) => {
      manager.on('log', listener);
      return () => manager.off('log', listener);
    },

    listWebhooks: () => manager.alerts.list(),
    getWebhook: (webhookId) => manager.alerts.get(webhookId),
    createWebhook: (request) => manager.alerts.create(request),
    updateWebhook: (webhookId, patch) => manager.alerts.update(webhookId, patch),
    deleteWebhook: (webhookId) => manager.alerts.delete(webhookId),
    testWebhook: (webhookId) => manager.alerts.test(webhookId),
    listDeliveries: (options) => manager.alerts.deliveries(options),

    recordAudit: (entry) => manager.audit.record(entry),
    listAudit: (options) => manager.audit.list(options),

    listTraces: (query) => manager.traces.list(query),
    getTrace: (traceId) => manager.traces.get(traceId),
  };
}
