import { type TraceDetailResponse, TraceStatus } from '@myagent/models';
import { type Output, time } from '../../output.js';
import { limitNote, withServiceNames } from '../../render.js';
import type { CommandSpec } from '../../spec.js';

const ms = (value: number | null) =>
  value === null ? '-' : value < 1000 ? `${value.toFixed(0)} ms` : `${(value / 1000).toFixed(2)} s`;

/** One run as a timeline: each span indented under its parent, with its start offset and duration. */
function timeline(out: Output, detail: TraceDetailResponse): void {
  const { trace, spans } = detail;
  out.print(`${out.c.bold(trace.trace_name)} ${out.status(trace.status)} ${out.c.dim(trace.trace_id)}`);
  out.print(`request: ${trace.request}`);
  out.print(
    `steps ${trace.steps}, tool calls ${trace.tool_calls}, LLM calls ${trace.llm_calls}, tokens ${trace.input_tokens} in / ${trace.output_tokens} out, ${ms(trace.duration_ms)}`,
  );
  if (trace.error_code) out.print(out.c.red(`${trace.error_code}: ${trace.error_message ?? ''}`));
  const start = Date.parse(trace.started_at);
  const depth = new Map<string, number>();
  for (const span of spans) {
    const level = span.parent_span_id === null ? 0 : (depth.get(span.parent_span_id) ?? 0) + 1;
    depth.set(span.span_id, level);
    if (level === 0) continue;
    const offset = Math.max(0, Date.parse(span.start_time) - start);
    const mark = span.status === 'error' ? out.c.red('✗') : out.c.green('✓');
    out.print(
      `${'  '.repeat(level)}${mark} +${ms(offset).padStart(8)}  ${span.name.padEnd(32)} ${ms(span.duration_ms)}`,
    );
  }
}

export const traces: CommandSpec = {
  usage: 'traces [trace_id]',
  description:
    'Agent runs, newest first (thinking, LLM and tool calls with durations); one run as a timeline',
  options: [
    { flags: '--service <name>', description: 'only the runs of this service (name or id)' },
    { flags: '--session <id>', description: 'only the runs of this session' },
    { flags: '--status <status>', description: 'only runs in this status', choices: TraceStatus.options },
    {
      flags: '-n, --limit <n>',
      description: 'at most this many',
      type: 'int',
      min: 1,
      max: 1000,
      defaultText: '20',
    },
  ],
  examples: [
    'myagent-manager traces',
    'myagent-manager traces --service echo-agent --status failed',
    'myagent-manager traces 6f1c2a0e-...',
  ],
  async run(ctx, [traceId], options) {
    const { client, out } = ctx;
    if (traceId !== undefined) {
      const reply = await client.getTrace(traceId);
      if (out.json) out.printJson(reply.json);
      else timeline(out, reply.data);
      return;
    }
    const reply = await withServiceNames(
      ctx,
      client.listTraces({
        service_id: options.service as string | undefined,
        session_id: options.session as string | undefined,
        status: options.status as string | undefined,
        limit: (options.limit as number | undefined) ?? 20,
      }),
    );
    if (!reply) return;
    const { traces, total } = reply.data;
    out.table(
      ['TRACE', 'SERVICE', 'SESSION', 'STATUS', 'STARTED', 'DURATION', 'STEPS', 'TOOLS', 'REQUEST'],
      traces.map((t) => [
        t.trace_id,
        reply.nameOf(t.service_id),
        t.session_id,
        out.status(t.status),
        time(t.started_at),
        ms(t.duration_ms),
        t.steps,
        t.tool_calls,
        t.request.length > 40 ? `${t.request.slice(0, 39)}…` : t.request,
      ]),
      'no traces',
    );
    limitNote(out, traces.length, total);
  },
};
