import type { Agent, AgentEvent, AgentRunContext, AgentSessionState } from '@myagent/models';
import { AppError } from '@myagent/models';
import { defineAgent, finalPartialAnswer, partialAnswer } from './define-agent.js';
import { type ChatDelta, type LlmConfig, type LlmOptions, resolveLlmConfig, streamChat } from './llm.js';
import { runTool, type Tool, type ToolOutcome, toolStepId } from './tool.js';

/** What {@link createToolCallAgent} takes. */
export interface ToolCallAgentOptions {
  name: string;
  description?: string;
  /** The endpoint; unset fields come from OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL. */
  llm?: LlmOptions;
  tools?: readonly Tool[];
  /** Put first in the session's history. */
  systemPrompt?: string;
  /** LLM calls per turn before the agent gives up. Default 10. */
  maxSteps?: number;
  /**
   * Messages of history kept in the session (the system prompt aside); older turns are dropped whole, so
   * the LLM's context and the exported state stay bounded. Default 100.
   */
  maxHistory?: number;
  /** Where env values are read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface Turn {
  content: string;
  reasoning: string;
  toolCalls: ToolCall[];
  /** What the call cost, as traces report it (model, duration, time to first token, tokens). */
  llm: LlmCallReport;
}

/** One LLM call as an event's `metadata.llm` carries it; the runtime's traces read it. */
interface LlmCallReport {
  model: string;
  duration_ms: number;
  ttft_ms: number | null;
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
}

/** `event` with the LLM call's report in its metadata (the first event after each call carries it). */
function withLlm(event: AgentEvent, llm: LlmCallReport): AgentEvent {
  return { ...event, metadata: { ...event.metadata, llm } };
}

/**
 * An agent that runs the tool-calling loop over an OpenAI-compatible `/v1/chat/completions` endpoint:
 * answers stream as partial answers, tool calls run and feed back, up to `maxSteps` LLM calls per turn.
 * History lives in `context.state.messages`. A missing config or an LLM failure is an `agent.error`.
 * @example export const createAgent = () => createToolCallAgent({ name: 'helper', tools: [getWeather], systemPrompt: 'Be brief.' });
 */
export function createToolCallAgent(options: ToolCallAgentOptions): Agent {
  const tools = new Map<string, Tool>();
  for (const tool of options.tools ?? []) {
    if (tools.has(tool.name)) throw new AppError('INVALID_REQUEST', `Two tools are named '${tool.name}'`);
    tools.set(tool.name, tool);
  }
  const maxSteps = options.maxSteps ?? 10;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) {
    throw new AppError('INVALID_REQUEST', `maxSteps must be a positive integer, got ${maxSteps}`);
  }
  const maxHistory = options.maxHistory ?? 100;
  if (!Number.isInteger(maxHistory) || maxHistory < 1) {
    throw new AppError('INVALID_REQUEST', `maxHistory must be a positive integer, got ${maxHistory}`);
  }
  // Resolved once, at creation: a bad or missing config is reported by each run, never thrown at load.
  const resolved = resolveLlmConfig(options.llm, options.env);
  const toolSpecs = [...tools.values()].map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.jsonSchema },
  }));
  return defineAgent({
    name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    maxSteps,
    async *run(input, context) {
      if (!resolved.ok) {
        yield agentError(resolved.message, { missing_env: resolved.missing });
        return;
      }
      const config = resolved.config;
      const { state } = context;
      prepareHistory(state, options.systemPrompt);
      state.messages.push({ role: 'user', content: input });
      trimHistory(state, maxHistory);
      let streamed = 0;
      for (let i = 0; i < maxSteps; i++) {
        const step = ++state.current_step;
        yield {
          event: 'agent.thinking',
          content: i === 0 ? `Thinking (${config.model})` : `Thinking about the tool results (step ${i + 1})`,
          metadata: { step },
        };
        const body: Record<string, unknown> = { messages: state.messages };
        if (toolSpecs.length > 0) body.tools = toolSpecs;
        let turn: Turn;
        try {
          turn = yield* streamTurn(config, body, context.signal, step, (chunk) => {
            streamed += chunk.length;
          });
        } catch (error) {
          // A cancelled run ends quietly: the runtime reports the cancel or the timeout.
          if (context.signal.aborted) return;
          if (streamed > 0) yield finalPartialAnswer(streamed);
          yield agentError(AppError.from(error, 'AGENT_ERROR').message);
          return;
        }
        let report: LlmCallReport | undefined = turn.llm;
        if (turn.toolCalls.length === 0) {
          state.messages.push({ role: 'assistant', content: turn.content });
          trimHistory(state, maxHistory);
          yield withLlm(finalPartialAnswer(streamed), turn.llm);
          yield { event: 'agent.final_answer', content: turn.content };
          return;
        }
        state.messages.push({
          role: 'assistant',
          content: turn.content === '' ? null : turn.content,
          tool_calls: turn.toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        });
        const used = new Set<string>();
        for (const call of turn.toolCalls) {
          let stepId = toolStepId(step, call.name);
          for (let n = 2; used.has(stepId); n++) stepId = `${toolStepId(step, call.name)}_${n}`;
          used.add(stepId);
          // An abort here (cancel while a tool runs or waits for confirmation) ends the run in defineAgent.
          const outcome = yield* callTool(tools.get(call.name), call, context, stepId, report);
          report = undefined;
          state.messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.output });
        }
      }
      if (streamed > 0) yield finalPartialAnswer(streamed);
      yield agentError(`Stopped after ${maxSteps} steps without a final answer (maxSteps)`);
    },
  });
}

/**
 * One LLM call: streams its reasoning as `agent.thinking` and its text as partial answers, in the order
 * they arrive (reasoning comes first), and returns the whole reply.
 */
async function* streamTurn(
  config: LlmConfig,
  body: Record<string, unknown>,
  signal: AbortSignal,
  step: number,
  onChunk: (chunk: string) => void,
): AsyncGenerator<AgentEvent, Turn> {
  let content = '';
  let reasoning = '';
  const calls: Array<{ id?: string; name: string; arguments: string }> = [];
  const started = performance.now();
  let ttft: number | null = null;
  let usage: ChatDelta['usage'];
  for await (const delta of streamChat(config, body, signal)) {
    if (delta.usage !== undefined) usage = delta.usage;
    if (ttft === null && (delta.content !== undefined || delta.reasoning !== undefined || delta.toolCalls)) {
      ttft = round(performance.now() - started);
    }
    if (delta.reasoning !== undefined) {
      reasoning += delta.reasoning;
      yield { event: 'agent.thinking', content: delta.reasoning, metadata: { step, reasoning: true } };
    }
    if (delta.content !== undefined) {
      content += delta.content;
      onChunk(delta.content);
      yield partialAnswer(delta.content);
    }
    mergeToolCalls(calls, delta.toolCalls);
  }
  const toolCalls = calls
    .filter((call) => call !== undefined)
    .map((call, i) => ({ id: call.id ?? `call_${i + 1}`, name: call.name, arguments: call.arguments }));
  const llm: LlmCallReport = {
    model: config.model,
    duration_ms: round(performance.now() - started),
    ttft_ms: ttft,
    ...usage,
  };
  return { content, reasoning, toolCalls, llm };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function mergeToolCalls(
  calls: Array<{ id?: string; name: string; arguments: string }>,
  pieces: ChatDelta['toolCalls'],
): void {
  for (const piece of pieces ?? []) {
    const call = calls[piece.index] ?? { name: '', arguments: '' };
    calls[piece.index] = call;
    if (piece.id !== undefined) call.id = piece.id;
    if (piece.name !== undefined) call.name += piece.name;
    if (piece.arguments !== undefined) call.arguments += piece.arguments;
  }
}

/** Runs one requested call; an unknown tool or unreadable arguments are failed results fed back. */
async function* callTool(
  tool: Tool | undefined,
  call: ToolCall,
  context: AgentRunContext,
  stepId: string,
  llm: LlmCallReport | undefined,
): AsyncGenerator<AgentEvent, ToolOutcome> {
  let args: unknown;
  let problem: string | undefined;
  try {
    args = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    problem = `Invalid JSON arguments for tool '${call.name}': ${call.arguments.slice(0, 200)}`;
  }
  if (tool === undefined) problem = `Unknown tool '${call.name}'`;
  if (tool !== undefined && problem === undefined) {
    const events = runTool(tool, args, { context, stepId });
    if (llm === undefined) return yield* events;
    // The LLM call's report rides on the tool call it asked for.
    const first = await events.next();
    if (first.done) return first.value;
    yield withLlm(first.value, llm);
    return yield* events;
  }
  const toolCall: AgentEvent = {
    event: 'agent.tool_call',
    step_id: stepId,
    content: `Calling tool: ${call.name}`,
    metadata: { tool: call.name, args: isRecord(args) ? args : { raw: call.arguments }, status: 'running' },
  };
  yield llm === undefined ? toolCall : withLlm(toolCall, llm);
  const error = problem ?? 'unknown';
  yield {
    event: 'agent.tool_result',
    step_id: stepId,
    content: `Error: ${error}`,
    metadata: { tool: call.name, status: 'failed', error },
  };
  return { status: 'failed', output: `Error: ${error}`, error };
}

/**
 * Puts the system prompt first, and answers tool calls a cancelled turn left open: the chat-completions
 * API refuses a history where an assistant's tool call has no tool message.
 */
function prepareHistory(state: AgentSessionState, systemPrompt: string | undefined): void {
  const { messages } = state;
  if (systemPrompt !== undefined && messages[0]?.role !== 'system') {
    messages.unshift({ role: 'system', content: systemPrompt });
  }
  const answered = new Set(messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id));
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'assistant' || !Array.isArray(message.tool_calls)) continue;
    const open = (message.tool_calls as Array<{ id: string }>).filter((call) => !answered.has(call.id));
    let at = i + 1;
    while (messages[at]?.role === 'tool') at++;
    for (const call of open) {
      messages.splice(at++, 0, {
        role: 'tool',
        tool_call_id: call.id,
        content: 'Error: the turn was interrupted',
      });
    }
    break;
  }
}

/** Drops the oldest turns (from a user message on) until at most `max` messages follow the system prompt. */
function trimHistory(state: AgentSessionState, max: number): void {
  const { messages } = state;
  const start = messages[0]?.role === 'system' ? 1 : 0;
  if (messages.length - start <= max) return;
  let cut = messages.length - max;
  while (cut < messages.length - 1 && messages[cut]?.role !== 'user') cut++;
  messages.splice(start, cut - start);
}

function agentError(message: string, extra: Record<string, unknown> = {}): AgentEvent {
  return { event: 'agent.error', content: message, metadata: { code: 'AGENT_ERROR', ...extra } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
