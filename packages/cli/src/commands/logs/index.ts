import { LogLevel } from '@myagent/models';
import * as v from 'valibot';
import { FollowedLogLine } from '../../client.js';
import { usageError } from '../../errors.js';
import { type Output, time } from '../../output.js';
import { named } from '../../render.js';
import type { CommandContext, CommandSpec, OptionValues } from '../../spec.js';

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `--since`: an ISO time, or a duration back from now (`30s`, `10m`, `2h`, `7d`). */
export function sinceOf(text: string, now = Date.now()): string {
  const ago = /^(\d{1,7})([smhdw])$/u.exec(text);
  if (ago) return new Date(now - Number(ago[1]) * (UNIT_S[ago[2] as string] as number) * 1000).toISOString();
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/u.test(text) || Number.isNaN(date.getTime())) {
    throw usageError(
      `--since takes an ISO time (2026-01-31T10:00:00Z) or a duration (30s, 10m, 2h, 7d), got '${text}'`,
    );
  }
  return date.toISOString();
}

type Line = v.InferOutput<typeof FollowedLogLine>;

const LEVEL_COLOR = { debug: 'gray', info: 'cyan', warn: 'yellow', error: 'red' } as const;

function printLine(out: Output, line: Line, service?: string): void {
  if (out.json) {
    // One JSON object a line while following (a stream of JSON lines, as `jq` reads them).
    out.print(JSON.stringify(line));
    return;
  }
  const level = (out.c[LEVEL_COLOR[line.level]] as (s: string) => string)(line.level.toUpperCase().padEnd(5));
  const who = service ? `${out.c.magenta(service)} ` : '';
  out.print(`${out.c.dim(time(line.timestamp))} ${who}${level} ${line.message}`);
}

async function follow(ctx: CommandContext, name: string | undefined, options: OptionValues): Promise<number> {
  const { client, out, signal } = ctx;
  // Names of the services, for lines of all of them.
  const names = new Map<string, string>();
  if (name === undefined) {
    for (const s of (await client.listServices()).data.services) names.set(s.service_id, s.name);
  }
  const events = client.followLogs(
    name,
    { level: options.level as string | undefined, limit: (options.lines as number | undefined) ?? 10 },
    signal,
  );
  const read = async (): Promise<number> => {
    try {
      for await (const event of events) {
        if (event.event === 'close') {
          out.note(out.c.dim('the manager closed the stream (it is stopping)'));
          return 1;
        }
        if (event.event !== 'log') continue;
        const parsed = v.safeParse(FollowedLogLine, event.data);
        if (!parsed.success) continue;
        const line = parsed.output;
        printLine(
          out,
          line,
          name === undefined ? (names.get(line.service_id) ?? line.service_id.slice(0, 8)) : undefined,
        );
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
    // Ctrl+C is how a follow ends; the stream ending by itself means the manager went away.
    return signal.aborted ? 0 : 1;
  };
  return named(name ?? '', read());
}

export const logs: CommandSpec = {
  usage: 'logs [name]',
  description: "A service's log lines (stdout and stderr, with level and time); --follow streams new ones",
  options: [
    {
      flags: '-f, --follow',
      description: 'keep printing new lines as they come (Ctrl+C to stop); every service without NAME',
    },
    { flags: '--level <level>', description: 'only lines of this level or above', choices: LogLevel.options },
    { flags: '--since <time>', description: 'only lines since then: an ISO time or 30s, 10m, 2h, 7d' },
    {
      flags: '-n, --lines <n>',
      description: 'the newest N lines',
      type: 'int',
      min: 0,
      max: 10_000,
      defaultText: '100 (10 with --follow)',
    },
    { flags: '--search <text>', description: 'lines containing TEXT, of NAME or of every service' },
  ],
  examples: [
    'myagent-manager logs weather-agent',
    'myagent-manager logs weather-agent --follow --level error',
    'myagent-manager logs weather-agent --since 10m --lines 50',
    'myagent-manager logs --search "timeout"',
  ],
  validate(args, options) {
    if (options.follow === true && options.search !== undefined)
      throw usageError('--follow and --search do not go together');
    if (options.follow === true && options.since !== undefined)
      throw usageError('--follow starts from the newest lines: drop --since');
    if (args[0] === undefined && options.follow !== true && options.search === undefined) {
      throw usageError('logs needs a service NAME (or --search TEXT, or --follow for every service)');
    }
    if (options.since !== undefined) options.since = sinceOf(options.since as string);
  },
  async run(ctx, [name], options) {
    const { client, out } = ctx;
    if (options.follow === true) return follow(ctx, name, options);
    const level = options.level as string | undefined;
    const limit = options.lines as number | undefined;
    const reply =
      options.search !== undefined
        ? await named(
            name ?? '',
            client.searchLogs({ query: options.search as string, service_id: name, level, limit }),
          )
        : await named(
            name as string,
            client.serviceLogs(name as string, { level, limit, since: options.since as string | undefined }),
          );
    if (out.json) {
      out.printJson(reply.json);
      return;
    }
    if (reply.data.lines.length === 0) {
      out.print(out.c.dim('no log lines'));
      return;
    }
    let names: Map<string, string> | undefined;
    if (name === undefined) {
      names = new Map((await client.listServices()).data.services.map((s) => [s.service_id, s.name]));
    }
    for (const line of reply.data.lines)
      printLine(out, line, names ? (names.get(line.service_id) ?? line.service_id.slice(0, 8)) : undefined);
  },
};
