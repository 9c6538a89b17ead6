import { parseTraceEvent, type TraceEvent } from '@myagent/models';
import { TestClient, until } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { startRuntime } from '../test/helpers.js';
import { RunTrace } from './traces.js';

// Trace events derived from the agent events of real runs, in both run modes.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(mode: 'in-process' | 'worker', options: Parameters<typeof startRuntime>[0] = {}) {
  const traces: TraceEvent[] = [];
  const server = await startRuntime({ mode, workers: 1, onTrace: (event) => traces.push(event), ...options });
  cleanups.push(server.close);
  const client = await TestClient.connect(server.url);
  cleanups.push(() => client.close());
  return { server, client, traces };
}

const completed = (traces: TraceEvent[], n = 1) =>
  until(() => traces.filter((t) => t.event_type === 'trace_completed').length >= n, 'trace_completed');

describe.each(['in-process', 'worker'] as const)('traces (%s)', (mode) => {
  it('derives the events of a run with a tool call, in order, with durations', async () => {
    const { client, traces } = await setup(mode);
    const sessionId = await client.createSession();
    await client.turn(sessionId, 'hello');
    await completed(traces);
    for (const event of traces) expect(parseTraceEvent(event)).toEqual(event);
    expect(traces.map((t) => t.event_type)).toEqual([
      'trace_started',
      'think_completed',
      'tool_completed',
      'trace_completed',
    ]);
    const [started, think, tool, done] = traces;
    const traceId = started?.event_type === 'trace_started' ? started.data.trace_id : '';
    expect(started).toMatchObject({
      session_id: sessionId,
      data: { trace_name: 'fixture_execution', request: 'hello', agent_name: 'fixture', max_steps: null },
    });
    expect(traces.every((t) => 'trace_id' in t.data && t.data.trace_id === traceId)).toBe(true);
    expect(think?.data).toMatchObject({ step: 1, duration_ms: expect.any(Number) });
    expect(tool?.data).toMatchObject({
      name: 'echo',
      args: { text: 'hello' },
      status: 'success',
      output_chars: 5,
      step_id: 'step_1_echo',
    });
    expect(done?.data).toMatchObject({
      status: 'completed',
      steps: 1,
      tool_calls: 1,
      final_answer_chars: 11,
    });
    expect(new Set(traces.map((t) => t.message_id)).size).toBe(4);
  });

  it('ends a failing run with run_error and a failed trace', async () => {
    const { client, traces } = await setup(mode);
    const sessionId = await client.createSession();
    client.send({ event: 'user.message', session_id: sessionId, content: 'throw' });
    await completed(traces);
    const types = traces.map((t) => t.event_type);
    expect(types).toEqual(['trace_started', 'think_completed', 'run_error', 'trace_completed']);
    expect(traces[2]?.data).toMatchObject({
      code: 'AGENT_ERROR',
      message: expect.stringContaining('on purpose'),
    });
    expect(traces[3]?.data).toMatchObject({ status: 'failed' });
  });

  it('reports a cancel as a status_update and a cancelled trace', async () => {
    const { client, traces } = await setup(mode);
    const sessionId = await client.createSession();
    client.send({ event: 'user.message', session_id: sessionId, content: 'wait' });
    await client.waitEvent('agent.thinking', { session: sessionId });
    client.send({ event: 'user.cancel', session_id: sessionId });
    await completed(traces);
    expect(traces.map((t) => t.event_type)).toEqual([
      'trace_started',
      'think_completed',
      'status_update',
      'trace_completed',
    ]);
    expect(traces[3]?.data).toMatchObject({ status: 'cancelled' });
  });
});

describe('RunTrace', () => {
  it('keeps LLM details, bounds what an agent gives it and never throws', () => {
    const traces: TraceEvent[] = [];
    const trace = new RunTrace((e) => traces.push(e), {
      sessionId: 's',
      input: 'q'.repeat(10_000),
      agentName: 'a',
      maxSteps: 3,
    });
    trace.observe('agent.thinking', { event: 'agent.thinking', metadata: { step: 1 } });
    trace.observe('agent.partial_answer', {
      event: 'agent.partial_answer',
      content: 'x',
      metadata: { llm: { model: 'm', duration_ms: 12, ttft_ms: 3, input_tokens: 7, output_tokens: 'lots' } },
    });
    const hostile = {
      event: 'agent.tool_call' as const,
      step_id: 'big',
      get metadata(): Record<string, unknown> {
        return { tool: 't', args: { blob: 'b'.repeat(50_000) } };
      },
    };
    trace.observe('agent.tool_call', hostile);
    trace.observe('agent.tool_result', { event: 'agent.tool_result', step_id: 'big', content: 'ok' });
    const throwing = {
      event: 'agent.tool_call' as const,
      get metadata(): Record<string, unknown> {
        throw new Error('gotcha');
      },
    };
    expect(() => trace.observe('agent.tool_call', throwing)).not.toThrow();
    trace.end();
    trace.end();
    for (const event of traces) expect(parseTraceEvent(event)).toEqual(event);
    expect(traces[0]?.data).toMatchObject({ max_steps: 3 });
    expect(traces[0]?.data).toMatchObject({ request: 'q'.repeat(2000) });
    expect(traces[1]?.data).toMatchObject({
      llm: { model: 'm', ttft_ms: 3, input_tokens: 7, output_tokens: null },
    });
    expect(traces[2]?.data).toMatchObject({ args: { truncated: true } });
    expect(traces.filter((t) => t.event_type === 'trace_completed')).toHaveLength(1);
  });
});
