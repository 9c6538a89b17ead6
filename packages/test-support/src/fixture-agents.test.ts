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
  expect(events.map((e) => e.event)).toEqual([
    'agent.thinking',
    'agent.tool_call',
    'agent.tool_result',
    'agent.partial_answer',
    'agent.partial_answer',
    'agent.partial_answer',
    'agent.partial_answer', // is_final
    'agent.final_answer',
  ]);
  expect(events.at(-1)?.content).toBe('Echo: hi');
});

it('points at a module that exports no agent', async () => {
  const module = (await import(NO_AGENT_MODULE)) as Record<string, unknown>;
  expect(Object.keys(module)).toEqual(['nothing']);
});
