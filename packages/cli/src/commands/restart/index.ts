import { COUNTDOWN, NO_WAIT, serviceAction } from '../../lifecycle.js';
import type { CommandSpec } from '../../spec.js';

export const restart: CommandSpec = {
  usage: 'restart <name>',
  description: 'Restart a service and wait until it is RUNNING again',
  options: [NO_WAIT, COUNTDOWN],
  examples: [
    'myagent-manager restart my_service',
    'myagent-manager restart weather-agent --countdown 10',
    'myagent-manager restart weather-agent --json',
  ],
  run: (ctx, [name], options) =>
    serviceAction(
      ctx,
      name as string,
      'restart',
      options.wait !== false,
      options.countdown as number | undefined,
    ),
};
