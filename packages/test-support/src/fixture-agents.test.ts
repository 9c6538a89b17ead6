import type { AgentEvent, AgentModule, AgentRunContext } from '@myagent/models';
import { expect, it } from 'vitest';
import { NO_AGENT_MODULE, TEST_AGENT } from './fixture-agents.js';

it('serves the test agent: a fresh agent per session that echoes through a tool call', async () => {
  const module = (await import(TEST_AGENT)) as { createAgent: () => NonNullable<AgentModule['agent']> };
  const agent = module.createAgent();
  expect(agent.name).toBe('fixture');
  expect(module.createAgent()).not.toBe(agent);
  const context = {
    sessionId: 's1',
    signal: new AbortController().signal,
    state: { messages: [], current_step: 0, data: {} },
    confirm: async () => true,
  } satisfies AgentRunContext;
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

it('points at a module that exports no agent', async () => {
  const module = (await import(NO_AGENT_MODULE)) as Record<string, unknown>;
  expect(Object.keys(module)).toEqual(['nothing']);
});
