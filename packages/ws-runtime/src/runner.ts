import type { Agent, AgentEvent, AgentSessionState, ConfirmationRequest } from '@myagent/models';
import { AppError } from '@myagent/models';
import type { LoadedAgent } from './agent-module.js';
import { boundHistory, type HistoryLimits } from './history.js';

// How a run executes: in this thread or in a pool worker. The runtime above owns sessions, sockets and
// timers; a runner only turns (input, state) into a stream of events and the state after the run.

/** One run of a session's agent, as the runtime hands it to a runner. */
export interface RunRequest {
  sessionId: string;
  input: string;
  /** The session's state before the run; the runner works on a copy. */
  state: AgentSessionState;
  /** Aborted by cancel, the run timeout or shutdown; the agent sees it as `context.signal`. */
  signal: AbortSignal;
  /** Aborted when the run ignored `signal` past the grace period: the runner must give up on it now. */
  kill: AbortSignal;
  /** Called when the agent starts running (in worker mode, once a worker took the run and loaded it). */
  onStart(): void;
  onEvent(event: AgentEvent): void;
  confirm(request: ConfirmationRequest): Promise<boolean>;
  /** Stops the run with a coded agent.error: the runner could not carry something it produced. */
  fail(message: string): void;
}

/** What a run leaves behind. */
export interface RunResult {
  state: AgentSessionState;
}

/** What one session may keep: its history (count and bytes) and its agent data (bytes); 0 = no bound. */
export interface SessionLimits extends HistoryLimits {
  maxStateBytes: number;
}

/** Executes agent runs; {@link createInProcessRunner} and the worker-pool runner implement it. */
export interface AgentRunner {
  readonly mode: 'in-process' | 'worker';
  /** Called when a session opens (in-process: creates its agent instance). */
  openSession(sessionId: string): Promise<void>;
  closeSession(sessionId: string): void;
  run(request: RunRequest): Promise<RunResult>;
  close(): Promise<void>;
  /**
   * Set by the runtime: the session's agent instance was lost (its worker died, or the session moved to
   * another worker); its next run rebuilds one from the session state.
   */
  onSessionLost?: (sessionId: string, message: string) => void;
}

/**
 * The coded error for a state whose agent data is over `maxBytes` as JSON, if it is (0 = no bound). Data
 * JSON cannot carry is left to the export, which reports it.
 */
export function stateDataError(state: AgentSessionState, maxBytes: number): AppError | undefined {
  if (maxBytes <= 0) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(state.data);
  } catch {
    return undefined;
  }
  const bytes = text === undefined ? 0 : Buffer.byteLength(text);
  if (bytes <= maxBytes) return undefined;
  return new AppError(
    'PAYLOAD_TOO_LARGE',
    `The session's agent state is ${bytes} bytes, over the limit of ${maxBytes} bytes (maxStateBytes); the run's changes were not kept`,
  );
}

/** Applies the session limits to the state a run left: trims the history, refuses oversize data. */
export function boundState(state: AgentSessionState, limits: SessionLimits): void {
  boundHistory(state, limits);
  const tooLarge = stateDataError(state, limits.maxStateBytes);
  if (tooLarge) throw tooLarge;
}

/** A run ended because it was killed after ignoring its abort signal. */
export class RunKilledError extends Error {
  override readonly name = 'RunKilledError';
}

/** Streams one run of an agent into `request`; shared by the in-process runner and the worker. */
export async function driveRun(
  agent: Agent,
  request: Pick<RunRequest, 'sessionId' | 'input' | 'signal' | 'onEvent' | 'confirm'> & {
    state: AgentSessionState;
  },
): Promise<RunResult> {
  const { state } = request;
  const context = {
    sessionId: request.sessionId,
    signal: request.signal,
    state,
    confirm: (confirmation: ConfirmationRequest) => request.confirm(confirmation),
  };
  for await (const event of agent.run(request.input, context)) request.onEvent(event);
  return { state };
}

function rejectOnAbort(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let listener: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    listener = () => reject(new RunKilledError('The run ignored its abort signal and was abandoned'));
    if (signal.aborted) listener();
    else signal.addEventListener('abort', listener, { once: true });
  });
  promise.catch(() => {});
  return { promise, dispose: () => listener && signal.removeEventListener('abort', listener) };
}

/**
 * Runs agents in this thread, one agent instance per session. A run that ignores its abort is abandoned
 * (its later events are dropped by the runtime); it cannot be killed, which is what worker mode is for.
 */
export function createInProcessRunner(loaded: LoadedAgent, limits?: SessionLimits): AgentRunner {
  const agents = new Map<string, Agent>();
  return {
    mode: 'in-process',
    async openSession(sessionId) {
      agents.set(sessionId, await loaded.create());
    },
    closeSession(sessionId) {
      agents.delete(sessionId);
    },
    async run(request) {
      const agent = agents.get(request.sessionId) ?? (await loaded.create());
      const killed = rejectOnAbort(request.kill);
      try {
        const state = structuredClone(request.state);
        request.onStart();
        const result = await Promise.race([driveRun(agent, { ...request, state }), killed.promise]);
        if (limits) boundState(result.state, limits);
        return result;
      } finally {
        killed.dispose();
      }
    },
    async close() {
      agents.clear();
    },
  };
}
