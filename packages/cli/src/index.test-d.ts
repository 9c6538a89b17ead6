// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/cli's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type CliError,
  type ClientOptions,
  type CliIO,
  type CommandContext,
  type CommandSpec,
  cliVersion,
  commandHelp,
  createCLI,
  createClient,
  type ExitCode,
  errorLine,
  exitCodeOf,
  formatCondition,
  type GlobalOptions,
  type ManagerClient,
  type OptionSpec,
  type OptionType,
  type OptionValues,
  type ParsedCLI,
  type ParsedCondition,
  parseCLI,
  parseCondition,
  programHelp,
  type Reply,
  type RunOptions,
  readEvents,
  runCLI,
  type StreamEvent,
} from './index.js';

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
    | 'healthOverview'
    | 'info'
    | 'listConnections'
    | 'listRules'
    | 'listServices'
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

it('errorLine', () => {
  expectTypeOf(errorLine).parameters.toEqualTypeOf<[error: unknown]>();
  expectTypeOf(errorLine).returns.toEqualTypeOf<string>();
});

it('ExitCode', () => {
  expectTypeOf<ExitCode>().toEqualTypeOf<0 | 1 | 2 | 4 | 3>();
});

it('exitCodeOf', () => {
  expectTypeOf(exitCodeOf).parameters.toEqualTypeOf<[error: unknown]>();
  expectTypeOf(exitCodeOf).returns.toEqualTypeOf<ExitCode>();
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
    | 'healthOverview'
    | 'info'
    | 'listConnections'
    | 'listRules'
    | 'listServices'
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
