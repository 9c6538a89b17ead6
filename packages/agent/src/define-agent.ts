import type { Agent, AgentEvent, AgentRunContext } from '@myagent/models';
import { AppError } from '@myagent/models';

/** What {@link defineAgent} takes: a name, a description and a run that yields events. */
export interface AgentOptions {
  name: string;
  description?: string;
  /** The most steps one run takes, when the agent has such a bound (traces report it as `max_steps`). */
  maxSteps?: number;
  /** One turn: yields events as protocol.md shapes them; keep per-session data in `context.state`. */
  run(input: string, context: AgentRunContext): AsyncIterable<AgentEvent>;
}

/**
 * Declares a hand-written agent; an async generator is the natural shape of its run. Once the run's signal
 * is aborted, whatever the run throws ends it quietly (the runtime reports the cancel or timeout).
 * @example export default defineAgent({ name: 'hello', async *run(input) { yield { event: 'agent.final_answer', content: `Hello ${input}` }; } });
 */
export function defineAgent(options: AgentOptions): Agent {
  if (typeof options.name !== 'string' || options.name.trim() === '') {
    throw new AppError('INVALID_REQUEST', 'An agent needs a non-empty name');
  }
  if (typeof options.run !== 'function') {
    throw new AppError('INVALID_REQUEST', `Agent '${options.name}' needs a run function`);
  }
  const run = options.run;
  return Object.freeze({
    name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    run: (input: string, context: AgentRunContext) => endQuietlyOnAbort(run(input, context), context.signal),
  });
}

// Cancel and the run timeout are the runtime's to report (agent.interrupted, agent.timeout): a run whose
// signal was aborted just ends, instead of throwing the abort reason up as if the agent had failed.
async function* endQuietlyOnAbort(events: AsyncIterable<AgentEvent>, signal: AbortSignal) {
  try {
    yield* events;
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/**
 * Streams an answer as protocol.md wants it: one `agent.partial_answer` per chunk, an empty final one with
 * `{is_final: true, total_length}`, then `agent.final_answer` with the whole text. Returns that text.
 * @example return yield* streamAnswer(['Hel', 'lo']);
 */
export async function* streamAnswer(
  chunks: Iterable<string> | AsyncIterable<string>,
): AsyncGenerator<AgentEvent, string> {
  let answer = '';
  for await (const chunk of chunks) {
    if (chunk === '') continue;
    answer += chunk;
    yield partialAnswer(chunk);
  }
  yield finalPartialAnswer(answer.length);
  yield { event: 'agent.final_answer', content: answer };
  return answer;
}

/** One `agent.partial_answer` chunk. */
export function partialAnswer(chunk: string): AgentEvent {
  return { event: 'agent.partial_answer', content: chunk, metadata: { is_final: false } };
}

/** The empty `agent.partial_answer` that ends a stream of chunks; `totalLength` sums the chunks sent. */
export function finalPartialAnswer(totalLength: number): AgentEvent {
  return {
    event: 'agent.partial_answer',
    content: '',
    metadata: { is_final: true, total_length: totalLength },
  };
}

/** Splits text into at most `count` chunks, at word boundaries when it can; for streaming a ready answer. */
export function chunkText(text: string, count = 4): string[] {
  let words: string[] = text.match(/\S+\s*|\s+/gu) ?? [];
  // Few words (or a language without spaces): split by characters instead, never inside a code point.
  if (words.length < count) words = Array.from(text);
  if (words.length === 0) return [];
  const per = Math.max(1, Math.ceil(words.length / count));
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += per) chunks.push(words.slice(i, i + per).join(''));
  return chunks;
}
