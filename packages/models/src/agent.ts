// The agent contract: what an agent module gives the runtime, and what the runtime gives each run.
// Types (and the event names) only, so that @myagent/ws-runtime can run agents without importing
// @myagent/agent.

/** The events an agent yields during a run; the runtime stamps session, seq and timestamps. */
export const AGENT_EVENT_NAMES = [
  'agent.thinking',
  'agent.tool_call',
  'agent.tool_result',
  'agent.user_confirm',
  'agent.partial_answer',
  'agent.final_answer',
  'agent.error',
] as const;
export type AgentEventName = (typeof AGENT_EVENT_NAMES)[number];

/** One event of a run, as protocol.md shapes it (content and metadata per event). */
export interface AgentEvent {
  event: AgentEventName;
  content?: unknown;
  step_id?: string;
  metadata?: Record<string, unknown>;
}

/** A tool call the agent wants the user to confirm (`agent.user_confirm`). */
export interface ConfirmationRequest {
  tool_name: string;
  tool_description: string;
  tool_args: Record<string, unknown>;
}

/**
 * A session's state, owned by the runtime and handed to every run: JSON only, because a run may execute
 * in a worker thread and because `user.request_state` signs and exports it.
 */
export interface AgentSessionState {
  /** The conversation so far, in chat-completions shape; bounded by the runtime on export. */
  messages: Array<{ role: string; content: unknown; [key: string]: unknown }>;
  /** How many steps the session has taken. */
  current_step: number;
  /** Anything else the agent keeps between runs. */
  data: Record<string, unknown>;
}

/** What the runtime gives one run of an agent. */
export interface AgentRunContext {
  readonly sessionId: string;
  /** Aborted by `user.cancel`, the run timeout or shutdown; pass it to tools and LLM calls. */
  readonly signal: AbortSignal;
  /** The session's state; mutate it, the runtime keeps it after the run. */
  readonly state: AgentSessionState;
  /** Asks the user to confirm a tool call; resolves false on denial, timeout or abort. */
  confirm(request: ConfirmationRequest): Promise<boolean>;
}

/** An agent: a name and a run that streams events. Keep per-session data in `context.state`. */
export interface Agent {
  readonly name: string;
  readonly description?: string;
  /** The most steps (LLM calls) one run takes, when the agent has such a bound; traces report it. */
  readonly maxSteps?: number;
  run(input: string, context: AgentRunContext): AsyncIterable<AgentEvent>;
}

/**
 * What an agent module exports: `default` or `agent` (an Agent), or `createAgent()` (a factory called for a
 * fresh agent per session).
 */
export interface AgentModule {
  default?: Agent | (() => Agent | Promise<Agent>);
  agent?: Agent;
  createAgent?: () => Agent | Promise<Agent>;
}
