import type { EventEmitter } from 'node:events';
import type { HealthMonitor, HealthTransition } from '@myagent/health';
import type { HealthCheckResult, LogLine } from '@myagent/models';
import type { RestartEvent, RestartLimitEvent, ServiceRegistry } from '@myagent/registry';
import type { Router } from '@myagent/router';
import type { Storage } from '@myagent/storage-kysely';
import { type AlertOptions, Alerts } from './alerts/alerts.js';
import { AuditLog } from './audit-log.js';
import { type MetricsOptions, MetricsSampler } from './metrics/sampler.js';
import type { ServiceCache } from './service-cache.js';

// The manager's own record of itself (issue 9): the metrics sampler, the alert webhooks and the operation
// log, started and stopped with the manager, and the narrow events the API's streams and the alerts read.

/** A service was registered, changed or unregistered. */
export interface ServiceChange {
  action: 'registered' | 'updated' | 'unregistered';
  service_id: string;
  name: string;
}

/** A live connection opened or closed. */
export interface ConnectionChange {
  action: 'opened' | 'closed';
  connection_id: string;
  service_id: string;
}

/**
 * A client the manager could not route (no routable service, an unknown service asked by name). The proxy
 * reports its own through `AgentManager.reportRoutingFailure`; `routeConnection` reports those it throws.
 */
export interface RoutingFailure {
  code: 'ROUTING_FAILED' | 'SERVICE_NOT_FOUND' | string;
  message: string;
  client_ip?: string | null;
  /** The service or tag the client asked for, if it named one. */
  requested?: string | null;
  timestamp: string;
}

/** The events the manager adds for its API, alerts and streams. */
export interface OperationEvents {
  log: [LogLine];
  restart: [RestartEvent];
  restart_limit: [RestartLimitEvent];
  health_transition: [HealthTransition];
  service: [ServiceChange];
  connection: [ConnectionChange];
  routing_failed: [RoutingFailure];
}

/** Options of the manager's operations parts. */
export interface OperationsOptions {
  metrics?: MetricsOptions;
  alerts?: AlertOptions;
  /** Operation log entries kept. @default 100_000 */
  auditKeep?: number;
}

/** The running parts. */
export interface Operations {
  metrics: MetricsSampler;
  alerts: Alerts;
  audit: AuditLog;
  stop(): Promise<void>;
}

type Emit = <K extends keyof OperationEvents>(event: K, ...args: OperationEvents[K]) => void;

/** Re-emits the parts' events the API needs (lines, restarts, give-ups, transitions) as the manager's. */
export function forwardPartEvents(registry: ServiceRegistry, monitor: HealthMonitor, emit: Emit): () => void {
  const onLog = (line: LogLine) => emit('log', line);
  const onRestart = (event: RestartEvent) => emit('restart', event);
  const onLimit = (event: RestartLimitEvent) => emit('restart_limit', event);
  registry.on('log', onLog);
  registry.on('restart', onRestart);
  registry.on('restart_limit', onLimit);
  const offTransition = monitor.on('transition', (transition) => emit('health_transition', transition));
  return () => {
    registry.off('log', onLog);
    registry.off('restart', onRestart);
    registry.off('restart_limit', onLimit);
    offTransition();
  };
}

/** What the alerts hear: the manager's own emitter, seen through the events they read. */
export type AlertSource = EventEmitter<OperationEvents>;

function resultReason(result: HealthCheckResult): string | null {
  if (result.error) return result.error;
  const failed = Object.entries(result.checks).find(([, check]) => check.status !== 'healthy');
  return failed ? `${failed[0]}: ${failed[1].message}` : null;
}

/** Starts the sampler, the alerts (subscribed to the manager's events) and the operation log. */
export function startOperations(
  storage: Storage,
  services: ServiceCache,
  router: Router,
  events: AlertSource,
  onError: (error: unknown) => void,
  options: OperationsOptions = {},
): Operations {
  const metrics = new MetricsSampler(
    storage,
    {
      services: async () => services.page({ limit: 10_000 }).services,
      connections: () => router.connections.stats(),
      connectionCounters: () => router.connections.active(),
    },
    onError,
    options.metrics,
  );
  const alerts = new Alerts(storage.webhooks, onError, options.alerts);
  const audit = new AuditLog(storage, options.auditKeep);
  const onTransition = ({ service_id, from, to, result, timestamp }: HealthTransition) =>
    alerts.notify('health_transition', { service_id, from, to, timestamp, reason: resultReason(result) });
  const onRestart = (event: RestartEvent) => alerts.notify('service_restart', { ...event });
  const onLimit = (event: RestartLimitEvent) => alerts.notify('restart_limit_reached', { ...event });
  const onRouting = (failure: RoutingFailure) => alerts.notify('routing_failed', { ...failure });
  events.on('health_transition', onTransition);
  events.on('restart', onRestart);
  events.on('restart_limit', onLimit);
  events.on('routing_failed', onRouting);
  metrics.start();
  return {
    metrics,
    alerts,
    audit,
    async stop() {
      events.off('health_transition', onTransition);
      events.off('restart', onRestart);
      events.off('restart_limit', onLimit);
      events.off('routing_failed', onRouting);
      await metrics.stop();
      await alerts.close();
    },
  };
}
