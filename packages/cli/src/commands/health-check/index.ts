import { named } from '../../render.js';
import type { CommandSpec } from '../../spec.js';

export const healthCheck: CommandSpec = {
  usage: 'health-check <name>',
  description: 'Check a service now (WebSocket round trip, status, resources); exit 1 when it is unhealthy',
  examples: [
    'myagent-manager health-check weather-agent',
    'myagent-manager health-check weather-agent --json',
  ],
  async run(ctx, [name]) {
    const { out } = ctx;
    const reply = await out.spin(`checking ${name}`, () =>
      named(name as string, ctx.client.checkService(name as string)),
    );
    const result = reply.data;
    if (out.json) out.printJson(reply.json);
    else {
      const time = result.response_time_ms === null ? '' : ` in ${result.response_time_ms.toFixed(1)} ms`;
      out.print(`${name}: ${out.status(result.status)}${time}`);
      out.table(
        ['CHECK', 'STATUS', 'MESSAGE'],
        Object.entries(result.checks).map(([check, outcome]) => [
          check,
          out.status(outcome.status),
          outcome.message,
        ]),
      );
      if (result.error) out.print(out.c.red(result.error));
    }
    return result.status === 'unhealthy' ? 1 : 0;
  },
};
