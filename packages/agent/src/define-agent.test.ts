import { AppError } from '@myagent/models';
import { describe, expect, it } from 'vitest';
import { collect, createTestContext } from '../test/context.js';
import { chunkText, defineAgent, streamAnswer } from './define-agent.js';

describe('defineAgent', () => {
  it('makes an agent whose run streams what the generator yields', async () => {
    const agent = defineAgent({
      name: 'hello',
      description: 'Greets',
      async *run(input, context) {
        context.state.current_step++;
        yield { event: 'agent.final_answer', content: `Hello ${input}` };
      },
    });
    const context = createTestContext();
    expect(agent.name).toBe('hello');
    expect(agent.description).toBe('Greets');
    expect(await collect(agent.run('Ada', context))).toEqual([
      { event: 'agent.final_answer', content: 'Hello Ada' },
    ]);
    expect(context.state.current_step).toBe(1);
  });

  it('ends quietly when the run throws after its signal was aborted, and rethrows otherwise', async () => {
    const agent = defineAgent({
      name: 'fails',
      async *run(input, context) {
        yield { event: 'agent.thinking', content: 'working' };
        if (input === 'abort' && !context.signal.aborted) controller.abort();
        throw new Error('boom');
      },
    });
    const controller = new AbortController();
    const aborted = await collect(agent.run('abort', createTestContext({ signal: controller.signal })));
    expect(aborted).toEqual([{ event: 'agent.thinking', content: 'working' }]);
    await expect(collect(agent.run('plain', createTestContext()))).rejects.toThrow('boom');
  });

  it('refuses an agent without a name or a run', () => {
    expect(() => defineAgent({ name: ' ', run: async function* () {} })).toThrow(AppError);
    expect(() => defineAgent({ name: 'x' } as never)).toThrow(/needs a run function/);
  });
});

describe('streamAnswer', () => {
  it('streams chunks, an empty final chunk with the total length, then the final answer', async () => {
    async function* chunks() {
      yield 'Hel';
      yield '';
      yield 'lo';
    }
    expect(await collect(streamAnswer(chunks()))).toEqual([
      { event: 'agent.partial_answer', content: 'Hel', metadata: { is_final: false } },
      { event: 'agent.partial_answer', content: 'lo', metadata: { is_final: false } },
      { event: 'agent.partial_answer', content: '', metadata: { is_final: true, total_length: 5 } },
      { event: 'agent.final_answer', content: 'Hello' },
    ]);
  });
});

describe('chunkText', () => {
  it('splits at words, or at characters when there are few words, and loses nothing', () => {
    expect(chunkText('one two three four five six', 3)).toEqual(['one two ', 'three four ', 'five six']);
    expect(chunkText('你好！世界', 2)).toEqual(['你好！', '世界']);
    expect(chunkText('')).toEqual([]);
    const text = 'a 😀 b';
    expect(chunkText(text, 10).join('')).toBe(text);
  });
});
