import { COUNTDOWN, serviceAction } from '../../lifecycle.js';
import type { CommandSpec } from '../../spec.js';

export const stop: CommandSpec = {
  usage: 'stop <name>',
  description: 'Stop a service (SIGTERM, then SIGKILL after the grace period)',
  options: [COUNTDOWN],
  examples: [
    'myagent-manager stop my_service',
    'myagent-manager stop weather-agent --countdown 30',
    'myagent-manager stop weather-agent --json',
  ],
  run: (ctx, [name], options) =>
    serviceAction(ctx, name as string, 'stop', true, options.countdown as number | undefined),
};
