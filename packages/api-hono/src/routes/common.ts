import { AppError, ErrorResponse, isoNow, type RoutingRule, type Service } from '@myagent/models';
import type { Context } from 'hono';
import { describeRoute, resolver } from 'hono-openapi';
import type * as v from 'valibot';
import type { ApiEnv, AuditTarget } from '../env.js';
import type { ApiHost } from '../host.js';

/** The OpenAPI description of a route: its summary, group, and the schema of its 200 answer. */
export function doc(
  tag: string,
  summary: string,
  schema?: v.GenericSchema,
  extra: { description?: string } = {},
) {
  return describeRoute({
    tags: [tag],
    summary,
    ...extra,
    responses: {
      200: schema
        ? { description: 'OK', content: { 'application/json': { schema: resolver(schema) } } }
        : { description: 'OK' },
      default: {
        description: 'An error: `{success: false, error: {code, message, details}}`',
        content: { 'application/json': { schema: resolver(ErrorResponse) } },
      },
    },
  });
}

/** Marks the call for the operation log. */
export function audit(c: Context<ApiEnv>, target: AuditTarget): void {
  c.set('audit', target);
}

/** Marks the call for the operation log as an operation on this service. */
export function auditService(c: Context<ApiEnv>, action: string, service: Pick<Service, 'service_id'>): void {
  audit(c, { action, target_type: 'service', target_id: service.service_id, service_id: service.service_id });
}

/** The service named by id or name. @throws AppError SERVICE_NOT_FOUND (seed 003 §4.1's details) */
export async function requireService(host: ApiHost, idOrName: string): Promise<Service> {
  const service = await host.findService(idOrName);
  if (!service) {
    throw new AppError('SERVICE_NOT_FOUND', `Service with ID '${idOrName}' not found`, {
      details: { service_id: idOrName, timestamp: isoNow() },
    });
  }
  return service;
}

/** The rule named by id or name. @throws AppError RULE_NOT_FOUND */
export async function requireRule(host: ApiHost, idOrName: string): Promise<RoutingRule> {
  const rule = await host.findRoutingRule(idOrName);
  if (!rule) {
    throw new AppError('RULE_NOT_FOUND', `Routing rule '${idOrName}' not found`, {
      details: { rule_id: idOrName, timestamp: isoNow() },
    });
  }
  return rule;
}
