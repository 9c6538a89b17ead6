import { named } from '../../render.js';
import type { CommandSpec } from '../../spec.js';

export const unregister: CommandSpec = {
  usage: 'unregister <name>',
  aliases: ['remove', 'rm'],
  description: 'Stop a service and remove it with its history',
  examples: ['myagent-manager unregister my_service', 'myagent-manager remove weather-agent'],
  async run(ctx, [name]) {
    const reply = await ctx.out.spin(`removing ${name}`, () =>
      named(name as string, ctx.client.unregisterService(name as string)),
    );
    if (ctx.out.json) ctx.out.printJson(reply.json);
    else ctx.out.print(`${ctx.out.c.green('✔')} ${reply.data.message}`);
  },
};
