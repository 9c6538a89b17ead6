// Conformance suite, traces: runs and their events on every dialect.
import { AppError, type TraceEvent, type TraceSummary } from '@myagent/models';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test/dialects.js';
import type { Storage } from './index.js';

const at = (second: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, second)).toISOString();

function summary(id: string, second: number, patch: Partial<TraceSummary> = {}): TraceSummary {
  return {
    trace_id: id,
    service_id: 'svc-a',
    session_id: 'sess-1',
    trace_name: 'echo_agent_execution',
    agent_name: 'echo_agent',
    request: 'hello',
    status: 'running',
    started_at: at(second),
    ended_at: null,
    duration_ms: null,
    steps: 0,
    tool_calls: 0,
    llm_calls: 0,
    input_tokens: 0,
    output_tokens: 0,
    final_answer_chars: 0,
    error_code: null,
    error_message: null,
    ...patch,
  };
}

function events(id: string, second: number): TraceEvent[] {
  const base = { session_id: 'sess-1', timestamp: at(second) };
  return [
    {
      ...base,
      event_type: 'trace_started',
      message_id: `${id}-0`,
      data: { trace_id: id, trace_name: 'x', request: 'hello', agent_name: 'echo_agent', max_steps: null },
    },
    {
      ...base,
      event_type: 'tool_completed',
      message_id: `${id}-1`,
      data: {
        trace_id: id,
        name: 'echo',
        args: { text: 'hi' },
        duration_ms: 1.5,
        status: 'success',
        output_chars: 2,
      },
    },
  ];
}

for (const harness of DIALECTS) {
  describe.skipIf(!harness.available)(`traces on ${harness.dialect}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      ({ storage } = await harness.open());
    });
    afterEach(() => storage.close());
    afterAll(() => harness.cleanup());

    it('writes a run, updates its summary and reads it back with its events in order', async () => {
      await storage.traces.write({ summaries: [summary('t1', 1)], events: events('t1', 1) });
      const done = summary('t1', 1, {
        status: 'completed',
        ended_at: at(2),
        duration_ms: 1000.25,
        steps: 1,
        tool_calls: 1,
        llm_calls: 2,
        input_tokens: 5_000_000_000,
        output_tokens: 3,
        final_answer_chars: 11,
      });
      await storage.traces.write({ summaries: [done], events: [] });
      const got = await storage.traces.get('t1');
      expect(got?.trace).toEqual(done);
      expect(got?.events.map((e) => e.event_type)).toEqual(['trace_started', 'tool_completed']);
      expect(got?.events[1]).toEqual({ ...events('t1', 1)[1], service_id: 'svc-a' });
      expect(await storage.traces.get('missing')).toBeUndefined();
    });

    it('lists newest first with filters and a total', async () => {
      await storage.traces.write({
        summaries: [
          summary('a', 1),
          summary('b', 2, { service_id: 'svc-b', status: 'failed' }),
          summary('c', 3, { session_id: 'sess-2', status: 'completed' }),
        ],
        events: [],
      });
      const all = await storage.traces.list();
      expect(all.traces.map((t) => t.trace_id)).toEqual(['c', 'b', 'a']);
      expect(all.total).toBe(3);
      expect((await storage.traces.list({ service_id: 'svc-b' })).traces.map((t) => t.trace_id)).toEqual([
        'b',
      ]);
      expect((await storage.traces.list({ session_id: 'sess-2' })).traces.map((t) => t.trace_id)).toEqual([
        'c',
      ]);
      expect((await storage.traces.list({ status: 'running' })).traces.map((t) => t.trace_id)).toEqual(['a']);
      const first = await storage.traces.list({ limit: 1 });
      expect(first).toMatchObject({ total: 3, traces: [{ trace_id: 'c' }] });
      await expect(storage.traces.list({ status: 'bogus' as never })).rejects.toBeInstanceOf(AppError);
      await expect(storage.traces.list({ limit: -1 })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    });

    it('prunes to the newest runs, their events with them', async () => {
      for (let i = 0; i < 6; i++) {
        await storage.traces.write({ summaries: [summary(`t${i}`, i)], events: events(`t${i}`, i) });
      }
      expect(await storage.traces.prune(2)).toBe(4);
      expect((await storage.traces.list()).traces.map((t) => t.trace_id)).toEqual(['t5', 't4']);
      expect(await storage.traces.get('t0')).toBeUndefined();
      expect((await storage.traces.get('t5'))?.events).toHaveLength(2);
      expect(await storage.traces.prune(2)).toBe(0);
    });

    it('refuses bad input whole: nothing of the batch is stored', async () => {
      const bad = { ...summary('x', 1), status: 'exploded' } as unknown as TraceSummary;
      await expect(storage.traces.write({ summaries: [bad], events: [] })).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
      await expect(
        storage.traces.write({ summaries: [summary('y', 1)], events: events('orphan', 1) }),
      ).rejects.toMatchObject({
        code: 'INVALID_REQUEST',
      });
      expect((await storage.traces.list()).total).toBe(0);
    });
  });
}
