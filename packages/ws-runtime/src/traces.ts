import { randomUUID } from 'node:crypto';
import type { AgentEvent, LlmCallInfo, TraceEvent, TraceStatus } from '@myagent/models';
import { MAX_TRACE_ARGS_CHARS, MAX_TRACE_REQUEST_CHARS } from '@myagent/models';

// Trace events (seed 004) derived from a run's agent events. They are made here, in the main thread's
// session hub, because every agent event of both modes passes through it (worker runs forward theirs), so
// one small recorder covers in-process and worker runs alike and the agent's own code needs no tracing
// calls. Everything read from an agent event is untrusted: values are bounded and checked, and the
// recorder never throws into the run.

/** Receives each trace event of the runtime's runs; the agent server prints them as JSON log lines. */
export type TraceSink = (event: TraceEvent) => void;

/** What the runtime knows of a run as it starts. */
export interface TraceStart {
  sessionId: string;
  input: string;
  agentName: string;
  maxSteps?: number | undefined;
}

/** How a run ended, as the session hub knows it. */
export interface TraceEnd {
  /** The runtime's stop reason, when it stopped the run. */
  stopReason?: 'cancel' | 'timeout' | 'shutdown' | 'closed' | 'failed' | undefined;
  /** Why the run failed (a runner rejection or an unsendable event), as the client was told. */
  failure?: string | undefined;
}

const now = () => performance.now();
const ms = (since: number) => Math.round((now() - since) * 1000) / 1000;
const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function count(value: unknown): number | null {
  const n = nonNegative(value);
  return n === undefined ? null : Math.floor(n);
}

/** A tool's args as a trace keeps them: JSON-safe and at most MAX_TRACE_ARGS_CHARS as JSON. */
function boundedArgs(args: unknown): Record<string, unknown> {
  if (!isRecord(args)) return {};
  let json: string;
  try {
    json = JSON.stringify(args) ?? '{}';
  } catch {
    return { unserializable: true };
  }
  if (json.length <= MAX_TRACE_ARGS_CHARS) return JSON.parse(json) as Record<string, unknown>;
  return { truncated: true, preview: json.slice(0, MAX_TRACE_ARGS_CHARS / 2) };
}

function lengthOf(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (content === undefined || content === null) return 0;
  try {
    return JSON.stringify(content)?.length ?? 0;
  } catch {
    return 0;
  }
}

/** The `llm` an agent put in an event's metadata, when it is one (model, duration, tokens, TTFT). */
function llmInfo(metadata: Record<string, unknown> | undefined): LlmCallInfo | undefined {
  const llm = metadata?.llm;
  if (!isRecord(llm) || typeof llm.model !== 'string') return undefined;
  const duration = nonNegative(llm.duration_ms);
  if (duration === undefined) return undefined;
  return {
    model: cut(llm.model, 200),
    duration_ms: duration,
    ttft_ms: nonNegative(llm.ttft_ms) ?? null,
    input_tokens: count(llm.input_tokens),
    output_tokens: count(llm.output_tokens),
    total_tokens: count(llm.total_tokens),
  };
}

interface OpenTool {
  name: string;
  args: Record<string, unknown>;
  startedAt: number;
}

/** The trace of one run: call {@link RunTrace.observe} with each agent event and {@link RunTrace.end} once. */
export class RunTrace {
  readonly traceId = randomUUID();
  readonly #sink: TraceSink;
  readonly #sessionId: string;
  readonly #startedAt = now();
  #seq = 0;
  #steps = 0;
  #toolCalls = 0;
  #answerChars = 0;
  #streamedChars = 0;
  #thinking: { since: number; step: number } | undefined;
  readonly #tools = new Map<string, OpenTool>();
  #error: { code: string; message: string } | undefined;
  #ended = false;

  constructor(sink: TraceSink, start: TraceStart) {
    this.#sink = sink;
    this.#sessionId = start.sessionId;
    this.#emit('trace_started', {
      trace_id: this.traceId,
      trace_name: cut(`${start.agentName}_execution`, 256),
      request: cut(start.input, MAX_TRACE_REQUEST_CHARS),
      agent_name: cut(start.agentName, 128),
      max_steps: start.maxSteps ?? null,
    });
  }

  /** Derives what an agent event means for the trace: a step ends, a tool call starts or completes. */
  observe(name: AgentEvent['event'], event: AgentEvent): void {
    if (this.#ended) return;
    try {
      const metadata = isRecord(event.metadata) ? event.metadata : undefined;
      const llm = llmInfo(metadata);
      switch (name) {
        case 'agent.thinking':
          if (!this.#thinking) {
            const step = count(metadata?.step);
            this.#steps++;
            this.#thinking = { since: now(), step: step ?? this.#steps };
          }
          if (llm) this.#endThinking(llm);
          return;
        case 'agent.partial_answer':
          if (metadata?.is_final !== true) this.#streamedChars += lengthOf(event.content);
          if (llm) this.#endThinking(llm);
          return;
        case 'agent.tool_call':
          this.#endThinking(llm);
          this.#startTool(event, metadata);
          return;
        case 'agent.tool_result':
          this.#endThinking(llm);
          this.#endTool(event, metadata);
          return;
        case 'agent.final_answer':
          this.#endThinking(llm);
          this.#answerChars = lengthOf(event.content);
          return;
        case 'agent.error': {
          this.#endThinking(llm);
          const code = typeof metadata?.code === 'string' ? cut(metadata.code, 64) : 'AGENT_ERROR';
          this.#fail(code, typeof event.content === 'string' ? event.content : 'The agent reported an error');
          return;
        }
        default:
          if (llm) this.#endThinking(llm);
      }
    } catch {
      // A hostile event (a throwing getter) costs the trace a detail, never the run.
    }
  }

  /** Ends the trace: a stop or failure becomes run_error / status_update, then trace_completed. */
  end(outcome: TraceEnd = {}): void {
    if (this.#ended) return;
    this.#endThinking(undefined);
    let status: TraceStatus = this.#error ? 'failed' : 'completed';
    switch (outcome.stopReason) {
      case 'timeout':
        status = 'timeout';
        this.#fail('RUN_TIMEOUT', 'The run exceeded the run timeout and was stopped');
        break;
      case 'failed':
        status = 'failed';
        this.#fail('AGENT_ERROR', outcome.failure ?? 'The run failed');
        break;
      case 'cancel':
      case 'closed':
      case 'shutdown':
        status = 'cancelled';
        this.#emit('status_update', {
          trace_id: this.traceId,
          status: 'cancelled',
          message: `The run was stopped (${outcome.stopReason})`,
        });
        break;
      default:
        if (outcome.failure !== undefined) {
          status = 'failed';
          this.#fail('AGENT_ERROR', outcome.failure);
        }
    }
    this.#ended = true;
    this.#emit('trace_completed', {
      trace_id: this.traceId,
      status,
      duration_ms: ms(this.#startedAt),
      steps: this.#steps,
      tool_calls: this.#toolCalls,
      final_answer_chars: this.#answerChars || this.#streamedChars,
    });
  }

  #fail(code: string, message: string): void {
    if (this.#error) return;
    this.#error = { code, message: cut(message, 1000) };
    this.#emit('run_error', { trace_id: this.traceId, ...this.#error });
  }

  #endThinking(llm: LlmCallInfo | undefined): void {
    const thinking = this.#thinking;
    if (!thinking && !llm) return;
    this.#thinking = undefined;
    if (!thinking) this.#steps++;
    this.#emit('think_completed', {
      trace_id: this.traceId,
      step: thinking?.step ?? this.#steps,
      duration_ms: thinking ? ms(thinking.since) : (llm?.duration_ms ?? 0),
      ...(llm ? { llm } : {}),
    });
  }

  #startTool(event: AgentEvent, metadata: Record<string, unknown> | undefined): void {
    const key = typeof event.step_id === 'string' ? cut(event.step_id, 256) : `tool_${this.#toolCalls + 1}`;
    // A bound on open calls: an agent that never sends results cannot grow this map.
    if (this.#tools.size >= 64) return;
    this.#tools.set(key, {
      name: cut(typeof metadata?.tool === 'string' ? metadata.tool : 'tool', 128),
      args: boundedArgs(metadata?.args),
      startedAt: now(),
    });
  }

  #endTool(event: AgentEvent, metadata: Record<string, unknown> | undefined): void {
    let key = typeof event.step_id === 'string' ? cut(event.step_id, 256) : undefined;
    if (key === undefined || !this.#tools.has(key)) key = [...this.#tools.keys()].at(-1);
    const open = key === undefined ? undefined : this.#tools.get(key);
    if (key === undefined || open === undefined) return;
    this.#tools.delete(key);
    this.#toolCalls++;
    const status = typeof metadata?.status === 'string' ? cut(metadata.status, 32) || 'success' : 'success';
    const error = typeof metadata?.error === 'string' ? { error: cut(metadata.error, 1000) } : {};
    this.#emit('tool_completed', {
      trace_id: this.traceId,
      step_id: key,
      name: open.name,
      args: open.args,
      duration_ms: ms(open.startedAt),
      status,
      output_chars: lengthOf(event.content),
      ...error,
    });
  }

  #emit<T extends TraceEvent['event_type']>(type: T, data: Extract<TraceEvent, { event_type: T }>['data']) {
    const event = {
      event_type: type,
      timestamp: new Date().toISOString(),
      message_id: `${type}_${this.traceId.slice(0, 8)}_${this.#seq++}`,
      session_id: this.#sessionId,
      data,
    } as TraceEvent;
    try {
      this.#sink(event);
    } catch {
      // A failing sink (a closed stdout) loses trace events, never a run.
    }
  }
}
