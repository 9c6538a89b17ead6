import { randomUUID } from 'node:crypto';
import {
  AppError,
  type ConnectionInfo,
  CreateRoutingRuleRequest,
  type CreateRoutingRuleRequestInput,
  isoNow,
  parseOrThrow,
  type RoutingRule,
  type Service,
} from '@myagent/models';
import type { RouteContext, RouteExplanation } from '@myagent/router';
import type { Running } from './manager-parts.js';
import type { EmitManagerEvent, RegisterConnectionInput } from './manager-types.js';
import type { RoutingFailure } from './operations.js';

// The manager's routing (C1-C6): the route of a client, the live connections, the routing rules.
// The steps `AgentManager`'s routing methods take beyond one part's call; their JSDoc is there.

/** What the routing jobs need of the manager: its running parts and its events. */
export interface RoutingHost {
  /** @throws AppError MANAGER_NOT_RUNNING */
  parts(): Running;
  emit: EmitManagerEvent;
}

export async function routeConnection(host: RoutingHost, context: RouteContext): Promise<Service> {
  const { router } = host.parts();
  try {
    return router.route(context, await routable(host)).service;
  } catch (error) {
    if (AppError.is(error) && error.code === 'ROUTING_FAILED') {
      reportRoutingFailure(host, {
        code: error.code,
        message: error.message,
        client_ip: context.client_ip ?? null,
      });
    }
    throw error;
  }
}

export async function explainRoute(
  host: RoutingHost,
  context: RouteContext,
): Promise<RouteExplanation<Service>> {
  const { router } = host.parts();
  return router.explain(context, await routable(host));
}

async function routable(host: RoutingHost): Promise<Service[]> {
  return host.parts().services.page({ status: 'running', limit: 10_000 }).services;
}

export async function registerConnection(
  host: RoutingHost,
  input: RegisterConnectionInput,
): Promise<ConnectionInfo> {
  const { router, storage, services } = host.parts();
  const { service, ...rest } = input;
  const target = input.target_service_id ?? service?.service_id;
  if (!target) throw new AppError('INVALID_REQUEST', 'A connection needs a service or target_service_id');
  if (!services.peek(target)) {
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
  host.emit('connection', { action: 'opened', connection_id: info.connection_id, service_id: target });
  return info;
}

export async function unregisterConnection(host: RoutingHost, connectionId: string): Promise<boolean> {
  const { router, storage } = host.parts();
  const removed = router.connections.unregister(connectionId);
  await storage.connections.close(connectionId);
  if (removed) {
    host.emit('connection', {
      action: 'closed',
      connection_id: connectionId,
      service_id: removed.target_service_id,
    });
  }
  return removed !== undefined;
}

export async function addRoutingRule(
  host: RoutingHost,
  input: CreateRoutingRuleRequestInput,
): Promise<RoutingRule> {
  const { router, storage } = host.parts();
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

export async function removeRoutingRule(host: RoutingHost, ruleId: string): Promise<boolean> {
  const { router, storage } = host.parts();
  router.removeRule(ruleId);
  return storage.rules.delete(ruleId);
}

export function reportRoutingFailure(
  host: RoutingHost,
  failure: Omit<RoutingFailure, 'timestamp'> & { timestamp?: string },
): void {
  host.emit('routing_failed', { ...failure, timestamp: failure.timestamp ?? isoNow() });
}
