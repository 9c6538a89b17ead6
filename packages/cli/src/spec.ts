import type { ManagerClient } from './client.js';
import { usageError } from './errors.js';
import type { CliIO, Output } from './output.js';

/** How an option's value is read. `list` is comma-separated and repeatable; `repeat` is repeatable. */
export type OptionType = 'boolean' | 'string' | 'int' | 'seconds' | 'list' | 'repeat';

/** One option of a command, as data: help, parsing and validation all read it. */
export interface OptionSpec {
  /** As cac writes them: `--port <port>`, `-f, --file <file>`, `--auto-start`, `--no-wait`. */
  flags: string;
  description: string;
  /** @default 'string' when the flags take a value, else 'boolean' */
  type?: OptionType;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Bounds of an `int` or `seconds` option. */
  min?: number;
  max?: number;
  /** Shown in the help only: the manager applies its own defaults. */
  defaultText?: string;
}

/** Values of parsed options: absent options are absent (so a command sends only what was given). */
export type OptionValues = Record<string, string | number | boolean | string[] | undefined>;

/** The options every command takes. */
export interface GlobalOptions {
  url: string;
  token?: string;
  json: boolean;
}

/** What a command runs with. */
export interface CommandContext {
  /** The API client for --url / --token (created on first use). */
  readonly client: ManagerClient;
  readonly out: Output;
  readonly io: CliIO;
  readonly global: GlobalOptions;
  /** Aborted on Ctrl+C: long-running commands (follow, monitor) end cleanly when it fires. */
  readonly signal: AbortSignal;
}

/** A command, as data plus its run function (one folder per command under `src/commands/`). */
export interface CommandSpec {
  /** As cac writes it: `register <name> <path>`, `logs [name]`. */
  usage: string;
  aliases?: readonly string[];
  description: string;
  options?: readonly OptionSpec[];
  examples?: readonly string[];
  /** More help text (a syntax, a table of meanings), after the options. */
  notes?: string;
  /** Takes the raw arguments after the command name (the daemon's own flags). */
  passThrough?: boolean;
  /**
   * Checks what parsing alone cannot (combinations, syntaxes) and may rewrite the values; throws a usage
   * error. Runs inside `parseCLI`, so usage errors need no process and no manager.
   */
  validate?: (args: string[], options: OptionValues, io: Pick<CliIO, 'cwd' | 'env'>) => void;
  /** Runs the command; resolves with its exit code (0 when it resolves with anything but a number). */
  run: (ctx: CommandContext, args: string[], options: OptionValues) => Promise<unknown>;
}

/** The name cac gives an option's value (`--max-sessions` → `maxSessions`, `--no-wait` → `wait`). */
export function optionKey(flags: string): string {
  const long = longFlag(flags).replace(/^--(no-)?/u, '');
  return long.replace(/-([a-z])/gu, (_, letter: string) => letter.toUpperCase());
}

function longFlag(flags: string): string {
  const names = flags
    .replace(/[<[].*$/u, '')
    .split(',')
    .map((name) => name.trim());
  return names.find((name) => name.startsWith('--')) ?? (names[0] as string);
}

function flagNames(flags: string): string[] {
  return flags
    .replace(/[<[].*$/u, '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

/** The type of an option, given or implied by its flags. */
export function optionType(spec: OptionSpec): OptionType {
  return spec.type ?? (/[<[]/u.test(spec.flags) ? 'string' : 'boolean');
}

/**
 * The values of an option exactly as typed, read from argv itself: cac (through mri) turns number-like text
 * into numbers, which would change `--tags 007` or a connection id. Stops at `--`.
 */
function rawValues(argv: readonly string[], names: readonly string[]): (string | undefined)[] {
  const values: (string | undefined)[] = [];
  const end = argv.indexOf('--');
  const upTo = end === -1 ? argv.length : end;
  for (let i = 0; i < upTo; i++) {
    const token = argv[i] as string;
    for (const name of names) {
      if (token === name) {
        const next = argv[i + 1];
        const takes = next !== undefined && i + 1 < upTo && !(next.startsWith('-') && next.length > 1);
        values.push(takes ? next : undefined);
        if (takes) i++;
      } else if (token.startsWith(`${name}=`)) {
        values.push(token.slice(name.length + 1));
      }
    }
  }
  return values;
}

function present(argv: readonly string[], names: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const upTo = end === -1 ? argv.length : end;
  return argv
    .slice(0, upTo)
    .some((token) => names.some((name) => token === name || token.startsWith(`${name}=`)));
}

function numberOf(spec: OptionSpec, text: string | undefined, integer: boolean): number {
  const name = longFlag(spec.flags);
  const value = text !== undefined && /^-?\d+(\.\d+)?$/u.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw usageError(
      `${name} takes ${integer ? 'a whole number' : 'a number of seconds'}, got '${text ?? ''}'`,
    );
  }
  if (spec.min !== undefined && value < spec.min)
    throw usageError(`${name} must be at least ${spec.min}, got ${value}`);
  if (spec.max !== undefined && value > spec.max)
    throw usageError(`${name} must be at most ${spec.max}, got ${value}`);
  return value;
}

/** Reads every option of a command from argv, typed and checked. */
export function readOptions(argv: readonly string[], specs: readonly OptionSpec[]): OptionValues {
  const values: OptionValues = {};
  for (const spec of specs) {
    const names = flagNames(spec.flags);
    const key = optionKey(spec.flags);
    const type = optionType(spec);
    const long = longFlag(spec.flags);
    if (type === 'boolean') {
      if (present(argv, names)) {
        const raw = rawValues(argv, names).at(-1);
        // `--no-x` sets x to false; `--x=false` too.
        values[key] = long.startsWith('--no-') ? false : raw !== 'false';
      }
      continue;
    }
    const raw = rawValues(argv, names);
    if (raw.length === 0) continue;
    if (raw.some((value) => value === undefined)) throw usageError(`${long} needs a value`);
    const texts = raw as string[];
    if (type === 'repeat') {
      values[key] = texts;
    } else if (type === 'list') {
      values[key] = texts
        .flatMap((text) => text.split(','))
        .map((item) => item.trim())
        .filter(Boolean);
    } else {
      if (texts.length > 1) throw usageError(`${long} is given ${texts.length} times; give it once`);
      const text = texts[0] as string;
      if (type === 'int') values[key] = numberOf(spec, text, true);
      else if (type === 'seconds') values[key] = numberOf(spec, text, false);
      else {
        if (spec.choices && !spec.choices.includes(text)) {
          throw usageError(`${long} must be one of ${spec.choices.join(', ')}, got '${text}'`);
        }
        values[key] = text;
      }
    }
  }
  return values;
}
