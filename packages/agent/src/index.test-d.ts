// biome-ignore-all lint/suspicious/noExplicitAny: the types as the checker prints them
// The type half of @myagent/agent's locked surface. Written by `pnpm api:types` (scripts/type-surface);
// a change here is a change of the public types: review it, and add a changeset.
import { expectTypeOf, it } from 'vitest';
import {
  type Agent,
  type AgentEvent,
  type AgentEventName,
  type AgentOptions,
  type AgentRunContext,
  type AgentSessionState,
  type ConfirmationRequest,
  chunkText,
  createToolCallAgent,
  defineAgent,
  finalPartialAnswer,
  type LlmConfig,
  type LlmConfigResult,
  type LlmOptions,
  type LlmRetryPolicy,
  partialAnswer,
  type RunToolOptions,
  resolveLlmConfig,
  runTool,
  streamAnswer,
  type Tool,
  type ToolCallAgentOptions,
  type ToolExecuteOptions,
  type ToolOptions,
  type ToolOutcome,
  type ToolParameters,
  toolStepId,
} from './index.js';

it('Agent', () => {
  expectTypeOf<keyof Agent>().toEqualTypeOf<'description' | 'maxSteps' | 'name' | 'run'>();
});

it('AgentEvent', () => {
  expectTypeOf<keyof AgentEvent>().toEqualTypeOf<'content' | 'event' | 'metadata' | 'step_id'>();
});

it('AgentEventName', () => {
  expectTypeOf<AgentEventName>().toEqualTypeOf<
    | 'agent.thinking'
    | 'agent.tool_call'
    | 'agent.tool_result'
    | 'agent.user_confirm'
    | 'agent.partial_answer'
    | 'agent.final_answer'
    | 'agent.error'
  >();
});

it('AgentOptions', () => {
  expectTypeOf<keyof AgentOptions>().toEqualTypeOf<'description' | 'maxSteps' | 'name' | 'run'>();
});

it('AgentRunContext', () => {
  expectTypeOf<keyof AgentRunContext>().toEqualTypeOf<'confirm' | 'sessionId' | 'signal' | 'state'>();
});

it('AgentSessionState', () => {
  expectTypeOf<keyof AgentSessionState>().toEqualTypeOf<'current_step' | 'data' | 'messages'>();
});

it('chunkText', () => {
  expectTypeOf(chunkText).parameters.toEqualTypeOf<[text: string, count?: number]>();
  expectTypeOf(chunkText).returns.toEqualTypeOf<Array<string>>();
});

it('ConfirmationRequest', () => {
  expectTypeOf<keyof ConfirmationRequest>().toEqualTypeOf<'tool_args' | 'tool_description' | 'tool_name'>();
});

it('createToolCallAgent', () => {
  expectTypeOf(createToolCallAgent).parameters.toEqualTypeOf<[options: ToolCallAgentOptions]>();
  expectTypeOf(createToolCallAgent).returns.toEqualTypeOf<Agent>();
});

it('defineAgent', () => {
  expectTypeOf(defineAgent).parameters.toEqualTypeOf<[options: AgentOptions]>();
  expectTypeOf(defineAgent).returns.toEqualTypeOf<Agent>();
});

it('finalPartialAnswer', () => {
  expectTypeOf(finalPartialAnswer).parameters.toEqualTypeOf<[totalLength: number]>();
  expectTypeOf(finalPartialAnswer).returns.toEqualTypeOf<AgentEvent>();
});

it('LlmConfig', () => {
  expectTypeOf<keyof LlmConfig>().toEqualTypeOf<
    'apiKey' | 'headers' | 'model' | 'retry' | 'temperature' | 'timeoutMs' | 'url'
  >();
});

it('LlmConfigResult', () => {
  expectTypeOf<LlmConfigResult>().toEqualTypeOf<
    { ok: true; config: LlmConfig } | { ok: false; missing: Array<string>; message: string }
  >();
});

it('LlmOptions', () => {
  expectTypeOf<keyof LlmOptions>().toEqualTypeOf<
    | 'apiKey'
    | 'baseUrl'
    | 'headers'
    | 'model'
    | 'retries'
    | 'retryBaseDelayMs'
    | 'retryBudgetMs'
    | 'retryMaxDelayMs'
    | 'temperature'
    | 'timeoutMs'
  >();
});

it('LlmRetryPolicy', () => {
  expectTypeOf<keyof LlmRetryPolicy>().toEqualTypeOf<'baseDelayMs' | 'budgetMs' | 'maxDelayMs' | 'retries'>();
});

it('partialAnswer', () => {
  expectTypeOf(partialAnswer).parameters.toEqualTypeOf<[chunk: string]>();
  expectTypeOf(partialAnswer).returns.toEqualTypeOf<AgentEvent>();
});

it('resolveLlmConfig', () => {
  expectTypeOf(resolveLlmConfig).parameters.toEqualTypeOf<
    [options?: LlmOptions, env?: Record<string, string | undefined>]
  >();
  expectTypeOf(resolveLlmConfig).returns.toEqualTypeOf<LlmConfigResult>();
});

it('runTool', () => {
  expectTypeOf(runTool).parameters.toEqualTypeOf<
    [tool: Tool<ToolParameters>, args: unknown, __2: RunToolOptions]
  >();
  expectTypeOf(runTool).returns.toEqualTypeOf<AsyncGenerator<AgentEvent, ToolOutcome, any>>();
});

it('RunToolOptions', () => {
  expectTypeOf<keyof RunToolOptions>().toEqualTypeOf<'context' | 'stepId'>();
});

it('streamAnswer', () => {
  expectTypeOf(streamAnswer).parameters.toEqualTypeOf<[chunks: Iterable<string> | AsyncIterable<string>]>();
  expectTypeOf(streamAnswer).returns.toEqualTypeOf<AsyncGenerator<AgentEvent, string, any>>();
});

it('Tool', () => {
  expectTypeOf<keyof Tool>().toEqualTypeOf<
    'description' | 'execute' | 'jsonSchema' | 'name' | 'parameters' | 'userConfirm'
  >();
});

it('ToolCallAgentOptions', () => {
  expectTypeOf<keyof ToolCallAgentOptions>().toEqualTypeOf<
    'description' | 'env' | 'llm' | 'maxHistory' | 'maxSteps' | 'name' | 'systemPrompt' | 'tools'
  >();
});

it('ToolExecuteOptions', () => {
  expectTypeOf<keyof ToolExecuteOptions>().toEqualTypeOf<'signal'>();
});

it('ToolOptions', () => {
  expectTypeOf<keyof ToolOptions<ToolParameters>>().toEqualTypeOf<
    'description' | 'execute' | 'name' | 'parameters' | 'userConfirm'
  >();
});

it('ToolOutcome', () => {
  expectTypeOf<keyof ToolOutcome>().toEqualTypeOf<'data' | 'error' | 'output' | 'status'>();
});

it('ToolParameters', () => {
  expectTypeOf<keyof ToolParameters>().toEqualTypeOf<
    'async' | 'expects' | 'kind' | 'reference' | 'type' | '~run' | '~standard' | '~types'
  >();
});

it('toolStepId', () => {
  expectTypeOf(toolStepId).parameters.toEqualTypeOf<[step: number, toolName: string]>();
  expectTypeOf(toolStepId).returns.toEqualTypeOf<string>();
});
