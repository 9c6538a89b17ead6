import type { AgentEvent, AgentModule, AgentRunContext } from '@myagent/models';
import { expect, it } from 'vitest';
import { COUNTING_AGENT, NO_AGENT_MODULE, TEST_AGENT } from './fixture-agents.js';

// What the runtime gives one run: a fresh session state, a signal nobody aborts, confirmations granted.
const runContext = () =>
  ({
    sessionId: 's1',
    signal: new AbortController().signal,
    state: { messages: [], current_step: 0, data: {} },
    confirm: async () => true,
  }) satisfies AgentRunContext;

it('serves the test agent: a fresh agent per session that echoes through a tool call', async () => {
  const module = (await import(TEST_AGENT)) as { createAgent: () => NonNullable<AgentModule['agent']> };
  const agent = module.createAgent();
  expect(agent.name).toBe('fixture');
  expect(module.createAgent()).not.toBe(agent);
  const context = runContext();
  const events: AgentEvent[] = [];
  for await (const event of agent.run('hi', context)) events.push(event);
  // It thinks, calls its echo tool, streams the answer in pieces and ends with the whole of it.
  expect(events.slice(0, 3).map((e) => e.event)).toEqual([
    'agent.thinking',
    'agent.tool_call',
    'agent.tool_result',
  ]);
  const pieces = events.filter((e) => e.event === 'agent.partial_answer').map((e) => e.content);
  expect(pieces.join('')).toBe('Echo: hi');
  expect(events.at(-1)).toEqual({ event: 'agent.final_answer', content: 'Echo: hi' });
  expect(context.state.current_step).toBe(1);
});

it("serves the counting agent: it counts the session's user messages in the state it is given", async () => {
  const agent = ((await import(COUNTING_AGENT)) as { default: NonNullable<AgentModule['agent']> }).default;
  const context = runContext();
  const answers: unknown[] = [];
  for (const input of ['one', 'two']) {
    for await (const event of agent.run(input, context)) {
      if (event.event === 'agent.final_answer') answers.push(event.content);
    }
  }
  expect(answers).toEqual(['one (message 1 of this session)', 'two (message 2 of this session)']);
});

it('points at a module that exports no agent', async () => {
  const module = (await import(NO_AGENT_MODULE)) as Record<string, unknown>;
  expect(Object.keys(module)).toEqual(['nothing']);
});
