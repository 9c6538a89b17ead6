import { AppError, type Service } from '@myagent/models';
import { named, reportFailure } from './render.js';
import type { CommandContext, OptionSpec } from './spec.js';

/** `--no-wait`, shared by the commands that start a service. */
export const NO_WAIT: OptionSpec = {
  flags: '--no-wait',
  description: 'return once the start has begun instead of waiting until the service is RUNNING',
};

/** `--countdown <s>`, shared by stop and restart: the manager tells the service's /ws clients first. */
export const COUNTDOWN: OptionSpec = {
  flags: '--countdown <s>',
  description:
    "tell the service's WebSocket clients this many seconds ahead (a management_notification), then go on",
  type: 'int',
  min: 0,
  max: 3600,
  defaultText: '0',
};

const VERBING = { start: 'starting', stop: 'stopping', restart: 'restarting' } as const;
const DONE = { start: 'running', stop: 'stopped', restart: 'running' } as const;

/**
 * Starts, stops or restarts a service and reports how it ended: the manager answers once the service is
 * RUNNING (it accepts WebSocket connections) or has failed; a failure prints the reason and the last log
 * lines and exits 1. With `wait: false` it returns as soon as the manager has begun.
 */
export async function serviceAction(
  ctx: CommandContext,
  name: string,
  verb: 'start' | 'stop' | 'restart',
  wait: boolean,
  countdown?: number,
): Promise<number> {
  const { out, client } = ctx;
  if (!wait && verb !== 'stop') return begin(ctx, name, verb, countdown);
  let service: Service | undefined;
  try {
    const reply = await out.spin(`${VERBING[verb]} ${name}`, () =>
      named(name, client.serviceAction(name, verb, undefined, countdown)),
    );
    service = reply.data.service;
    if (out.json) out.printJson(reply.json);
  } catch (error) {
    if (AppError.is(error) && error.code === 'SERVICE_START_FAILED') {
      if (out.json) out.printJson(error.toJSON());
      return reportFailure(ctx, name, error.message);
    }
    throw error;
  }
  if (service && (service.status === 'error' || service.status === 'unhealthy') && verb !== 'stop') {
    return reportFailure(ctx, name, service.error_message);
  }
  if (!out.json) {
    const where = service && DONE[verb] === 'running' ? ` at ${service.endpoint}` : '';
    out.print(`${out.c.green('✔')} ${name} is ${out.status(service?.status ?? DONE[verb])}${where}`);
  }
  return 0;
}

/** Sends the start and returns once the service has left STOPPED (or the answer came first). */
async function begin(
  ctx: CommandContext,
  name: string,
  verb: 'start' | 'restart',
  countdown?: number,
): Promise<number> {
  const { client, out } = ctx;
  const before = await named(name, client.getService(name));
  const controller = new AbortController();
  const answer = client.serviceAction(name, verb, controller.signal, countdown).then(
    (reply) => ({ reply }),
    (error: unknown) => ({ error }),
  );
  const startedAt = before.data.started_at;
  for (;;) {
    const settled = await Promise.race([
      answer,
      new Promise<undefined>((r) => setTimeout(r, 100, undefined)),
    ]);
    if (settled) {
      if ('error' in settled) throw settled.error;
      if (out.json) out.printJson(settled.reply.json);
      else out.print(`${name} is ${out.status(settled.reply.data.status ?? 'starting')}`);
      return 0;
    }
    const now = (await client.getService(name)).data;
    if (now.status === 'starting' || (now.started_at !== startedAt && now.status === 'running')) {
      // The manager goes on with the start after this request is gone.
      controller.abort();
      if (out.json) out.printJson(now);
      else
        out.print(
          `${name} is ${out.status(now.status)} (not waiting: \`myagent-manager status ${name}\` to follow)`,
        );
      return 0;
    }
  }
}
