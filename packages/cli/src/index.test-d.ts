// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/cli's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type ApplyOptions,
  applyConfig,
  type Change,
  type CliError,
  type ClientOptions,
  type CliIO,
  type CommandContext,
  type CommandSpec,
  type ConfigError,
  type Current,
  cliVersion,
  commandHelp,
  createCLI,
  createClient,
  type ExitCode,
  errorLine,
  errorLines,
  exitCodeOf,
  findConfig,
  formatCondition,
  type GlobalOptions,
  type LoadedConfig,
  loadConfig,
  type ManagerClient,
  type OptionSpec,
  type OptionType,
  type OptionValues,
  type ParsedCLI,
  type ParsedCondition,
  type Plan,
  parseCLI,
  parseCondition,
  planApply,
  programHelp,
  type Reply,
  type RunOptions,
  readEvents,
  runCLI,
  type StreamEvent,
} from './index.js';

it('applyConfig', () => {
  expectTypeOf(applyConfig).returns.toEqualTypeOf<Promise<number>>();
});

it('ApplyOptions', () => {
  expectTypeOf<keyof ApplyOptions>().toEqualTypeOf<'dryRun' | 'label' | 'prune' | 'restart'>();
});

it('Change', () => {
  expectTypeOf<Change['kind']>().toEqualTypeOf<'service' | 'rule'>();
});

it('ClientOptions', () => {
  expectTypeOf<keyof ClientOptions>().toEqualTypeOf<'fetch' | 'timeoutMs' | 'token' | 'url'>();
});

it('CliError', () => {
  expectTypeOf<keyof CliError>().toEqualTypeOf<
    'cause' | 'code' | 'exitCode' | 'message' | 'name' | 'stack'
  >();
});

it('CliIO', () => {
  expectTypeOf<keyof CliIO>().toEqualTypeOf<'cwd' | 'env' | 'stderr' | 'stdin' | 'stdout'>();
});

it('cliVersion', () => {
  expectTypeOf(cliVersion).parameters.toEqualTypeOf<[]>();
  expectTypeOf(cliVersion).returns.toEqualTypeOf<string>();
});

it('CommandContext', () => {
  expectTypeOf<keyof CommandContext>().toEqualTypeOf<'client' | 'global' | 'io' | 'out' | 'signal'>();
});

it('commandHelp', () => {
  expectTypeOf(commandHelp).parameters.toEqualTypeOf<[spec: CommandSpec]>();
  expectTypeOf(commandHelp).returns.toEqualTypeOf<string>();
});

it('CommandSpec', () => {
  expectTypeOf<keyof CommandSpec>().toEqualTypeOf<
    | 'aliases'
    | 'description'
    | 'examples'
    | 'notes'
    | 'options'
    | 'passThrough'
    | 'run'
    | 'usage'
    | 'validate'
  >();
});

it('ConfigError', () => {
  expectTypeOf<keyof ConfigError>().toEqualTypeOf<
    'cause' | 'code' | 'details' | 'exitCode' | 'file' | 'message' | 'name' | 'problems' | 'stack'
  >();
});

it('createCLI', () => {
  expectTypeOf(createCLI).parameters.toEqualTypeOf<[commands?: ReadonlyArray<CommandSpec>]>();
});

it('createClient', () => {
  expectTypeOf(createClient).parameters.toEqualTypeOf<[options: ClientOptions]>();
  expectTypeOf<keyof ReturnType<typeof createClient>>().toEqualTypeOf<
    | 'checkService'
    | 'createRule'
    | 'deleteRule'
    | 'disconnect'
    | 'events'
    | 'explainRoute'
    | 'followLogs'
    | 'getService'
    | 'getTrace'
    | 'healthOverview'
    | 'info'
    | 'listConnections'
    | 'listRules'
    | 'listServices'
    | 'listTraces'
    | 'registerService'
    | 'searchLogs'
    | 'serviceAction'
    | 'serviceLogs'
    | 'statsOverview'
    | 'systemStats'
    | 'unregisterService'
    | 'updateRule'
    | 'updateService'
    | 'url'
  >();
});

it('Current', () => {
  expectTypeOf<keyof Current>().toEqualTypeOf<'rules' | 'services'>();
});

it('errorLine', () => {
  expectTypeOf(errorLine).parameters.toEqualTypeOf<[error: unknown]>();
  expectTypeOf(errorLine).returns.toEqualTypeOf<string>();
});

it('errorLines', () => {
  expectTypeOf(errorLines).parameters.toEqualTypeOf<[error: unknown]>();
  expectTypeOf(errorLines).returns.toEqualTypeOf<Array<string>>();
});

it('ExitCode', () => {
  expectTypeOf<ExitCode>().toEqualTypeOf<0 | 1 | 2 | 4 | 3>();
});

it('exitCodeOf', () => {
  expectTypeOf(exitCodeOf).parameters.toEqualTypeOf<[error: unknown]>();
  expectTypeOf(exitCodeOf).returns.toEqualTypeOf<ExitCode>();
});

it('findConfig', () => {
  expectTypeOf(findConfig).parameters.toEqualTypeOf<[cwd: string, file?: string]>();
  expectTypeOf(findConfig).returns.toEqualTypeOf<string>();
});

it('formatCondition', () => {
  expectTypeOf(formatCondition).parameters.toEqualTypeOf<
    [condition: { field: string; operator: string; value: string | Array<string> }]
  >();
  expectTypeOf(formatCondition).returns.toEqualTypeOf<string>();
});

it('GlobalOptions', () => {
  expectTypeOf<keyof GlobalOptions>().toEqualTypeOf<'json' | 'token' | 'url'>();
});

it('loadConfig', () => {
  expectTypeOf(loadConfig).parameters.toEqualTypeOf<[file: string, label?: string]>();
  expectTypeOf(loadConfig).returns.toEqualTypeOf<Promise<LoadedConfig>>();
});

it('LoadedConfig', () => {
  expectTypeOf<keyof LoadedConfig>().toEqualTypeOf<'config' | 'file'>();
});

it('ManagerClient', () => {
  expectTypeOf<keyof ManagerClient>().toEqualTypeOf<
    | 'checkService'
    | 'createRule'
    | 'deleteRule'
    | 'disconnect'
    | 'events'
    | 'explainRoute'
    | 'followLogs'
    | 'getService'
    | 'getTrace'
    | 'healthOverview'
    | 'info'
    | 'listConnections'
    | 'listRules'
    | 'listServices'
    | 'listTraces'
    | 'registerService'
    | 'searchLogs'
    | 'serviceAction'
    | 'serviceLogs'
    | 'statsOverview'
    | 'systemStats'
    | 'unregisterService'
    | 'updateRule'
    | 'updateService'
    | 'url'
  >();
});

it('OptionSpec', () => {
  expectTypeOf<keyof OptionSpec>().toEqualTypeOf<
    'choices' | 'defaultText' | 'description' | 'flags' | 'max' | 'min' | 'type'
  >();
});

it('OptionType', () => {
  expectTypeOf<OptionType>().toEqualTypeOf<'string' | 'boolean' | 'repeat' | 'int' | 'seconds' | 'list'>();
});

it('OptionValues', () => {
  expectTypeOf<OptionValues>().toEqualTypeOf<{
    [x: string]: string | number | boolean | Array<string> | undefined;
  }>();
});

it('parseCLI', () => {
  expectTypeOf(parseCLI).parameters.toEqualTypeOf<
    [argv: ReadonlyArray<string>, io?: Pick<CliIO, 'env' | 'cwd'>, commands?: ReadonlyArray<CommandSpec>]
  >();
  expectTypeOf(parseCLI).returns.toEqualTypeOf<ParsedCLI>();
});

it('parseCondition', () => {
  expectTypeOf(parseCondition).parameters.toEqualTypeOf<[text: string, caseSensitive?: boolean]>();
  expectTypeOf(parseCondition).returns.toEqualTypeOf<ParsedCondition>();
});

it('ParsedCLI', () => {
  expectTypeOf<ParsedCLI['kind']>().toEqualTypeOf<'help' | 'version' | 'run'>();
});

it('ParsedCondition', () => {
  expectTypeOf<keyof ParsedCondition>().toEqualTypeOf<'case_sensitive' | 'field' | 'operator' | 'value'>();
});

it('Plan', () => {
  expectTypeOf<keyof Plan>().toEqualTypeOf<'changes' | 'extra' | 'unchanged'>();
});

it('planApply', () => {
  expectTypeOf(planApply).parameters.toEqualTypeOf<
    [
      desired: {
        $schema?: string | undefined;
        services: Array<{
          path: string;
          config: {
            max_sessions: number;
            session_timeout: number;
            heartbeat_interval: number;
            run_timeout: number;
            memory_limit_mb: number | null;
            cpu_limit_percent: number | null;
            auto_restart: boolean;
            max_restart_count: number;
            restart_delay: number;
            health_check_enabled: boolean;
            health_check_interval: number;
            health_check_timeout: number;
            environment: { [x: string]: string };
          };
          name: string;
          description: string;
          host: string;
          port: number | null;
          tags: Array<string>;
          auto_start: boolean;
        }>;
        rules: Array<{
          name: string;
          priority: number;
          enabled: boolean;
          conditions: Array<{
            field: string;
            operator:
              | 'equals'
              | 'not_equals'
              | 'contains'
              | 'not_contains'
              | 'starts_with'
              | 'ends_with'
              | 'regex_match'
              | 'in_list'
              | 'not_in_list'
              | 'ip_in_range';
            value: string | Array<string>;
            case_sensitive: boolean;
          }>;
          target_strategy:
            | 'round_robin'
            | 'least_connections'
            | 'weighted_random'
            | 'hash_based'
            | 'tag_based';
          target_services: Array<string>;
          target_tags: Array<string>;
          weight: number;
          fallback_strategy:
            | 'round_robin'
            | 'least_connections'
            | 'weighted_random'
            | 'hash_based'
            | 'tag_based'
            | null;
          description: string;
        }>;
      },
      current: Current,
      options: { prune: boolean },
    ]
  >();
  expectTypeOf(planApply).returns.toEqualTypeOf<Plan>();
});

it('programHelp', () => {
  expectTypeOf(programHelp).parameters.toEqualTypeOf<[commands?: ReadonlyArray<CommandSpec>]>();
  expectTypeOf(programHelp).returns.toEqualTypeOf<string>();
});

it('readEvents', () => {
  expectTypeOf(readEvents).parameters.toEqualTypeOf<
    [body: ReadableStream<Uint8Array<ArrayBufferLike>>, signal?: AbortSignal]
  >();
  expectTypeOf(readEvents).returns.toEqualTypeOf<AsyncGenerator<StreamEvent, any, any>>();
});

it('Reply', () => {
  expectTypeOf<keyof Reply<unknown>>().toEqualTypeOf<'data' | 'json'>();
});

it('runCLI', () => {
  expectTypeOf(runCLI).parameters.toEqualTypeOf<
    [argv: ReadonlyArray<string>, io: CliIO, options?: RunOptions]
  >();
  expectTypeOf(runCLI).returns.toEqualTypeOf<Promise<number>>();
});

it('RunOptions', () => {
  expectTypeOf<keyof RunOptions>().toEqualTypeOf<'commands' | 'signal'>();
});

it('StreamEvent', () => {
  expectTypeOf<keyof StreamEvent>().toEqualTypeOf<'data' | 'event' | 'id'>();
});
