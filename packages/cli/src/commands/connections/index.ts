import { ConnectionStatus } from '@myagent/models';
import { time } from '../../output.js';
import { limitNote, withServiceNames } from '../../render.js';
import type { CommandSpec } from '../../spec.js';

export const connections: CommandSpec = {
  usage: 'connections',
  description: "Live client connections (through the manager's /ws proxy), of one service or all",
  options: [
    { flags: '--service <name>', description: 'only the connections of this service (name or id)' },
    {
      flags: '--status <status>',
      description: 'only connections in this status',
      choices: ConnectionStatus.options,
    },
    {
      flags: '--limit <n>',
      description: 'at most this many',
      type: 'int',
      min: 1,
      max: 10_000,
      defaultText: '100',
    },
  ],
  examples: ['myagent-manager connections', 'myagent-manager connections --service weather-agent'],
  async run(ctx, _args, options) {
    const { client, out } = ctx;
    const reply = await withServiceNames(
      ctx,
      client.listConnections({
        service_id: options.service as string | undefined,
        status: options.status as string | undefined,
        limit: (options.limit as number | undefined) ?? 100,
      }),
    );
    if (!reply) return;
    const { connections, total } = reply.data;
    out.table(
      ['ID', 'SERVICE', 'CLIENT', 'STATUS', 'SESSION', 'CONNECTED', 'LAST ACTIVITY', 'MSGS', 'IN/OUT B'],
      connections.map((c) => [
        c.connection_id,
        reply.nameOf(c.target_service_id),
        c.client_port ? `${c.client_ip}:${c.client_port}` : c.client_ip,
        out.status(c.status),
        c.session_id ?? '-',
        time(c.connected_at),
        time(c.last_activity),
        c.message_count,
        `${c.bytes_received}/${c.bytes_sent}`,
      ]),
      'no connections',
    );
    limitNote(out, connections.length, total);
  },
};
