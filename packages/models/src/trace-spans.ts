import type { TraceEvent, TraceSpan, TraceSummary } from './traces.js';

// A run's events as spans: the run, each thinking step (with the LLM call inside it when the agent
// reported one) and each tool call. Every completed-event carries its duration and is stamped when it
// ended, so a span starts at `timestamp - duration_ms`. Attribute names follow OpenTelemetry's GenAI
// semantic conventions (gen_ai.*), so that the OTLP export and a timeline read the same spans. Pure and
// dependency-free: the console runs it in the browser.

/** A 16-hex-digit id from a text (FNV-1a, two 32-bit halves): stable span ids without node:crypto. */
export function hexId(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

function startOf(end: string, durationMs: number): string {
  return new Date(Date.parse(end) - durationMs).toISOString();
}

/**
 * The spans of one run, the root first, then in the order their events came.
 * @example const spans = traceSpans(detail.trace, detail.events);
 */
export function traceSpans(trace: TraceSummary, events: readonly TraceEvent[]): TraceSpan[] {
  const rootId = hexId(`${trace.trace_id}:root`);
  const failed = trace.status === 'failed' || trace.status === 'timeout';
  const root: TraceSpan = {
    span_id: rootId,
    parent_span_id: null,
    kind: 'trace',
    name: `invoke_agent ${trace.agent_name}`.slice(0, 256),
    start_time: trace.started_at,
    end_time: trace.ended_at,
    duration_ms: trace.duration_ms,
    status: trace.status === 'running' ? 'unset' : failed ? 'error' : 'ok',
    attributes: {
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': trace.agent_name,
      'gen_ai.conversation.id': trace.session_id,
      'myagent.service_id': trace.service_id,
      'myagent.trace_name': trace.trace_name,
      'myagent.status': trace.status,
      'myagent.steps': trace.steps,
      'myagent.tool_calls': trace.tool_calls,
      ...(trace.error_code === null ? {} : { 'error.type': trace.error_code }),
    },
  };
  const spans: TraceSpan[] = [root];
  events.forEach((event, index) => {
    const spanId = hexId(`${trace.trace_id}:${index}`);
    if (event.event_type === 'think_completed') {
      const { step, duration_ms, llm } = event.data;
      spans.push({
        span_id: spanId,
        parent_span_id: rootId,
        kind: 'think',
        name: `think step ${step}`,
        start_time: startOf(event.timestamp, duration_ms),
        end_time: event.timestamp,
        duration_ms,
        status: 'ok',
        attributes: { 'myagent.step': step },
      });
      if (llm !== undefined) {
        const attributes: TraceSpan['attributes'] = {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': llm.model,
        };
        if (llm.input_tokens != null) attributes['gen_ai.usage.input_tokens'] = llm.input_tokens;
        if (llm.output_tokens != null) attributes['gen_ai.usage.output_tokens'] = llm.output_tokens;
        if (llm.ttft_ms != null) attributes['myagent.llm.time_to_first_token_ms'] = llm.ttft_ms;
        spans.push({
          span_id: hexId(`${trace.trace_id}:${index}:llm`),
          parent_span_id: spanId,
          kind: 'llm',
          name: `chat ${llm.model}`.slice(0, 256),
          start_time: startOf(event.timestamp, llm.duration_ms),
          end_time: event.timestamp,
          duration_ms: llm.duration_ms,
          status: 'ok',
          attributes,
        });
      }
    } else if (event.event_type === 'tool_completed') {
      const { name, duration_ms, status, output_chars, step_id, args } = event.data;
      spans.push({
        span_id: spanId,
        parent_span_id: rootId,
        kind: 'tool',
        name: `execute_tool ${name}`.slice(0, 256),
        start_time: startOf(event.timestamp, duration_ms),
        end_time: event.timestamp,
        duration_ms,
        status: status === 'success' ? 'ok' : 'error',
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': name,
          ...(step_id === undefined ? {} : { 'gen_ai.tool.call.id': step_id }),
          'myagent.tool.status': status,
          'myagent.tool.args': JSON.stringify(args),
          'myagent.tool.output_chars': output_chars,
        },
      });
    }
  });
  return spans;
}
