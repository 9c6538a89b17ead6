import { named, serviceDetails } from '../../render.js';
import type { CommandContext, CommandSpec } from '../../spec.js';

/** Prints one service in full (shared by `show NAME` and `status NAME`). */
export async function showService(ctx: CommandContext, name: string): Promise<void> {
  const reply = await named(name, ctx.client.getService(name));
  if (ctx.out.json) ctx.out.printJson(reply.json);
  else serviceDetails(ctx.out, reply.data);
}

export const show: CommandSpec = {
  usage: 'show <name>',
  description: 'A service in full: endpoint, status, health, stats and config',
  examples: ['myagent-manager show weather-agent', 'myagent-manager show weather-agent --json'],
  run: (ctx, [name]) => showService(ctx, name as string),
};
