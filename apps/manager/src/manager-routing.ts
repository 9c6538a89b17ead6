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
import type { ConnectionStats, RouteContext, RouteExplanation } from '@myagent/router';
import { ManagerServices } from './manager-services.js';
import type { RegisterConnectionInput } from './manager-types.js';
import type { RoutingFailure } from './operations.js';
import { updateRule } from './rule-update.js';

/** The manager's routing (C1-C6): the route of a client, the live connections, the routing rules. */
export abstract class ManagerRouting extends ManagerServices {
  // ---- routing and connections (C1-C6) -----------------------------------------------------------------------

  /**
   * Picks a running, healthy service for a client by the routing rules, affinity and default strategy.
   * @throws AppError ROUTING_FAILED when no service is routable
   */
  async routeConnection(context: RouteContext): Promise<Service> {
    const { router } = this.parts();
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
    const { router } = this.parts();
    return router.explain(context, await this.#routable());
  }

  async #routable(): Promise<Service[]> {
    return this.parts().services.page({ status: 'running', limit: 10_000 }).services;
  }

  /**
   * Records a live connection (the strategies read its count) and its persistent record.
   * @throws AppError SERVICE_NOT_FOUND when the target service does not exist
   */
  async registerConnection(input: RegisterConnectionInput): Promise<ConnectionInfo> {
    const { router, storage } = this.parts();
    const { service, ...rest } = input;
    const target = input.target_service_id ?? service?.service_id;
    if (!target) throw new AppError('INVALID_REQUEST', 'A connection needs a service or target_service_id');
    if (!this.parts().services.peek(target)) {
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
    const { router, storage } = this.parts();
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
    return this.parts().router.connections.stats();
  }

  getActiveConnections(filter?: { service_id?: string; limit?: number }): ConnectionInfo[] {
    return this.parts().router.connections.active(filter);
  }

  /** Validates, compiles and stores a routing rule; a bad regex is refused here, never at route time. */
  async addRoutingRule(input: CreateRoutingRuleRequestInput): Promise<RoutingRule> {
    const { router, storage } = this.parts();
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
    const { router, storage } = this.parts();
    router.removeRule(ruleId);
    return storage.rules.delete(ruleId);
  }

  /** Rules in evaluation order (priority, highest first). */
  getRoutingRules(options: { enabledOnly?: boolean } = {}): Promise<RoutingRule[]> {
    return this.parts().storage.rules.list(options);
  }

  /** Changes any field of a rule; the router recompiles it before it is stored. @throws AppError RULE_NOT_FOUND */
  async updateRoutingRule(ruleId: string, patch: unknown): Promise<RoutingRule> {
    const { router, storage } = this.parts();
    return updateRule(router, storage.rules, ruleId, patch);
  }

  /** A rule by id, or undefined. */
  getRoutingRule(ruleId: string): Promise<RoutingRule | undefined> {
    return this.parts().storage.rules.get(ruleId);
  }

  /**
   * Records a client the manager could not route, for the alerts and the event stream. The proxy calls it
   * for every connection it refuses; `routeConnection` calls it for the ROUTING_FAILED it throws.
   */
  reportRoutingFailure(failure: Omit<RoutingFailure, 'timestamp'> & { timestamp?: string }): void {
    this.emit('routing_failed', { ...failure, timestamp: failure.timestamp ?? isoNow() });
  }
}
