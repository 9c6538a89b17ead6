import { readFileSync } from 'node:fs';
import { type CAC, cac } from 'cac';
import { createClient, type ManagerClient } from './client.js';
import { COMMANDS } from './commands/index.js';
import { CliError, ConfigError, EXIT, errorLine, errorLines, exitCodeOf, usageError } from './errors.js';
import { type CliIO, Output } from './output.js';
import {
  type CommandContext,
  type CommandSpec,
  type GlobalOptions,
  type OptionSpec,
  type OptionValues,
  readOptions,
} from './spec.js';

/** The program name in help and errors. */
export const PROGRAM = 'myagent-manager';

/** `--url`'s default: the daemon's default address. */
export const DEFAULT_URL = 'http://127.0.0.1:8000';

/** The options every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    flags: '--url <url>',
    description: 'the manager to talk to (also MYAGENT_URL)',
    defaultText: DEFAULT_URL,
  },
  {
    flags: '--token <token>',
    description: 'bearer token, when the manager requires one (also MYAGENT_TOKEN)',
  },
  { flags: '--json', description: "print the API's JSON instead of tables (for scripts)" },
  { flags: '-h, --help', description: 'this help' },
  { flags: '-v, --version', description: 'the version of @myagent/cli' },
];

const EXIT_CODES = `Exit codes:
  0  success
  1  the operation failed (the manager refused it, a service ended in ERROR, a check is unhealthy)
  2  usage error (unknown command or flag, missing argument, bad value, bad config file)
  3  not found (no such service, rule or connection)
  4  cannot reach the manager (is the daemon running? the URL tried is printed)`;

/** The version of this package, from its package.json. */
export function cliVersion(): string {
  // src/cli.ts and dist/cli.js both sit one folder below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * The cac program with every command and its options declared (from the command specs, which stay the one
 * source of truth). Used for matching a command and refusing unknown flags; help is rendered from the specs.
 */
export function createCLI(commands: readonly CommandSpec[] = COMMANDS): CAC {
  const cli = cac(PROGRAM);
  for (const option of GLOBAL_OPTIONS) cli.option(option.flags, option.description);
  for (const spec of commands) {
    const command = cli.command(
      spec.usage,
      spec.description,
      spec.passThrough ? { allowUnknownOptions: true } : {},
    );
    for (const alias of spec.aliases ?? []) command.alias(alias);
    for (const option of spec.options ?? []) command.option(option.flags, option.description);
  }
  return cli;
}

/** What {@link parseCLI} found: help or version to print, or a command to run. */
export type ParsedCLI =
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  | {
      kind: 'run';
      command: CommandSpec;
      name: string;
      args: string[];
      options: OptionValues;
      global: GlobalOptions;
    };

/**
 * Parses a command line (without `node` and the script) into what to do. Throws a {@link CliError} with
 * exit code 2 for every usage error, without touching the network or the process.
 * @example parseCLI(['list', '--status', 'running'], { env: {}, cwd: '/' })
 */
export function parseCLI(
  argv: readonly string[],
  io: Pick<CliIO, 'env' | 'cwd'> = { env: {}, cwd: '/' },
  commands: readonly CommandSpec[] = COMMANDS,
): ParsedCLI {
  const cli = createCLI(commands);
  let parsed: { args: readonly unknown[]; options: Record<string, unknown> };
  try {
    parsed = cli.parse(['node', PROGRAM, ...argv], { run: false });
  } catch (error) {
    throw usageError((error as Error).message);
  }
  const matched = cli.matchedCommand;
  const spec = matched ? commands.find((command) => command.usage === matched.rawName) : undefined;
  const wantsHelp = parsed.options.help === true;
  if (!spec) {
    const first = parsed.args[0];
    if (first !== undefined) {
      throw usageError(`unknown command '${String(first)}' (see \`${PROGRAM} --help\`)`);
    }
    if (parsed.options.version === true && !wantsHelp)
      return { kind: 'version', text: `${PROGRAM}/${cliVersion()}` };
    return { kind: 'help', text: programHelp(commands) };
  }
  if (spec.passThrough) {
    const at = argv.indexOf(cli.matchedCommandName ?? '');
    const rest = argv.slice(at + 1);
    return {
      kind: 'run',
      command: spec,
      name: cli.matchedCommandName ?? spec.usage,
      args: rest,
      options: {},
      global: globalsOf(argv, io),
    };
  }
  if (wantsHelp) return { kind: 'help', text: commandHelp(spec) };
  try {
    matched?.checkUnknownOptions();
    matched?.checkRequiredArgs();
    matched?.checkUnusedArgs();
  } catch (error) {
    throw usageError(
      `${(error as Error).message.replace(/`/gu, "'")} (see \`${PROGRAM} ${spec.usage.split(' ')[0]} --help\`)`,
    );
  }
  const options = readOptions(argv, spec.options ?? []);
  const args = parsed.args.map(String);
  spec.validate?.(args, options, io);
  return {
    kind: 'run',
    command: spec,
    name: cli.matchedCommandName ?? spec.usage,
    args,
    options,
    global: globalsOf(argv, io),
  };
}

function globalsOf(argv: readonly string[], io: Pick<CliIO, 'env'>): GlobalOptions {
  const values = readOptions(argv, GLOBAL_OPTIONS.slice(0, 3));
  const url = (values.url as string | undefined) ?? io.env.MYAGENT_URL ?? DEFAULT_URL;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw usageError(`--url must be an http:// or https:// URL, got '${url}'`);
  }
  const token = (values.token as string | undefined) ?? (io.env.MYAGENT_TOKEN || undefined);
  return { url, ...(token ? { token } : {}), json: values.json === true };
}

function optionLines(options: readonly OptionSpec[]): string {
  const width = Math.max(...options.map((option) => option.flags.length));
  return options
    .map((option) => {
      const extra = option.choices ? ` (${option.choices.join(', ')})` : '';
      const fallback = option.defaultText ? ` (default: ${option.defaultText})` : '';
      return `  ${option.flags.padEnd(width)}  ${option.description}${extra}${fallback}`;
    })
    .join('\n');
}

/** The help of the whole program: every command, the global options, the exit codes. */
export function programHelp(commands: readonly CommandSpec[] = COMMANDS): string {
  const width = Math.max(...commands.map((command) => command.usage.length));
  const list = commands
    .map((command) => {
      const aliases = command.aliases?.length ? ` (alias: ${command.aliases.join(', ')})` : '';
      return `  ${command.usage.padEnd(width)}  ${command.description}${aliases}`;
    })
    .join('\n');
  return `${PROGRAM}/${cliVersion()}: run, watch and route agent services through the MyAgent manager

Usage:
  $ ${PROGRAM} <command> [options]     (also \`npx @myagent/cli <command>\`, or \`myagent <command>\`)

Commands:
${list}

Options of every command:
${optionLines(GLOBAL_OPTIONS)}

${EXIT_CODES}

Run \`${PROGRAM} <command> --help\` for a command's options and examples.`;
}

/** The help of one command: usage, options, notes, examples. */
export function commandHelp(spec: CommandSpec): string {
  const aliases = spec.aliases?.length ? `\nAliases: ${spec.aliases.join(', ')}\n` : '';
  const options = spec.options?.length ? `\nOptions:\n${optionLines(spec.options)}\n` : '';
  const notes = spec.notes ? `\n${spec.notes}\n` : '';
  const examples = spec.examples?.length
    ? `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`
    : '';
  return `Usage:
  $ ${PROGRAM} ${spec.usage}

${spec.description}
${aliases}${options}
Options of every command:
${optionLines(GLOBAL_OPTIONS)}
${notes}${examples}
${EXIT_CODES}`;
}

/** Options of {@link runCLI}. */
export interface RunOptions {
  /** Aborts long-running commands (the binary wires SIGINT to it). */
  signal?: AbortSignal;
  /** The commands to know. @default every command */
  commands?: readonly CommandSpec[];
}

/**
 * Parses and runs one command line; resolves with the exit code. Never throws and never prints a stack: an
 * error is one line on stderr (`CODE: message`), its class in the exit code.
 */
export async function runCLI(argv: readonly string[], io: CliIO, options: RunOptions = {}): Promise<number> {
  let json = argv.includes('--json');
  try {
    const parsed = parseCLI(argv, io, options.commands);
    if (parsed.kind !== 'run') {
      io.stdout.write(`${parsed.text}\n`);
      return EXIT.OK;
    }
    json = parsed.global.json;
    const out = new Output(io, json);
    let client: ManagerClient | undefined;
    const ctx: CommandContext = {
      get client() {
        client ??= createClient({ url: parsed.global.url, token: parsed.global.token });
        return client;
      },
      out,
      io,
      global: parsed.global,
      signal: options.signal ?? new AbortController().signal,
    };
    const code = await parsed.command.run(ctx, parsed.args, parsed.options);
    return typeof code === 'number' ? code : EXIT.OK;
  } catch (error) {
    const code = exitCodeOf(error);
    // A usage error is for the person at the terminal; a bad config file's problems are for scripts too.
    const usage =
      error instanceof CliError && error.exitCode === EXIT.USAGE && !(error instanceof ConfigError);
    if (json && !usage) {
      io.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`);
    }
    for (const line of errorLines(error)) io.stderr.write(`${PROGRAM}: ${line}\n`);
    return code;
  }
}

/** The `{success: false, error}` shape of an error, for `--json` callers. */
function errorJson(error: unknown) {
  const line = errorLine(error);
  const colon = line.indexOf(': ');
  const code = /^[A-Z_]+$/u.test(line.slice(0, colon)) ? line.slice(0, colon) : null;
  const details = (error as { details?: unknown }).details;
  return {
    success: false,
    error: { code, message: code ? line.slice(colon + 2) : line, details: details ?? {} },
  };
}
