import { AppError } from '@myagent/models';
import type { CommandSpec } from '../../spec.js';

export const disconnect: CommandSpec = {
  usage: 'disconnect <id>',
  description: 'Disconnect a client connection, telling the client why',
  options: [
    {
      flags: '--reason <text>',
      description: 'what the client is told',
      defaultText: 'Administrative disconnect',
    },
  ],
  examples: ['myagent-manager disconnect 6f1c2a9e-... --reason "maintenance"'],
  async run(ctx, [id], options) {
    const connectionId = id as string;
    const reply = await ctx.client
      .disconnect(connectionId, options.reason as string | undefined)
      .catch((error: unknown) => {
        if (AppError.is(error) && error.code === 'CONNECTION_NOT_FOUND') {
          throw new AppError('CONNECTION_NOT_FOUND', `no connection with id '${connectionId}'`, {
            details: error.details,
          });
        }
        throw error;
      });
    if (ctx.out.json) ctx.out.printJson(reply.json);
    else
      ctx.out.print(
        `${ctx.out.c.green('✔')} ${reply.data.message}${reply.data.notified ? ' (client notified)' : ''}`,
      );
  },
};
