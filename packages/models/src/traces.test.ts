import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { traceSpans } from './trace-spans.js';
import { TraceClientMessage, TraceEvent, type TraceSummary } from './traces.js';

const at = (ms: number) => new Date(Date.UTC(2025, 0, 1) + ms).toISOString();
const envelope = (ms: number, n: number) => ({ timestamp: at(ms), message_id: `m${n}`, session_id: 's1' });

/** The echo tool's completed-event, 50 ms in, as the agent server writes it. */
const toolCompleted = (duration_ms: number, status: 'success' | 'failed') => ({
  event_type: 'tool_completed',
  ...envelope(50, 2),
  data: { trace_id: 't1', name: 'echo', args: { text: 'hi' }, duration_ms, status, output_chars: 2 },
});

const summary: TraceSummary = {
  trace_id: 't1',
  service_id: 'svc',
  session_id: 's1',
  trace_name: 'echo_agent_execution',
  agent_name: 'echo_agent',
  request: 'hi',
  status: 'completed',
  started_at: at(0),
  ended_at: at(100),
  duration_ms: 100,
  steps: 1,
  tool_calls: 1,
  llm_calls: 1,
  input_tokens: 10,
  output_tokens: 5,
  final_answer_chars: 8,
  error_code: null,
  error_message: null,
};

describe('TraceEvent', () => {
  it('parses each kind and refuses odd data', () => {
    const tool = toolCompleted(3, 'success');
    expect(v.safeParse(TraceEvent, tool).success).toBe(true);
    expect(v.safeParse(TraceEvent, { ...tool, data: { ...tool.data, duration_ms: -1 } }).success).toBe(false);
    expect(
      v.safeParse(TraceEvent, { ...tool, data: { ...tool.data, args: { x: 'y'.repeat(5000) } } }).success,
    ).toBe(false);
    expect(v.safeParse(TraceEvent, { ...tool, data: { ...tool.data, trace_id: 'a b' } }).success).toBe(false);
    expect(v.safeParse(TraceEvent, { ...tool, event_type: 'rm -rf' }).success).toBe(false);
    expect(v.safeParse(TraceEvent, { ...tool, timestamp: 'yesterday' }).success).toBe(false);
  });

  it('parses the seed 004 client message and refuses others', () => {
    expect(v.parse(TraceClientMessage, { action: 'start_agent', question: 'q' })).toEqual({
      action: 'start_agent',
      question: 'q',
    });
    expect(v.safeParse(TraceClientMessage, { action: 'start_agent', question: '' }).success).toBe(false);
    expect(v.safeParse(TraceClientMessage, { action: 'drop_tables' }).success).toBe(false);
  });
});

describe('traceSpans', () => {
  it('makes a root, think with its LLM call, and tool spans with GenAI attributes', () => {
    const events = v.parse(v.array(TraceEvent), [
      {
        event_type: 'trace_started',
        ...envelope(0, 0),
        data: { trace_id: 't1', trace_name: 'x', request: 'hi', agent_name: 'echo_agent', max_steps: null },
      },
      {
        event_type: 'think_completed',
        ...envelope(40, 1),
        data: {
          trace_id: 't1',
          step: 1,
          duration_ms: 40,
          llm: { model: 'm', duration_ms: 30, ttft_ms: 5, input_tokens: 10, output_tokens: 5 },
        },
      },
      toolCompleted(10, 'failed'),
    ]);
    const spans = traceSpans(summary, events);
    expect(spans.map((s) => [s.kind, s.name, s.start_time.slice(17), s.duration_ms, s.status])).toEqual([
      ['trace', 'invoke_agent echo_agent', '00.000Z', 100, 'ok'],
      ['think', 'think step 1', '00.000Z', 40, 'ok'],
      ['llm', 'chat m', '00.010Z', 30, 'ok'],
      ['tool', 'execute_tool echo', '00.040Z', 10, 'error'],
    ]);
    expect(spans[2]?.parent_span_id).toBe(spans[1]?.span_id);
    expect(spans[2]?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.request.model': 'm',
    });
    expect(new Set(spans.map((s) => s.span_id)).size).toBe(4);
    expect(spans.every((s) => /^[0-9a-f]{16}$/u.test(s.span_id))).toBe(true);
  });
});
