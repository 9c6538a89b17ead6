import type { AgentModule } from '@myagent/models';
import { describe, expect, it } from 'vitest';
import echoDefault, { createAgent } from '../../../examples/echo-agent.js';
import { collect, createTestContext, names } from './context.js';

describe('examples/echo-agent.ts', () => {
  it('exports an agent as default and a createAgent factory, as the runtime loads them', () => {
    const mod: AgentModule = { default: echoDefault, createAgent };
    expect(mod.default).toMatchObject({ name: 'echo_agent' });
    expect(typeof echoDefault.run).toBe('function');
    expect(createAgent()).not.toBe(createAgent());
  });

  it('streams thinking, the echo tool call and result, several chunks and a final answer with the input', async () => {
    const context = createTestContext();
    const events = await collect(echoDefault.run('hello there, agent', context));
    const order = names(events);
    expect(order.slice(0, 3)).toEqual(['agent.thinking', 'agent.tool_call', 'agent.tool_result']);
    expect(order.slice(3, -1).every((name) => name === 'agent.partial_answer')).toBe(true);
    expect(order.slice(3, -1).length).toBeGreaterThanOrEqual(4);
    expect(order.at(-1)).toBe('agent.final_answer');
    expect(events[1]).toMatchObject({
      step_id: 'step_1_echo',
      metadata: { tool: 'echo', args: { text: 'hello there, agent' }, status: 'running' },
    });
    expect(events[2]).toMatchObject({ step_id: 'step_1_echo', content: 'hello there, agent' });
    const final = String(events.at(-1)?.content);
    expect(final).toContain('hello there, agent');
    const chunks = events.filter((e) => e.event === 'agent.partial_answer' && e.metadata?.is_final === false);
    expect(chunks.map((e) => e.content).join('')).toBe(final);
    expect(events.at(-2)?.metadata).toEqual({ is_final: true, total_length: final.length });
    expect(context.confirmations).toEqual([]);
  });

  it('keeps the history in the session state across turns, and state stays JSON', async () => {
    const context = createTestContext();
    await collect(echoDefault.run('one', context));
    const second = await collect(echoDefault.run('你好！', context));
    expect(second[1]?.step_id).toBe('step_2_echo');
    expect(String(second.at(-1)?.content)).toContain('你好！');
    expect(String(second.at(-1)?.content)).toContain('message 2');
    expect(JSON.parse(JSON.stringify(context.state))).toEqual(context.state);
    expect(context.state.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('asks before reversing, and reports a denial', async () => {
    const allowed = createTestContext({ confirm: () => true });
    const events = await collect(createAgent().run('reverse abc', allowed));
    expect(allowed.confirmations).toEqual([
      {
        tool_name: 'reverse',
        tool_description: 'Returns the text reversed, character by character',
        tool_args: { text: 'abc' },
      },
    ]);
    expect(events.at(-1)?.content).toContain('cba');

    const denied = createTestContext({ confirm: () => false });
    const refused = await collect(createAgent().run('reverse abc', denied));
    expect(refused[2]).toMatchObject({
      metadata: { status: 'failed', error: 'Tool execution cancelled by user' },
    });
    expect(refused.at(-1)?.content).toContain('cancelled by user');
  });
});
