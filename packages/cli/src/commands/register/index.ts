import { resolve } from 'node:path';
import type { CreateServiceRequestInput, ServiceConfigPatch } from '@myagent/models';
import { usageError } from '../../errors.js';
import { NO_WAIT, serviceAction } from '../../lifecycle.js';
import { reportFailure } from '../../render.js';
import type { CommandSpec, OptionValues } from '../../spec.js';

/** `KEY=VALUE` pairs into an object; a pair without `=` is a usage error naming the flag. */
export function keyValues(
  flag: string,
  pairs: readonly string[] | undefined,
): Record<string, string> | undefined {
  if (!pairs) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) throw usageError(`${flag} takes KEY=VALUE, got '${pair}'`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** The config fields given as flags, under their wire names; absent flags are left out. */
export function configOf(options: OptionValues): ServiceConfigPatch {
  const config: Record<string, unknown> = {
    max_sessions: options.maxSessions,
    session_timeout: options.sessionTimeout,
    heartbeat_interval: options.heartbeatInterval,
    run_timeout: options.runTimeout,
    auto_restart: options.autoRestart,
    max_restart_count: options.maxRestartCount,
    restart_delay: options.restartDelay,
    health_check_enabled: options.healthCheck,
    health_check_interval: options.healthCheckInterval,
    memory_limit_mb: options.memoryLimit,
    environment: keyValues('--env', options.env as string[] | undefined),
  };
  return Object.fromEntries(
    Object.entries(config).filter(([, value]) => value !== undefined),
  ) as ServiceConfigPatch;
}

export const register: CommandSpec = {
  usage: 'register <name> <path>',
  description:
    'Register an agent module (.ts, .js, .mjs) as a service; PATH is resolved against the current folder',
  options: [
    { flags: '--host <host>', description: 'address the agent server binds', defaultText: '127.0.0.1' },
    {
      flags: '--port <port>',
      description: 'its port',
      type: 'int',
      min: 1,
      max: 65_535,
      defaultText: 'allocated',
    },
    {
      flags: '--tags <tags>',
      description: 'comma-separated tags (routing rules select by them)',
      type: 'list',
    },
    { flags: '--description <text>', description: 'what the service is for' },
    {
      flags: '--auto-start',
      description: 'start it now (and wait until it is RUNNING) and whenever the manager starts',
    },
    NO_WAIT,
    {
      flags: '--max-sessions <n>',
      description: 'most sessions at once, 0 for no limit',
      type: 'int',
      min: 0,
      defaultText: '0',
    },
    {
      flags: '--session-timeout <s>',
      description: 'idle sessions expire after this many seconds',
      type: 'seconds',
      min: 0.01,
      defaultText: '1800',
    },
    {
      flags: '--heartbeat-interval <s>',
      description: 'seconds between heartbeats, 0 for none',
      type: 'seconds',
      min: 0,
      defaultText: '30',
    },
    {
      flags: '--run-timeout <s>',
      description: 'seconds one agent run may take',
      type: 'seconds',
      min: 0.01,
      defaultText: '600',
    },
    { flags: '--no-auto-restart', description: 'do not restart it when it fails' },
    {
      flags: '--max-restart-count <n>',
      description: 'restarts in a row before giving up',
      type: 'int',
      min: 0,
      defaultText: '3',
    },
    {
      flags: '--restart-delay <s>',
      description: 'seconds before an automatic restart',
      type: 'seconds',
      min: 0,
      defaultText: '5',
    },
    { flags: '--no-health-check', description: 'do not health-check it' },
    {
      flags: '--health-check-interval <s>',
      description: 'seconds between health checks',
      type: 'seconds',
      min: 0.01,
      defaultText: '10',
    },
    {
      flags: '--memory-limit <mb>',
      description: 'memory limit of each agent worker, in MB',
      type: 'int',
      min: 1,
    },
    {
      flags: '--env <KEY=VALUE>',
      description: 'an environment variable of the service; repeatable',
      type: 'repeat',
    },
  ],
  examples: [
    'myagent-manager register my_service /path/to/agent.py --host localhost --port 8081 --tags production,chat --auto-start',
    'myagent-manager register weather-agent ./agents/weather_agent.ts --port 8081 --tags weather,info --max-sessions 100',
    'myagent-manager register echo ./examples/echo-agent.ts --env LOG_LEVEL=debug --no-auto-restart',
  ],
  validate(args, options, io) {
    // The manager checks that the file exists (it may run elsewhere, with the same file system mounted).
    args[1] = resolve(io.cwd, args[1] as string);
    keyValues('--env', options.env as string[] | undefined);
  },
  async run(ctx, [name, path], options) {
    const { out, client } = ctx;
    const wait = options.wait !== false;
    const body: CreateServiceRequestInput = {
      name: name as string,
      agent_factory_path: path as string,
      ...(options.host !== undefined && { host: options.host as string }),
      ...(options.port !== undefined && { port: options.port as number }),
      ...(options.tags !== undefined && { tags: options.tags as string[] }),
      ...(options.description !== undefined && { description: options.description as string }),
      config: configOf(options),
      // Without waiting, the start is asked for separately so that the registration answers at once.
      auto_start: options.autoStart === true && wait,
    };
    const reply = await out.spin(
      options.autoStart ? `registering and starting ${name}` : `registering ${name}`,
      () => client.registerService(body),
    );
    const service = reply.data.service;
    if (options.autoStart === true && !wait) return serviceAction(ctx, service.name, 'start', false);
    if (out.json) out.printJson(reply.json);
    if (body.auto_start && service.status !== 'running') {
      return reportFailure(ctx, service.name, service.error_message);
    }
    if (!out.json) {
      out.print(`${out.c.green('✔')} registered ${service.name} (${service.service_id})`);
      out.print(`  endpoint ${service.endpoint}  status ${out.status(service.status)}`);
    }
    return 0;
  },
};
