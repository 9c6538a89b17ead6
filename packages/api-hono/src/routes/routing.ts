import {
  CreateRoutingRuleRequest,
  RouteContextBody,
  RouteExplainResponse,
  RoutingRule,
  RoutingRuleListResponse,
  RoutingRuleResponse,
  UpdateRoutingRuleRequest,
} from '@myagent/models';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost } from '../host.js';
import { boolQuery, IdParam, valid } from '../validate.js';
import { audit, doc, requireRule } from './common.js';

const ListQuery = v.object({ enabled: v.optional(boolQuery(false)) });

/** Routing rules (spec F5) by id or name, and the router's dry run. */
export function routingRoutes(host: ApiHost) {
  const app = new Hono<ApiEnv>();

  app.post(
    '/routing/rules',
    doc('routing', 'Create a routing rule', RoutingRuleResponse),
    valid('json', CreateRoutingRuleRequest),
    async (c) => {
      const body = c.req.valid('json');
      audit(c, { action: 'routing_rule.create', target_type: 'routing_rule', target_id: body.name });
      const rule = await host.addRoutingRule(body);
      audit(c, { action: 'routing_rule.create', target_type: 'routing_rule', target_id: rule.rule_id });
      return c.json({
        success: true as const,
        rule_id: rule.rule_id,
        message: `Routing rule '${rule.name}' created`,
        rule,
      });
    },
  );

  app.get(
    '/routing/rules',
    doc(
      'routing',
      'Routing rules in evaluation order (`?enabled=true` for the enabled ones)',
      RoutingRuleListResponse,
    ),
    valid('query', ListQuery),
    async (c) => {
      const rules = await host.listRoutingRules({ enabledOnly: c.req.valid('query').enabled === true });
      return c.json({ rules, total: rules.length });
    },
  );

  app.get(
    '/routing/rules/:id',
    doc('routing', 'A routing rule', RoutingRule),
    valid('param', IdParam),
    async (c) => c.json(await requireRule(host, c.req.valid('param').id)),
  );

  app.put(
    '/routing/rules/:id',
    doc('routing', 'Update a routing rule (any field)', RoutingRuleResponse),
    valid('param', IdParam),
    valid('json', UpdateRoutingRuleRequest),
    async (c) => {
      const rule = await requireRule(host, c.req.valid('param').id);
      audit(c, { action: 'routing_rule.update', target_type: 'routing_rule', target_id: rule.rule_id });
      const updated = await host.updateRoutingRule(rule.rule_id, c.req.valid('json'));
      return c.json({
        success: true as const,
        rule_id: updated.rule_id,
        message: `Routing rule '${updated.name}' updated`,
        rule: updated,
      });
    },
  );

  app.delete(
    '/routing/rules/:id',
    doc('routing', 'Delete a routing rule', RoutingRuleResponse),
    valid('param', IdParam),
    async (c) => {
      const rule = await requireRule(host, c.req.valid('param').id);
      audit(c, { action: 'routing_rule.delete', target_type: 'routing_rule', target_id: rule.rule_id });
      await host.removeRoutingRule(rule.rule_id);
      return c.json({
        success: true as const,
        rule_id: rule.rule_id,
        message: `Routing rule '${rule.name}' deleted`,
      });
    },
  );

  app.post(
    '/routing/explain',
    doc(
      'routing',
      'Dry-run the router on a sample connection: which rule matched, why the others did not, the pick',
      RouteExplainResponse,
    ),
    valid('json', RouteContextBody),
    async (c) => c.json(await host.explainRoute(c.req.valid('json'))),
  );

  return app;
}
