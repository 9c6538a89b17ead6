import { NO_WAIT, serviceAction } from '../../lifecycle.js';
import type { CommandSpec } from '../../spec.js';

export const start: CommandSpec = {
  usage: 'start <name>',
  description:
    'Start a service and wait until it is RUNNING (prints the reason and its last log lines if it fails)',
  options: [NO_WAIT],
  examples: ['myagent-manager start my_service', 'myagent-manager start weather-agent --json'],
  run: (ctx, [name], options) => serviceAction(ctx, name as string, 'start', options.wait !== false),
};
