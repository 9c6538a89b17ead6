import {
  AppError,
  AuditListResponse,
  CreateWebhookRequest,
  DeliveryListResponse,
  UpdateWebhookRequest,
  Webhook,
  WebhookDelivery,
  WebhookListResponse,
  WebhookResponse,
} from '@myagent/models';
import { type Context, Hono } from 'hono';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost } from '../host.js';
import { IdParam, intQuery, safeText, TimestampQuery, valid } from '../validate.js';
import { audit, doc } from './common.js';

const DeliveriesQuery = v.object({ limit: intQuery(1, 10_000, 50) });
const AuditQuery = v.object({
  limit: intQuery(1, 10_000, 100),
  since: v.optional(TimestampQuery),
  service_id: v.optional(safeText(256)),
});

/** Alert webhooks (spec D6) and their deliveries, and the operation log (spec H4). */
export function alertRoutes(host: ApiHost) {
  const app = new Hono<ApiEnv>();

  const requireHook = async (id: string): Promise<Webhook> => {
    const hook = await host.getWebhook(id);
    if (!hook)
      throw new AppError('WEBHOOK_NOT_FOUND', `Webhook '${id}' not found`, { details: { webhook_id: id } });
    return hook;
  };
  /** Marks the call for the operation log as an operation on this webhook. */
  const auditHook = (c: Context<ApiEnv>, action: string, hook: Pick<Webhook, 'webhook_id'>) =>
    audit(c, { action, target_type: 'webhook', target_id: hook.webhook_id });

  app.get(
    '/alerts/webhooks',
    doc('alerts', 'Alert webhooks (secrets are never shown)', WebhookListResponse),
    async (c) => {
      const webhooks = await host.listWebhooks();
      return c.json({ webhooks, total: webhooks.length });
    },
  );

  app.post(
    '/alerts/webhooks',
    doc(
      'alerts',
      'Add a webhook: URL, events, and a secret that signs each body (X-MyAgent-Signature: sha256=HMAC)',
      WebhookResponse,
    ),
    valid('json', CreateWebhookRequest),
    async (c) => {
      audit(c, { action: 'webhook.create', target_type: 'webhook' });
      const webhook = await host.createWebhook(c.req.valid('json'));
      auditHook(c, 'webhook.create', webhook);
      return c.json({
        success: true as const,
        webhook_id: webhook.webhook_id,
        message: 'Webhook created',
        webhook,
      });
    },
  );

  app.get('/alerts/webhooks/:id', doc('alerts', 'A webhook', Webhook), valid('param', IdParam), async (c) =>
    c.json(await requireHook(c.req.valid('param').id)),
  );

  app.put(
    '/alerts/webhooks/:id',
    doc('alerts', 'Update a webhook (`secret: null` removes the secret)', WebhookResponse),
    valid('param', IdParam),
    valid('json', UpdateWebhookRequest),
    async (c) => {
      const hook = await requireHook(c.req.valid('param').id);
      auditHook(c, 'webhook.update', hook);
      const webhook = await host.updateWebhook(hook.webhook_id, c.req.valid('json'));
      return c.json({
        success: true as const,
        webhook_id: webhook.webhook_id,
        message: 'Webhook updated',
        webhook,
      });
    },
  );

  app.delete(
    '/alerts/webhooks/:id',
    doc('alerts', 'Delete a webhook and its deliveries', WebhookResponse),
    valid('param', IdParam),
    async (c) => {
      const hook = await requireHook(c.req.valid('param').id);
      auditHook(c, 'webhook.delete', hook);
      await host.deleteWebhook(hook.webhook_id);
      return c.json({ success: true as const, webhook_id: hook.webhook_id, message: 'Webhook deleted' });
    },
  );

  app.post(
    '/alerts/webhooks/:id/test',
    doc('alerts', 'Send a test alert to a webhook', WebhookDelivery),
    valid('param', IdParam),
    async (c) => {
      const hook = await requireHook(c.req.valid('param').id);
      auditHook(c, 'webhook.test', hook);
      return c.json(await host.testWebhook(hook.webhook_id));
    },
  );

  app.get(
    '/alerts/webhooks/:id/deliveries',
    doc('alerts', "A webhook's deliveries, newest first", DeliveryListResponse),
    valid('param', IdParam),
    valid('query', DeliveriesQuery),
    async (c) => {
      const hook = await requireHook(c.req.valid('param').id);
      return c.json(
        await host.listDeliveries({ webhook_id: hook.webhook_id, limit: c.req.valid('query').limit }),
      );
    },
  );

  app.get(
    '/alerts/deliveries',
    doc('alerts', 'Every delivery, newest first', DeliveryListResponse),
    valid('query', DeliveriesQuery),
    async (c) => c.json(await host.listDeliveries({ limit: c.req.valid('query').limit })),
  );

  app.get(
    '/audit',
    doc(
      'audit',
      'The operation log: who did what to which target, when, and how it ended; newest first',
      AuditListResponse,
    ),
    valid('query', AuditQuery),
    async (c) => {
      const { service_id, ...query } = c.req.valid('query');
      // A deleted service's entries stay: an id that names no service is used as given.
      const service = service_id === undefined ? undefined : await host.findService(service_id);
      return c.json(
        await host.listAudit({
          ...query,
          ...(service_id ? { service_id: service?.service_id ?? service_id } : {}),
        }),
      );
    },
  );

  return app;
}
