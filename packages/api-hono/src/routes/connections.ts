import {
  ConnectionListResponse,
  ConnectionStatsResponse,
  ConnectionStatus,
  DisconnectResponse,
} from '@myagent/models';
import { Hono } from 'hono';
import * as v from 'valibot';
import type { ApiEnv } from '../env.js';
import type { ApiHost } from '../host.js';
import { IdParam, intQuery, safeText, valid } from '../validate.js';
import { audit, doc, requireService } from './common.js';

const ListQuery = v.object({
  service_id: v.optional(safeText(256)),
  status: v.optional(ConnectionStatus),
  limit: intQuery(1, 10_000, 100),
});
const ServiceConnectionsQuery = v.object({
  status: v.optional(ConnectionStatus),
  limit: intQuery(1, 10_000, 100),
});

const DisconnectBody = v.strictObject({
  reason: v.optional(safeText(512, 0), 'Administrative disconnect'),
  notify_client: v.optional(v.boolean(), true),
});

const NotifyBody = v.strictObject({
  type: v.optional(safeText(64), 'announcement'),
  message: safeText(2048),
  severity: v.optional(v.picklist(['info', 'warning', 'critical']), 'info'),
  countdown_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(86_400 * 7))),
  service_id: v.optional(safeText(256)),
});

const NotifyResponse = v.object({ success: v.literal(true), message: v.string(), notified: v.number() });

/** Connections (spec F4): live connections, their stats, an admin disconnect, a notification to clients. */
export function connectionRoutes(host: ApiHost) {
  const app = new Hono<ApiEnv>();

  const list = async (query: { service_id?: string; status?: ConnectionStatus; limit: number }) => {
    // Asked without the limit, so that `total` counts every match.
    const all = await host.listConnections({ service_id: query.service_id, status: query.status });
    return { connections: all.slice(0, query.limit), total: all.length };
  };

  app.get(
    '/connections',
    doc('connections', 'Live connections', ConnectionListResponse),
    valid('query', ListQuery),
    async (c) => {
      const query = c.req.valid('query');
      const service = query.service_id === undefined ? undefined : await host.findService(query.service_id);
      return c.json(await list({ ...query, service_id: service?.service_id ?? query.service_id }));
    },
  );

  app.get(
    '/connections/stats',
    doc('connections', 'Live connections by status and service', ConnectionStatsResponse),
    (c) => c.json(host.getConnectionStats()),
  );

  app.get(
    '/services/:id/connections',
    doc('connections', "A service's live connections", ConnectionListResponse),
    valid('param', IdParam),
    valid('query', ServiceConnectionsQuery),
    async (c) => {
      const service = await requireService(host, c.req.valid('param').id);
      return c.json(await list({ ...c.req.valid('query'), service_id: service.service_id }));
    },
  );

  app.post(
    '/connections/:id/disconnect',
    doc('connections', 'Disconnect a client, telling it why', DisconnectResponse),
    valid('param', IdParam),
    valid('json', DisconnectBody),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      audit(c, { action: 'connection.disconnect', target_type: 'connection', target_id: id });
      const { notified } = await host.disconnectConnection(id, body);
      return c.json({
        success: true as const,
        connection_id: id,
        message: `Connection disconnected: ${body.reason}`,
        notified,
      });
    },
  );

  app.post(
    '/connections/notify',
    doc(
      'connections',
      'Send a management_notification to the clients of one service, or all',
      NotifyResponse,
    ),
    valid('json', NotifyBody),
    async (c) => {
      const { service_id, ...notification } = c.req.valid('json');
      const service = service_id === undefined ? undefined : await requireService(host, service_id);
      audit(c, {
        action: 'connection.notify',
        target_type: service ? 'service' : 'connections',
        target_id: service?.service_id ?? null,
        service_id: service?.service_id ?? null,
      });
      const notified = await host.notifyClients(
        notification,
        service ? { service_id: service.service_id } : {},
      );
      return c.json({ success: true as const, message: `Notified ${notified} client(s)`, notified });
    },
  );

  return app;
}
