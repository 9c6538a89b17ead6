import { AppError, type ConnectionInfo } from '@myagent/models';
import type { Router } from '@myagent/router';

// INTERIM (issue 9, until the proxy of issue 8 merges): the connection methods the API calls, over what
// the manager has today, the router's live table. The proxy's AgentManager methods of the same names
// replace this file: they reach the live sockets (a real close with the reason, a real notification).

/** A `management_notification` for connected clients (spec E4). */
export interface ClientNotification {
  type: string;
  message: string;
  severity: 'info' | 'warning' | 'critical';
  countdown_seconds?: number;
}

/** Live connections of the router's table, filtered. */
export function liveConnections(
  router: Router,
  filter: { service_id?: string; status?: ConnectionInfo['status']; limit?: number },
): ConnectionInfo[] {
  return router.connections.active(filter);
}

/** Ends a live connection: without the proxy there is no socket to notify, so `notified` is false. */
export async function disconnectLive(
  connectionId: string,
  _options: { reason?: string; notify_client?: boolean },
  unregister: (connectionId: string) => Promise<boolean>,
  router: Router,
): Promise<{ notified: boolean }> {
  if (!router.connections.get(connectionId)) {
    throw new AppError('CONNECTION_NOT_FOUND', `Connection '${connectionId}' not found`, {
      details: { connection_id: connectionId },
    });
  }
  await unregister(connectionId);
  return { notified: false };
}

/** Without the proxy no client socket is held here: nobody can be notified. */
export async function notifyLive(
  _router: Router,
  _notification: ClientNotification,
  _options: { service_id?: string },
): Promise<number> {
  return 0;
}
