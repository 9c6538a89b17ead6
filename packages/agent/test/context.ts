import type { AgentEvent, AgentRunContext, AgentSessionState, ConfirmationRequest } from '@myagent/models';

// A hand-made run context for tests: what the runtime would give a run, with the confirmations asked
// recorded and answered by a script.

/** Options of {@link createTestContext}. */
export interface TestContextOptions {
  signal?: AbortSignal;
  state?: AgentSessionState;
  /** Answers each confirmation; default: confirm everything. */
  confirm?: (request: ConfirmationRequest) => boolean | Promise<boolean>;
}

/** A run context plus the confirmations it was asked for. */
export interface TestContext extends AgentRunContext {
  readonly confirmations: ConfirmationRequest[];
}

/** A fresh session state, as the runtime creates it. */
export function emptyState(): AgentSessionState {
  return { messages: [], current_step: 0, data: {} };
}

/** Builds a run context for calling `agent.run(input, context)` directly. */
export function createTestContext(options: TestContextOptions = {}): TestContext {
  const confirmations: ConfirmationRequest[] = [];
  const answer = options.confirm ?? (() => true);
  return {
    sessionId: 'test-session',
    signal: options.signal ?? new AbortController().signal,
    state: options.state ?? emptyState(),
    confirmations,
    async confirm(request) {
      confirmations.push(request);
      return answer(request);
    },
  };
}

/** Runs an event stream to its end and returns every event. */
export async function collect(events: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const all: AgentEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

/** The event names of a run, in order, for readable assertions. */
export function names(events: AgentEvent[]): string[] {
  return events.map((event) => event.event);
}
