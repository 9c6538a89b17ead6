import {
  HealthCheckResult,
  HealthHistoryResponse,
  HealthOverviewResponse,
  type Service,
  ServiceHealthResponse,
} from '@myagent/models';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost } from '../host.js';
import { boolQuery, IdParam, intQuery, valid } from '../validate.js';
import { auditService, doc, requireService } from './common.js';

const HistoryQuery = v.object({ limit: intQuery(1, 10_000, 50) });
const OverviewQuery = v.object({ fresh: boolQuery(false) });

/** Health (spec F3): the summary, each service's state and history, and a check on demand. */
export function healthRoutes(host: ApiHost) {
  const app = new Hono<ApiEnv>();

  const stateOf = (service: Service) => {
    const state = host.healthState(service.service_id);
    const latest = state?.last_result ?? null;
    return {
      service_id: service.service_id,
      name: service.name,
      status: state?.status ?? 'unknown',
      service_status: service.status,
      last_check: latest?.timestamp ?? service.last_health_check,
      response_time_ms: latest?.response_time_ms ?? null,
      latest,
    };
  };

  app.get(
    '/health',
    doc(
      'health',
      "Every service's health and the summary (`?fresh=true` checks them all first)",
      HealthOverviewResponse,
    ),
    valid('query', OverviewQuery),
    async (c) => {
      if (c.req.valid('query').fresh) await host.checkAllServices();
      const [summary, { services }] = await Promise.all([
        host.healthSummary(),
        host.listServices({ limit: 10_000, offset: 0 }),
      ]);
      return c.json({ summary, services: services.map(stateOf) });
    },
  );

  const state = async (id: string) => stateOf(await requireService(host, id));
  for (const path of ['/services/:id/health', '/health/services/:id']) {
    app.get(
      path,
      doc('health', "A service's health state", ServiceHealthResponse),
      valid('param', IdParam),
      async (c) => c.json(await state(c.req.valid('param').id)),
    );
  }

  const history = async (id: string, limit: number) => {
    const service = await requireService(host, id);
    const results = await host.healthHistory(service.service_id, limit);
    return { service_id: service.service_id, history: results, total: results.length };
  };
  for (const path of ['/services/:id/health/history', '/health/services/:id/history']) {
    app.get(
      path,
      doc('health', "A service's health history, newest first", HealthHistoryResponse),
      valid('param', IdParam),
      valid('query', HistoryQuery),
      async (c) => c.json(await history(c.req.valid('param').id, c.req.valid('query').limit)),
    );
  }

  app.post(
    '/health/services/:id/check',
    doc('health', 'Check a service now', HealthCheckResult),
    valid('param', IdParam),
    async (c) => {
      const service = await requireService(host, c.req.valid('param').id);
      auditService(c, 'health.check', service);
      return c.json(await host.checkService(service.service_id));
    },
  );

  return app;
}
