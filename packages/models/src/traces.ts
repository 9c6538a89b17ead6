import * as v from 'valibot';
import { boundedString, Timestamp } from './common.js';

// Traces of agent runs (spec H2, seed 004). An agent server derives these events from each run's agent
// events and prints each as one JSON log line; the manager parses them (never trusting them), stores them
// with bounded retention, serves them over the HTTP API and streams them on `/ws/traces`. The message shape
// is seed 004's `{event_type, timestamp, message_id, session_id, data}`; every event's data carries the
// `trace_id` of its run so that the events of one run group without the stream's order.

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const millis = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(31 * 24 * 3_600_000));
const Id = v.pipe(boundedString(128, 1), v.regex(/^[\w.:-]+$/u, 'an id holds letters, digits and _ . : -'));

/** The bound of the `request` text a trace keeps (the question, cut to this many characters). */
export const MAX_TRACE_REQUEST_CHARS = 2000;
/** The bound of a tool's `args` in a trace event, as JSON characters. */
export const MAX_TRACE_ARGS_CHARS = 2000;
/**
 * The bound of one trace event's JSON log line, in characters: under the registry's cut of a captured line
 * (16,384), so that a trace line is never cut; a longer line is not taken for a trace event.
 */
export const MAX_TRACE_LINE_CHARS = 12_000;
/** The `msg` of the JSON log line that carries a trace event in its `trace` field. */
export const TRACE_LOG_MESSAGE = 'trace';

/** The kinds of trace events (seed 004's table). `connection_established` is sent by `/ws/traces` only. */
export const TRACE_EVENT_TYPES = [
  'connection_established',
  'trace_started',
  'think_completed',
  'tool_completed',
  'trace_completed',
  'run_error',
  'status_update',
] as const;
/** The name of a trace event. */
export type TraceEventType = (typeof TRACE_EVENT_TYPES)[number];

/** How a run ended, or `running`. */
export const TraceStatus = v.picklist(['running', 'completed', 'failed', 'cancelled', 'timeout']);
export type TraceStatus = v.InferOutput<typeof TraceStatus>;

/** One LLM call, as the agent reports it: model, token counts when the endpoint gave them, time to first token. */
export const LlmCallInfo = v.object({
  model: boundedString(200),
  duration_ms: millis,
  ttft_ms: v.optional(v.nullable(millis)),
  input_tokens: v.optional(v.nullable(count)),
  output_tokens: v.optional(v.nullable(count)),
  total_tokens: v.optional(v.nullable(count)),
});
export type LlmCallInfo = v.InferOutput<typeof LlmCallInfo>;

const Args = v.pipe(
  v.record(v.string(), v.unknown()),
  v.check((args) => JSON.stringify(args).length <= MAX_TRACE_ARGS_CHARS, 'args are too large'),
);

const traceId = { trace_id: Id };

/** `data` of each event type. */
export const TraceEventData = {
  connection_established: v.object({
    session_id: v.optional(Id),
    filters: v.optional(v.record(v.string(), v.string())),
  }),
  trace_started: v.object({
    ...traceId,
    trace_name: boundedString(256),
    request: boundedString(MAX_TRACE_REQUEST_CHARS),
    agent_name: boundedString(128),
    max_steps: v.nullable(count),
  }),
  think_completed: v.object({
    ...traceId,
    step: count,
    duration_ms: millis,
    llm: v.optional(LlmCallInfo),
  }),
  tool_completed: v.object({
    ...traceId,
    step_id: v.optional(boundedString(256)),
    name: boundedString(128),
    args: Args,
    duration_ms: millis,
    status: boundedString(32, 1),
    output_chars: count,
    error: v.optional(boundedString(1000)),
  }),
  trace_completed: v.object({
    ...traceId,
    status: TraceStatus,
    duration_ms: millis,
    steps: count,
    tool_calls: count,
    final_answer_chars: count,
  }),
  run_error: v.object({ ...traceId, code: boundedString(64, 1), message: boundedString(1000) }),
  status_update: v.object({
    trace_id: v.optional(Id),
    status: boundedString(64, 1),
    message: boundedString(1000),
  }),
} as const;

const envelope = {
  timestamp: Timestamp,
  message_id: boundedString(128, 1),
  session_id: boundedString(128),
  /** Set by the manager from the service that printed the event; an agent's own value is discarded. */
  service_id: v.optional(boundedString(64)),
};

/** One trace event, seed 004's shape, as a discriminated union on `event_type`. */
export const TraceEvent = v.variant('event_type', [
  v.object({
    event_type: v.literal('connection_established'),
    ...envelope,
    data: TraceEventData.connection_established,
  }),
  v.object({ event_type: v.literal('trace_started'), ...envelope, data: TraceEventData.trace_started }),
  v.object({ event_type: v.literal('think_completed'), ...envelope, data: TraceEventData.think_completed }),
  v.object({ event_type: v.literal('tool_completed'), ...envelope, data: TraceEventData.tool_completed }),
  v.object({ event_type: v.literal('trace_completed'), ...envelope, data: TraceEventData.trace_completed }),
  v.object({ event_type: v.literal('run_error'), ...envelope, data: TraceEventData.run_error }),
  v.object({ event_type: v.literal('status_update'), ...envelope, data: TraceEventData.status_update }),
]);
export type TraceEvent = v.InferOutput<typeof TraceEvent>;

/** A run as a list shows it: what it was asked, how it went, what it cost. */
export const TraceSummary = v.object({
  trace_id: Id,
  service_id: boundedString(64),
  session_id: boundedString(128),
  trace_name: boundedString(256),
  agent_name: boundedString(128),
  request: boundedString(MAX_TRACE_REQUEST_CHARS),
  status: TraceStatus,
  started_at: Timestamp,
  ended_at: v.nullable(Timestamp),
  duration_ms: v.nullable(millis),
  steps: count,
  tool_calls: count,
  llm_calls: count,
  input_tokens: count,
  output_tokens: count,
  final_answer_chars: count,
  error_code: v.nullable(boundedString(64)),
  error_message: v.nullable(boundedString(1000)),
});
export type TraceSummary = v.InferOutput<typeof TraceSummary>;

/** The kind of a span: the whole run, a thinking step, an LLM call inside it, a tool call. */
export const SpanKind = v.picklist(['trace', 'think', 'llm', 'tool']);
export type SpanKind = v.InferOutput<typeof SpanKind>;

/** One timed part of a run, for a timeline (and for OpenTelemetry export). */
export const TraceSpan = v.object({
  span_id: boundedString(64, 1),
  parent_span_id: v.nullable(boundedString(64, 1)),
  kind: SpanKind,
  name: boundedString(256),
  start_time: Timestamp,
  end_time: v.nullable(Timestamp),
  duration_ms: v.nullable(millis),
  status: v.picklist(['ok', 'error', 'unset']),
  attributes: v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])),
});
export type TraceSpan = v.InferOutput<typeof TraceSpan>;

/** `GET /api/v1/traces`: the newest runs first. */
export const TraceListResponse = v.object({ traces: v.array(TraceSummary), total: count });
export type TraceListResponse = v.InferOutput<typeof TraceListResponse>;

/** `GET /api/v1/traces/{trace_id}`: the run, its events in order, and its spans. */
export const TraceDetailResponse = v.object({
  trace: TraceSummary,
  events: v.array(TraceEvent),
  spans: v.array(TraceSpan),
});
export type TraceDetailResponse = v.InferOutput<typeof TraceDetailResponse>;

/** What a client sends on `/ws/traces/{session_id}` (seed 004): start a run with a question, or ping. */
export const TraceClientMessage = v.variant('action', [
  v.object({
    action: v.literal('start_agent'),
    question: v.pipe(boundedString(16_384), v.minLength(1, 'question must not be empty')),
    /** Optional routing context (tags, `service` name) for picking the agent. */
    service: v.optional(boundedString(64, 1)),
  }),
  v.object({ action: v.literal('ping') }),
]);
export type TraceClientMessage = v.InferOutput<typeof TraceClientMessage>;

/**
 * A trace event if `input` is one, else undefined: what an agent server printed is untrusted, and a bad
 * event is dropped, never half-used.
 */
export function parseTraceEvent(input: unknown): TraceEvent | undefined {
  const result = v.safeParse(TraceEvent, input);
  return result.success ? result.output : undefined;
}
