import { AppError, type ErrorCode, type ValidationIssue } from '@myagent/models';

/** What the process exit code of a command means (documented in the README and `--help`). */
export const EXIT = {
  /** The command did what it was asked. */
  OK: 0,
  /** The operation failed: the manager refused it, a service ended in ERROR, a check came back unhealthy. */
  FAILED: 1,
  /** The command line was wrong: an unknown command or flag, a missing argument, a bad value or file. */
  USAGE: 2,
  /** What the command names does not exist (a service, a rule, a connection). */
  NOT_FOUND: 3,
  /** The manager could not be reached at the URL. */
  UNREACHABLE: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure the CLI words itself, with its exit code: usage errors (2) and an unreachable manager (4). Its
 * message is printed as one line; `code` is the catalogue's when one fits.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly code?: ErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A config file that cannot be applied: every problem with the path to its field (`services.0.port`),
 * printed one line each. Exit 2, code INVALID_REQUEST; `details` is what `--json` prints.
 */
export class ConfigError extends CliError {
  readonly details: { file: string; issues: ValidationIssue[] };

  constructor(
    readonly file: string,
    readonly problems: ValidationIssue[],
  ) {
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    super(EXIT.USAGE, `${file} has ${count}; nothing was changed`, 'INVALID_REQUEST');
    this.details = { file, issues: problems };
  }
}

/** A usage error: exit 2, code INVALID_REQUEST. */
export function usageError(message: string): CliError {
  return new CliError(EXIT.USAGE, message, 'INVALID_REQUEST');
}

const NOT_FOUND_CODES = new Set<string>([
  'SERVICE_NOT_FOUND',
  'RULE_NOT_FOUND',
  'CONNECTION_NOT_FOUND',
  'WEBHOOK_NOT_FOUND',
  'SESSION_NOT_FOUND',
  'NOT_FOUND',
]);

/** The exit code an error ends the command with. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (AppError.is(error)) {
    if (NOT_FOUND_CODES.has(error.code)) return EXIT.NOT_FOUND;
    if (error.code === 'INVALID_REQUEST') return EXIT.USAGE;
  }
  return EXIT.FAILED;
}

/** An error as the one line the CLI prints: `CODE: message`, never a stack. */
export function errorLine(error: unknown): string {
  if (error instanceof CliError) {
    return `${error.code ? `${error.code}: ` : ''}${firstLine(error.message)}`;
  }
  if (AppError.is(error)) {
    // The manager already hid what a client must not see; what is left is the user's own to read.
    return `${error.code}: ${firstLine(error.message)}`;
  }
  return `INTERNAL_ERROR: ${firstLine(error instanceof Error ? error.message : String(error))}`;
}

/**
 * An error as the lines the CLI prints: one per problem of a {@link ConfigError} (`CODE: FILE: PATH:
 * message`), then {@link errorLine}.
 */
export function errorLines(error: unknown): string[] {
  const last = errorLine(error);
  if (!(error instanceof ConfigError)) return [last];
  return [
    ...error.problems.map(
      (problem) =>
        `${error.code}: ${error.file}: ${problem.path ? `${problem.path}: ` : ''}${firstLine(problem.message)}`,
    ),
    last,
  ];
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
