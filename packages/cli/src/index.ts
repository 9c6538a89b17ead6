// The command line
export {
  createCLI,
  parseCLI,
  runCLI,
  commandHelp,
  programHelp,
  cliVersion,
  DEFAULT_URL,
  GLOBAL_OPTIONS,
  PROGRAM,
} from './cli.js';
export type { ParsedCLI, RunOptions } from './cli.js';
export { COMMANDS } from './commands/index.js';
export type {
  CommandContext,
  CommandSpec,
  GlobalOptions,
  OptionSpec,
  OptionType,
  OptionValues,
} from './spec.js';
export { CliError, ConfigError, EXIT, errorLine, errorLines, exitCodeOf } from './errors.js';
export type { ExitCode } from './errors.js';
export type { CliIO, Colors, Output } from './output.js';

// The API client
export { createClient } from './client.js';
export type { ClientOptions, ManagerClient, Reply } from './client.js';
export { readEvents } from './sse.js';
export type { StreamEvent } from './sse.js';

// Route conditions
export { CONDITION_SYNTAX, formatCondition, parseCondition } from './condition.js';
export type { ParsedCondition } from './condition.js';

// Declarative config files (`apply`, `daemon --config`)
export { applyConfig } from './config/apply.js';
export type { ApplyOptions } from './config/apply.js';
export { CONFIG_NAMES, findConfig, loadConfig } from './config/load.js';
export type { LoadedConfig } from './config/load.js';
export { planApply } from './config/plan.js';
export type { Change, Current, Plan } from './config/plan.js';
