import {
  CreateServiceRequest,
  RegisterServiceResponse,
  ServiceActionResponse,
  ServiceConfigPatch,
  ServiceDetailsResponse,
  ServiceListResponse,
  ServiceStatus,
  ServiceUpdateResponse,
  Tag,
  UpdateServiceRequest,
} from '@myagent/models';
import { type Context, Hono } from 'hono';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost } from '../host.js';
import { memoizedJsonBytes } from '../json.js';
import { boolQuery, IdParam, intQuery, listQuery, valid } from '../validate.js';
import { audit, auditService, doc, requireService } from './common.js';

const ListQuery = v.object({
  status: v.optional(listQuery(ServiceStatus, 6)),
  /** One tag (seed 003) or a comma list (seed 000); every tag must match. */
  tag: v.optional(listQuery(Tag)),
  tags: v.optional(listQuery(Tag)),
  limit: intQuery(1, 1000, 100),
  offset: intQuery(0, 1_000_000_000, 0),
});

const RestartQuery = v.object({ restart: boolQuery(false) });
/** `?countdown=S` on stop and restart: the /ws clients are told S seconds ahead, then it happens. */
const CountdownQuery = v.object({ countdown: intQuery(0, 3600, 0) });

/** Services (spec F2): register, list, details, update, config, start, stop, restart, delete. */
export function serviceRoutes(host: ApiHost) {
  const app = new Hono<ApiEnv>();
  const listBody = memoizedJsonBytes();

  app.post(
    '/services',
    doc('services', 'Register a service', RegisterServiceResponse),
    valid('json', CreateServiceRequest),
    async (c) => {
      const body = c.req.valid('json');
      audit(c, { action: 'service.register', target_type: 'service', target_id: body.name });
      const service = await host.registerService(body);
      auditService(c, 'service.register', service);
      const started = body.auto_start
        ? ` and ${service.status === 'running' ? 'started' : `is ${service.status}`}`
        : '';
      return c.json({
        success: true as const,
        service_id: service.service_id,
        message: `Service registered successfully${started}`,
        endpoint: service.endpoint,
        service,
      });
    },
  );

  app.get(
    '/services',
    doc('services', 'List services', ServiceListResponse),
    valid('query', ListQuery),
    async (c) => {
      const query = c.req.valid('query');
      const tags = [...new Set([...(query.tag ?? []), ...(query.tags ?? [])])];
      const { services, total } = await host.listServices({
        ...(query.status?.length ? { status: query.status } : {}),
        ...(tags.length ? { tags } : {}),
        limit: query.limit,
        offset: query.offset,
      });
      const page = {
        limit: query.limit,
        offset: query.offset,
        has_next: query.offset + services.length < total,
      };
      // By hand around the list's remembered bytes (the host hands out the same frozen list until it changes,
      // so it is serialised and encoded once): the same bytes c.json would write.
      const body = listBody(services, '{"services":', `,"total":${total},"page":${JSON.stringify(page)}}`);
      return c.body(body, 200, { 'content-type': 'application/json' });
    },
  );

  app.get(
    '/services/:id',
    doc('services', 'A service with its config, stats and health', ServiceDetailsResponse),
    valid('param', IdParam),
    async (c) => {
      const service = await requireService(host, c.req.valid('param').id);
      const state = host.healthState(service.service_id);
      return c.json({
        ...service,
        health: {
          status: state?.status ?? 'unknown',
          last_check: state?.last_result?.timestamp ?? service.last_health_check,
          response_time_ms: state?.last_result?.response_time_ms ?? null,
        },
      });
    },
  );

  const respondUpdate = async (
    c: Context<ApiEnv>,
    idOrName: string,
    patch: UpdateServiceRequest,
    restart: boolean,
    action: string,
  ) => {
    const service = await requireService(host, idOrName);
    auditService(c, action, service);
    const result = await host.updateService(service.service_id, patch, { restart });
    const waiting = result.pending_restart.length > 0 && !result.restarted;
    const changed = result.changed.join(', ');
    const message =
      result.changed.length === 0
        ? 'Nothing changed'
        : result.restarted
          ? `Updated ${changed}; the service was restarted to apply it`
          : waiting
            ? `Updated ${changed}; ${result.pending_restart.join(', ')} take effect at the next start (restart the service, or send ?restart=true)`
            : `Updated ${changed}; applied now`;
    return c.json({
      success: true as const,
      service_id: service.service_id,
      message,
      changed: result.changed,
      applied_now: result.applied_now,
      pending_restart: result.pending_restart,
      restart_required: waiting,
      restarted: result.restarted,
      service: result.service,
    });
  };

  app.put(
    '/services/:id',
    doc('services', 'Update a service (name, description, tags, host, port, config)', ServiceUpdateResponse, {
      description:
        'Fields the manager reads live (auto_restart, restart and health-check settings, description, tags) apply at once; ' +
        'those the agent server reads at start wait for the next start of a running service (`pending_restart`), unless `?restart=true`. ' +
        'Host and port change only while the service is stopped.',
    }),
    valid('param', IdParam),
    valid('query', RestartQuery),
    valid('json', UpdateServiceRequest),
    (c) =>
      respondUpdate(
        c,
        c.req.valid('param').id,
        c.req.valid('json'),
        c.req.valid('query').restart,
        'service.update',
      ),
  );

  app.put(
    '/services/:id/config',
    doc('services', "Update a service's config (seed 003)", ServiceUpdateResponse),
    valid('param', IdParam),
    valid('query', RestartQuery),
    valid('json', ServiceConfigPatch),
    (c) =>
      respondUpdate(
        c,
        c.req.valid('param').id,
        { config: c.req.valid('json') },
        c.req.valid('query').restart,
        'service.update_config',
      ),
  );

  const action = (verb: 'start' | 'stop' | 'restart') => {
    const run = (serviceId: string, countdown: number) =>
      verb === 'start'
        ? host.startService(serviceId)
        : host[verb === 'stop' ? 'stopService' : 'restartService'](
            serviceId,
            countdown > 0 ? { countdown_seconds: countdown } : {},
          );
    const done = { start: 'started', stop: 'stopped', restart: 'restarted' }[verb];
    app.post(
      `/services/:id/${verb}`,
      doc('services', `${verb[0]?.toUpperCase()}${verb.slice(1)} a service`, ServiceActionResponse),
      valid('param', IdParam),
      valid('query', CountdownQuery),
      async (c) => {
        const service = await requireService(host, c.req.valid('param').id);
        auditService(c, `service.${verb}`, service);
        const after = await run(service.service_id, c.req.valid('query').countdown);
        return c.json({
          success: true as const,
          service_id: after.service_id,
          message: `Service '${after.name}' ${done}`,
          status: after.status,
          service: after,
        });
      },
    );
  };
  action('start');
  action('stop');
  action('restart');

  app.delete(
    '/services/:id',
    doc('services', 'Stop and unregister a service', ServiceActionResponse),
    valid('param', IdParam),
    async (c) => {
      const service = await requireService(host, c.req.valid('param').id);
      auditService(c, 'service.unregister', service);
      await host.unregisterService(service.service_id);
      return c.json({
        success: true as const,
        service_id: service.service_id,
        message: `Service '${service.name}' unregistered`,
      });
    },
  );

  return app;
}
