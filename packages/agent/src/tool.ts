import type { AgentEvent, AgentRunContext } from '@myagent/models';
import { AppError, describeIssues } from '@myagent/models';
import { type JsonSchema, toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';

/** A valibot schema for a tool's arguments: it must describe a JSON object. */
export type ToolParameters = v.GenericSchema<unknown, Record<string, unknown>>;

/** What a tool's `execute` receives besides its arguments. */
export interface ToolExecuteOptions {
  /** The run's signal: aborted by cancel, the run timeout or shutdown. Pass it to I/O. */
  signal: AbortSignal;
}

/** What {@link defineTool} takes. */
export interface ToolOptions<S extends ToolParameters> {
  /** Letters, digits, `_` and `-`, at most 64 (the limit of the chat-completions API). */
  name: string;
  description: string;
  parameters: S;
  /** Ask the user (`agent.user_confirm`) before every call. Default false. */
  userConfirm?: boolean;
  /** Runs the tool. A string is the result text; any other value is sent as JSON text and as `data`. */
  execute(args: v.InferOutput<S>, options: ToolExecuteOptions): unknown;
}

/** A tool made by {@link defineTool}, with its parameters as JSON Schema for the LLM. */
export interface Tool<S extends ToolParameters = ToolParameters> extends Readonly<ToolOptions<S>> {
  readonly userConfirm: boolean;
  /** The parameters as JSON Schema (input types, no `$schema` key). */
  readonly jsonSchema: JsonSchema;
}

/** The outcome of one tool call, as {@link runTool} returns it. */
export interface ToolOutcome {
  status: 'success' | 'failed';
  /** The text fed back to the LLM and sent as the `agent.tool_result` content. */
  output: string;
  error?: string;
  data?: unknown;
}

/** The tool result text of a call the user denied (protocol.md, `agent.user_confirm`). */
export const TOOL_CANCELLED_MESSAGE = 'Tool execution cancelled by user';

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Declares a tool: a name, a description, valibot parameters (turned into JSON Schema for the LLM and used
 * to validate the arguments before `execute`), and whether the user must confirm each call.
 * @example const echo = defineTool({ name: 'echo', description: 'Echoes text', parameters: v.object({ text: v.string() }), execute: ({ text }) => text });
 */
export function defineTool<S extends ToolParameters>(options: ToolOptions<S>): Tool<S> {
  if (!TOOL_NAME.test(options.name)) {
    throw new AppError(
      'INVALID_REQUEST',
      `Invalid tool name '${options.name}': use 1-64 letters, digits, '_' or '-'`,
    );
  }
  let jsonSchema: JsonSchema;
  try {
    jsonSchema = toJsonSchema(options.parameters, { typeMode: 'input' });
  } catch (error) {
    throw new AppError(
      'INVALID_REQUEST',
      `Tool '${options.name}': its parameters cannot be expressed as JSON Schema (${(error as Error).message})`,
      { cause: error },
    );
  }
  if (jsonSchema.type !== 'object') {
    throw new AppError('INVALID_REQUEST', `Tool '${options.name}': parameters must be an object schema`);
  }
  const { $schema: _, ...withoutDialect } = jsonSchema;
  return Object.freeze({
    ...options,
    userConfirm: options.userConfirm ?? false,
    jsonSchema: withoutDialect,
  });
}

/** Where a tool call happens: the run's context and the step id that pairs the call with its result. */
export interface RunToolOptions {
  context: AgentRunContext;
  /** `step_<n>_<tool>` by protocol.md; see {@link toolStepId}. */
  stepId: string;
}

/** The step id protocol.md gives a tool call: `step_<n>_<tool>`. */
export function toolStepId(step: number, toolName: string): string {
  return `step_${step}_${toolName}`;
}

/**
 * Calls a tool the way protocol.md shows it: yields `agent.tool_call`, asks for confirmation when the tool
 * wants it, validates the arguments, runs it, yields `agent.tool_result`, and returns the outcome. Bad
 * arguments, a denial or a throwing tool give a failed result, never a throw; an aborted run rethrows.
 * @example const outcome = yield* runTool(echo, { text }, { context, stepId: toolStepId(1, 'echo') });
 */
export async function* runTool(
  tool: Tool,
  args: unknown,
  { context, stepId }: RunToolOptions,
): AsyncGenerator<AgentEvent, ToolOutcome> {
  const shownArgs = isRecord(args) ? args : { value: args };
  yield {
    event: 'agent.tool_call',
    step_id: stepId,
    content: `Calling tool: ${tool.name}`,
    metadata: { tool: tool.name, args: shownArgs, status: 'running' },
  };
  const outcome = await callTool(tool, args, shownArgs, context);
  const metadata: Record<string, unknown> = { tool: tool.name, status: outcome.status };
  if (outcome.error !== undefined) metadata.error = outcome.error;
  if (outcome.data !== undefined) metadata.data = outcome.data;
  yield { event: 'agent.tool_result', step_id: stepId, content: outcome.output, metadata };
  return outcome;
}

async function callTool(
  tool: Tool,
  args: unknown,
  shownArgs: Record<string, unknown>,
  context: AgentRunContext,
): Promise<ToolOutcome> {
  const parsed = v.safeParse(tool.parameters, args);
  if (!parsed.success) {
    const issues = describeIssues(parsed.issues)
      .map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message))
      .join('; ');
    return failed(`Invalid arguments for tool '${tool.name}': ${issues}`);
  }
  if (tool.userConfirm) {
    const confirmed = await context.confirm({
      tool_name: tool.name,
      tool_description: tool.description,
      tool_args: shownArgs,
    });
    context.signal.throwIfAborted();
    if (!confirmed) return failed(TOOL_CANCELLED_MESSAGE);
  }
  context.signal.throwIfAborted();
  try {
    const result = await tool.execute(parsed.output, { signal: context.signal });
    if (typeof result === 'string') return { status: 'success', output: result };
    return { status: 'success', output: result === undefined ? '' : JSON.stringify(result), data: result };
  } catch (error) {
    // A cancelled run stops here instead of reporting the abort as the tool's failure.
    context.signal.throwIfAborted();
    const message = error instanceof Error ? error.message : String(error);
    return failed(`Tool '${tool.name}' failed: ${message}`);
  }
}

function failed(error: string): ToolOutcome {
  return { status: 'failed', output: `Error: ${error}`, error };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
