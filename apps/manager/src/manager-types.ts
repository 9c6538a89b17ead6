import type { EventEmitter } from 'node:events';
import type { HealthCheckResult, Service, ServiceStatus } from '@myagent/models';
import type { StatusEvent } from '@myagent/registry';
import type { ConnectionRegistration } from '@myagent/router';
import type { OperationEvents } from './operations.js';

/** Filters of {@link AgentManager.listServices} (spec B8). */
export interface ListServicesFilter {
  status?: ServiceStatus | readonly ServiceStatus[];
  /** Every tag must be on the service. */
  tags?: readonly string[];
  limit?: number;
  offset?: number;
}

/** A connection to register: the routed service (or its id) and where the client came from. */
export type RegisterConnectionInput = Omit<ConnectionRegistration, 'connection_id' | 'target_service_id'> & {
  connection_id?: string;
  service?: Pick<Service, 'service_id'>;
  target_service_id?: string;
};

/**
 * The events a manager emits: service status changes, health results, background failures, and for the
 * HTTP API's streams and alerts (see {@link OperationEvents}) log lines, restarts, crash-loop give-ups,
 * health transitions, service and connection changes, routing failures.
 */
export interface AgentManagerEvents extends OperationEvents {
  status: [StatusEvent];
  health: [HealthCheckResult];
  error: [Error];
}

/** Options of `AgentManager.stopService` and `AgentManager.restartService`. */
export interface DrainOptions {
  /** Tell the service's clients this many seconds ahead (`management_notification`), then stop. */
  countdown_seconds?: number;
}

/** Emits one of the manager's events: what the manager's jobs (services, routing) are handed to tell. */
export type EmitManagerEvent = EventEmitter<AgentManagerEvents>['emit'];
