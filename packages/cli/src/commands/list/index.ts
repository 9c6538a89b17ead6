import { ServiceStatus } from '@myagent/models';
import * as v from 'valibot';
import { usageError } from '../../errors.js';
import { serviceTable } from '../../render.js';
import type { CommandSpec } from '../../spec.js';

const STATUSES = ServiceStatus.options;

export const list: CommandSpec = {
  usage: 'list',
  aliases: ['ls'],
  description: 'List services with their status, endpoint, connections, sessions, CPU, memory and uptime',
  options: [
    {
      flags: '--status <status>',
      description: `only these statuses, comma-separated (${STATUSES.join(', ')})`,
      type: 'list',
    },
    {
      flags: '--tag <tags>',
      description: 'only services with every one of these tags, comma-separated',
      type: 'list',
    },
  ],
  examples: [
    'myagent-manager list',
    'myagent-manager list --status running',
    'myagent-manager list --tag weather --status running',
    'myagent-manager ls --json',
  ],
  validate(_args, options) {
    for (const status of (options.status as string[] | undefined) ?? []) {
      if (!v.is(ServiceStatus, status))
        throw usageError(`--status must be one of ${STATUSES.join(', ')}, got '${status}'`);
    }
  },
  async run(ctx, _args, options) {
    const status = (options.status as string[] | undefined)?.join(',');
    const tag = (options.tag as string[] | undefined)?.join(',');
    const reply = await ctx.client.listServices({ status, tag });
    if (ctx.out.json) ctx.out.printJson(reply.json);
    else serviceTable(ctx.out, reply.data.services);
  },
};
