import { applyConfig } from '../../config/apply.js';
import { findConfig, loadConfig, shortPath } from '../../config/load.js';
import type { CommandSpec } from '../../spec.js';

const NOTES = `The file (JSON, YAML, or a .ts/.js module whose default export is the same shape, typed by
defineConfig from @myagent/models) lists services and routing rules:

  {
    "services": [
      { "name": "echo", "path": "./agents/echo.ts", "tags": ["chat"], "auto_start": true,
        "config": { "max_sessions": 50, "environment": { "LOG_LEVEL": "info" } } }
    ],
    "rules": [
      { "name": "vip", "priority": 10, "target_tags": ["chat"], "target_strategy": "least_connections",
        "conditions": [{ "field": "header.x-user-tier", "operator": "equals", "value": "vip" }] }
    ]
  }

Services and rules are matched by name. A service's path is resolved against the file's folder; what a
service leaves out takes its default (a port left out stays the one the manager allocated). A running
service restarts when a change needs it (its path, sessions, environment, ...; host and port: stop, update,
start), unless --no-restart. A service with "auto_start" is started when it is not running. Nothing is
removed without --prune. A bad file is reported one problem per line, with the field's path, and changes
nothing.`;

export const apply: CommandSpec = {
  usage: 'apply',
  description: 'Make the manager match a config file (services and routing rules) and print what changed',
  options: [
    {
      flags: '-f, --file <file>',
      description: 'the config file',
      defaultText: 'myagent.config.{ts,mts,js,mjs,cjs,json,yaml,yml} in the current folder',
    },
    { flags: '--dry-run', description: 'print the plan only; change nothing' },
    { flags: '--prune', description: 'also remove the services and rules the file does not name' },
    {
      flags: '--no-restart',
      description: 'leave running services running: changes they read at start wait for their next start',
    },
  ],
  notes: NOTES,
  examples: [
    'myagent-manager apply',
    'myagent-manager apply -f deploy/myagent.config.yaml --dry-run',
    'myagent-manager apply -f myagent.config.ts --prune',
  ],
  async run(ctx, _args, options) {
    const file = findConfig(ctx.io.cwd, options.file as string | undefined);
    const label = shortPath(file, ctx.io.cwd);
    const loaded = await loadConfig(file, label);
    return applyConfig(ctx.client, ctx.out, loaded, {
      prune: options.prune === true,
      dryRun: options.dryRun === true,
      restart: options.restart !== false,
      label,
    });
  },
};
