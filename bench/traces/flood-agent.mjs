// An agent for the ingest benchmark: a message "flood <events> <per-second>" makes it print that many
// well-formed trace events on the agent server's stdout, paced at that rate, as runs of 100 events each
// (trace_started, 98 tool_completed, trace_completed), then answer. Run it with --in-process so that its
// stdout is the server's own.
import { randomUUID } from 'node:crypto';

const write = (event) =>
  `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'trace', trace: event })}\n`;

function* events(total, session) {
  let n = 0;
  while (n < total) {
    const trace_id = randomUUID();
    const stamp = () => ({ timestamp: new Date().toISOString(), message_id: `m${n}`, session_id: session });
    yield write({
      event_type: 'trace_started',
      ...stamp(),
      data: { trace_id, trace_name: 'flood', request: 'flood', agent_name: 'flood', max_steps: null },
    });
    n++;
    for (let i = 0; i < 98 && n < total - 1; i++, n++) {
      yield write({
        event_type: 'tool_completed',
        ...stamp(),
        data: { trace_id, name: 'echo', args: { i }, duration_ms: 0.1, status: 'success', output_chars: 4 },
      });
    }
    yield write({
      event_type: 'trace_completed',
      ...stamp(),
      data: {
        trace_id,
        status: 'completed',
        duration_ms: 1,
        steps: 1,
        tool_calls: 98,
        final_answer_chars: 0,
      },
    });
    n++;
  }
}

export default {
  name: 'flood',
  async *run(input, context) {
    const [, total = '1000', rate = '10000'] = input.split(' ');
    const perTick = Math.max(1, Math.round(Number(rate) / 100));
    const source = events(Number(total), context.sessionId);
    const started = performance.now();
    let sent = 0;
    for (;;) {
      let chunk = '';
      for (let i = 0; i < perTick; i++) {
        const next = source.next();
        if (next.done) break;
        chunk += next.value;
        sent++;
      }
      if (chunk === '') break;
      process.stdout.write(chunk);
      // Paced against the clock, so a slow tick is caught up on the next.
      const due = started + (sent / Number(rate)) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    }
    yield { event: 'agent.final_answer', content: `flooded ${sent}` };
  },
};
