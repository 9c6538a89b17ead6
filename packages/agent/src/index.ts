// The agent contract, re-exported from @myagent/models so that agent modules import one package
export type {
  Agent,
  AgentEvent,
  AgentEventName,
  AgentRunContext,
  AgentSessionState,
  ConfirmationRequest,
} from '@myagent/models';
// The schema library of tool parameters, so that an agent module needs no dependency of its own
// (agent files live anywhere on disk) and its schemas always match the valibot version used here.
export * as v from 'valibot';
// Hand-written agents
export type { AgentOptions } from './define-agent.js';
export { chunkText, defineAgent, finalPartialAnswer, partialAnswer, streamAnswer } from './define-agent.js';
// The LLM endpoint
export type { LlmConfig, LlmConfigResult, LlmOptions, LlmRetryPolicy } from './llm.js';
export { DEFAULT_LLM_RETRY, resolveLlmConfig } from './llm.js';
// Tools
export type {
  RunToolOptions,
  Tool,
  ToolExecuteOptions,
  ToolOptions,
  ToolOutcome,
  ToolParameters,
} from './tool.js';
export { defineTool, runTool, TOOL_CANCELLED_MESSAGE, toolStepId } from './tool.js';
// The tool-calling agent
export type { ToolCallAgentOptions } from './tool-call-agent.js';
export { createToolCallAgent } from './tool-call-agent.js';
