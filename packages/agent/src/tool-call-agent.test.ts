import type { AgentEvent } from '@myagent/models';
import { type FakeOpenAI, type FakeScript, startFakeOpenAI, until } from '@myagent/test-support';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, createTestContext, emptyState, names } from '../test/context.js';
import { defineTool } from './tool.js';
import { createToolCallAgent, type ToolCallAgentOptions } from './tool-call-agent.js';

const getWeather = defineTool({
  name: 'get_weather',
  description: 'Current weather of a city',
  parameters: v.object({ city: v.string() }),
  execute: ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
});

/** A tool that asks the user to confirm each call. */
const bookTrip = defineTool({
  name: 'book_trip',
  description: 'Books a trip',
  parameters: v.object({ city: v.string() }),
  userConfirm: true,
  execute: () => 'booked',
});

let llm: FakeOpenAI | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

async function agentWith(script: FakeScript, options: Partial<ToolCallAgentOptions> = {}) {
  llm = await startFakeOpenAI(script);
  const { llm: llmOptions, ...rest } = options;
  return createToolCallAgent({
    name: 'weather',
    llm: { baseUrl: llm.url, apiKey: 'sk-test', model: 'fake-model', ...llmOptions },
    tools: [getWeather],
    systemPrompt: 'You are a weather assistant.',
    env: {},
    ...rest,
  });
}

const chunksOf = (events: AgentEvent[]) =>
  events
    .filter((e) => e.event === 'agent.partial_answer' && e.metadata?.is_final === false)
    .map((e) => e.content);

describe('createToolCallAgent against a real chat-completions server', () => {
  it('calls a tool, feeds its result back and streams the final answer', async () => {
    const agent = await agentWith([
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_1' }] },
      { content: 'It is sunny in Paris, 21 °C.', chunks: ['It is sunny ', 'in Paris, ', '21 °C.'] },
    ]);
    const context = createTestContext();
    const events = await collect(agent.run('Weather in Paris?', context));
    expect(names(events)).toEqual([
      'agent.thinking',
      'agent.tool_call',
      'agent.tool_result',
      'agent.thinking',
      'agent.partial_answer',
      'agent.partial_answer',
      'agent.partial_answer',
      'agent.partial_answer',
      'agent.final_answer',
    ]);
    expect(events[1]).toEqual({
      event: 'agent.tool_call',
      step_id: 'step_1_get_weather',
      content: 'Calling tool: get_weather',
      metadata: {
        tool: 'get_weather',
        args: { city: 'Paris' },
        status: 'running',
        // The first LLM call's report rides on the tool call it asked for (traces read it).
        llm: {
          model: 'fake-model',
          duration_ms: expect.any(Number),
          ttft_ms: expect.any(Number),
          input_tokens: 20,
          output_tokens: 16,
          total_tokens: 36,
        },
      },
    });
    expect(events[2]).toMatchObject({
      step_id: 'step_1_get_weather',
      metadata: {
        tool: 'get_weather',
        status: 'success',
        data: { city: 'Paris', sky: 'sunny', celsius: 21 },
      },
    });
    expect(chunksOf(events)).toEqual(['It is sunny ', 'in Paris, ', '21 °C.']);
    expect(events.at(-2)?.metadata).toMatchObject({
      is_final: true,
      total_length: 28,
      llm: { model: 'fake-model', input_tokens: 40, output_tokens: 28 },
    });
    expect(events.at(-1)?.content).toBe('It is sunny in Paris, 21 °C.');

    const [first, second] = llm?.requests ?? [];
    expect(first?.headers.authorization).toBe('Bearer sk-test');
    expect(first?.body).toMatchObject({ model: 'fake-model', stream: true });
    expect(first?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ]);
    expect(second?.body.messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"city":"Paris","sky":"sunny","celsius":21}' },
    ]);
    expect(context.state.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(context.state.current_step).toBe(2);
  });

  it('streams a plain answer chunk by chunk, reports reasoning as thinking, and keeps the history', async () => {
    const agent = await agentWith([
      { content: 'Hello there, friend.', chunks: ['Hel', 'lo there', ', friend.'], reasoning: 'Greet back.' },
      { content: 'Again.' },
    ]);
    const context = createTestContext();
    const events = await collect(agent.run('Hi', context));
    expect(chunksOf(events)).toEqual(['Hel', 'lo there', ', friend.']);
    expect(events.filter((e) => e.event === 'agent.thinking').map((e) => e.content)).toEqual([
      'Thinking (fake-model)',
      'Greet back.',
    ]);
    // The reasoning streams before the answer it leads to, not after it.
    const reasoningAt = events.findIndex((e) => e.content === 'Greet back.');
    expect(reasoningAt).toBeLessThan(events.findIndex((e) => e.event === 'agent.partial_answer'));
    await collect(agent.run('Once more', context));
    expect(llm?.requests[1]?.body.messages).toEqual([
      { role: 'system', content: 'You are a weather assistant.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there, friend.' },
      { role: 'user', content: 'Once more' },
    ]);
  });

  it('reads a server that answers with plain JSON instead of a stream', async () => {
    const agent = await agentWith([
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }], json: true },
      { content: 'Sunny in Oslo.', json: true },
    ]);
    const events = await collect(agent.run('Oslo?', createTestContext()));
    expect(events.find((e) => e.event === 'agent.tool_result')?.metadata).toMatchObject({
      status: 'success',
    });
    expect(events.at(-1)).toEqual({ event: 'agent.final_answer', content: 'Sunny in Oslo.' });
  });

  it.each([
    [500, 'model overloaded'],
    [401, 'Incorrect API key provided'],
  ])('turns HTTP %i into agent.error, and the session stays usable', async (status, message) => {
    // No retries here: a 500 is retried by default (see llm.test.ts), a 401 never.
    const agent = await agentWith([{ status, message }, { content: 'Recovered.' }], { llm: { retries: 0 } });
    const context = createTestContext();
    const events = await collect(agent.run('Hi', context));
    expect(events.at(-1)).toEqual({
      event: 'agent.error',
      content: `LLM request failed: HTTP ${status} ${status === 500 ? 'Internal Server Error' : 'Unauthorized'} from ${llm?.url}/v1/chat/completions: ${message}`,
      metadata: { code: 'AGENT_ERROR' },
    });
    const again = await collect(agent.run('Hi again', context));
    expect(again.at(-1)).toEqual({ event: 'agent.final_answer', content: 'Recovered.' });
  });

  it('reports an unreachable endpoint and a malformed stream as agent.error', async () => {
    const agent = await agentWith([{ raw: 'data: {not json\n\n' }]);
    const events = await collect(agent.run('Hi', createTestContext()));
    expect(events.at(-1)?.content).toMatch(/is not valid JSON: \{not json/);
    await llm?.close();
    const gone = await collect(agent.run('Hi', createTestContext()));
    expect(gone.at(-1)).toMatchObject({ event: 'agent.error', metadata: { code: 'AGENT_ERROR' } });
    expect(gone.at(-1)?.content).toMatch(
      /^LLM request failed: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \(ECONNREFUSED\)/,
    );
  });

  it('reports a stream that breaks off, closing the partial answers it had started', async () => {
    const agent = await agentWith([{ hang: true, after: 'Half an ' }]);
    const events: AgentEvent[] = [];
    const run = (async () => {
      for await (const event of agent.run('Hi', createTestContext())) events.push(event);
    })();
    await until(() => events.some((e) => e.event === 'agent.partial_answer'), 'the first chunk');
    await llm?.close();
    await run;
    expect(events.slice(1, -1)).toEqual([
      { event: 'agent.partial_answer', content: 'Half an ', metadata: { is_final: false } },
      { event: 'agent.partial_answer', content: '', metadata: { is_final: true, total_length: 8 } },
    ]);
    expect(events.at(-1)?.content).toMatch(
      /^LLM request failed: the reply from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions broke off \(/,
    );
  });

  it('ends a run promptly when it is cancelled while the LLM hangs, and the abort reaches the HTTP call', async () => {
    const agent = await agentWith([{ hang: true, after: 'Partial ' }]);
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    const run = (async () => {
      for await (const event of agent.run('Hi', createTestContext({ signal: controller.signal })))
        events.push(event);
    })();
    await until(() => events.some((e) => e.event === 'agent.partial_answer'), 'the first chunk');
    controller.abort(new Error('user.cancel'));
    await run;
    expect(names(events)).toEqual(['agent.thinking', 'agent.partial_answer']);
    await until(() => llm?.requests[0]?.aborted === true, 'the HTTP request to be aborted');
  });

  it('ends a hanging run when the run timeout fires, or with agent.error on the LLM timeout', async () => {
    const agent = await agentWith([{ hang: true }, { hang: true }]);
    const events = await collect(agent.run('Hi', createTestContext({ signal: AbortSignal.timeout(200) })));
    expect(names(events)).toEqual(['agent.thinking']);
    await until(() => llm?.requests[0]?.aborted === true, 'the first request to be aborted');

    const short = createToolCallAgent({ name: 'w', llm: { baseUrl: llm?.url, timeoutMs: 200 }, env: {} });
    const timedOut = await collect(short.run('Hi', createTestContext()));
    expect(timedOut.at(-1)).toEqual({
      event: 'agent.error',
      content: `LLM request timed out after 200 ms (${llm?.url}/v1/chat/completions)`,
      metadata: { code: 'AGENT_ERROR' },
    });
    await until(() => llm?.requests[1]?.aborted === true, 'the second request to be aborted');
  });

  it('ends quietly when cancelled while waiting for a confirmation, and the next turn still works', async () => {
    const agent = await agentWith(
      [
        { toolCalls: [{ name: 'book_trip', arguments: { city: 'Rome' }, id: 'call_b' }] },
        { content: 'Next.' },
      ],
      { tools: [bookTrip] },
    );
    const controller = new AbortController();
    const context = createTestContext({
      signal: controller.signal,
      // As the runtime does: a cancel resolves a pending confirmation as a denial.
      confirm: () => {
        controller.abort(new Error('user.cancel'));
        return false;
      },
    });
    const events = await collect(agent.run('Book Rome', context));
    expect(names(events)).toEqual(['agent.thinking', 'agent.tool_call']);
    const next = await collect(agent.run('Anything else?', createTestContext({ state: context.state })));
    expect(next.at(-1)).toEqual({ event: 'agent.final_answer', content: 'Next.' });
    const sent = llm?.requests[1]?.body.messages.map((m: { role: string }) => m.role);
    expect(sent).toEqual(['system', 'user', 'assistant', 'tool', 'user']);
  });

  it('says which env vars are missing instead of calling anything', async () => {
    const agent = createToolCallAgent({ name: 'w', tools: [getWeather], env: {} });
    const events = await collect(agent.run('Hi', createTestContext()));
    expect(events).toEqual([
      {
        event: 'agent.error',
        content: expect.stringContaining('OPENAI_API_KEY and OPENAI_BASE_URL are both unset'),
        metadata: { code: 'AGENT_ERROR', missing_env: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'] },
      },
    ]);
  });

  it('feeds back unknown tools, bad JSON, invalid args and denied confirmations as failed results', async () => {
    const agent = await agentWith(
      [
        {
          toolCalls: [
            { name: 'launch_rocket', arguments: {} },
            { name: 'get_weather', arguments: '{"city": ' },
            { name: 'get_weather', arguments: { town: 'Rome' } },
            { name: 'book_trip', arguments: { city: 'Rome' } },
          ],
        },
        { content: 'Sorry, none of that worked.' },
      ],
      { tools: [getWeather, bookTrip] },
    );
    const context = createTestContext({ confirm: () => false });
    const events = await collect(agent.run('Go', context));
    const results = events.filter((e) => e.event === 'agent.tool_result');
    expect(results.map((e) => [e.step_id, e.metadata?.status, e.metadata?.error])).toEqual([
      ['step_1_launch_rocket', 'failed', "Unknown tool 'launch_rocket'"],
      ['step_1_get_weather', 'failed', `Invalid JSON arguments for tool 'get_weather': {"city": `],
      [
        'step_1_get_weather_2',
        'failed',
        expect.stringMatching(/^Invalid arguments for tool 'get_weather': city: /),
      ],
      ['step_1_book_trip', 'failed', 'Tool execution cancelled by user'],
    ]);
    expect(context.confirmations).toEqual([
      { tool_name: 'book_trip', tool_description: 'Books a trip', tool_args: { city: 'Rome' } },
    ]);
    const fedBack = llm?.requests[1]?.body.messages.filter((m: { role: string }) => m.role === 'tool');
    expect(fedBack.map((m: { content: string }) => m.content.startsWith('Error: '))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(events.at(-1)).toEqual({ event: 'agent.final_answer', content: 'Sorry, none of that worked.' });
  });

  it('stops after maxSteps LLM calls with agent.error', async () => {
    const agent = await agentWith(
      () => ({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] }),
      {
        maxSteps: 3,
      },
    );
    const events = await collect(agent.run('Loop', createTestContext()));
    expect(llm?.requests).toHaveLength(3);
    expect(events.at(-1)).toEqual({
      event: 'agent.error',
      content: 'Stopped after 3 steps without a final answer (maxSteps)',
      metadata: { code: 'AGENT_ERROR' },
    });
  });

  it('answers tool calls a cancelled turn left open before calling the LLM again', async () => {
    const agent = await agentWith([{ content: 'Fine.' }]);
    const state = emptyState();
    state.messages.push(
      { role: 'system', content: 'You are a weather assistant.' },
      { role: 'user', content: 'Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_open', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
        ],
      },
    );
    await collect(agent.run('Still there?', createTestContext({ state })));
    expect(llm?.requests[0]?.body.messages.slice(2).map((m: { role: string }) => m.role)).toEqual([
      'assistant',
      'tool',
      'user',
    ]);
    expect(llm?.requests[0]?.body.messages[3]).toEqual({
      role: 'tool',
      tool_call_id: 'call_open',
      content: 'Error: the turn was interrupted',
    });
  });

  it('keeps at most maxHistory messages, dropping whole old turns and keeping the system prompt', async () => {
    const agent = await agentWith(
      (_request, index) =>
        index % 2 === 0
          ? { toolCalls: [{ name: 'get_weather', arguments: { city: `C${index}` } }] }
          : { content: `Answer ${index}` },
      { maxHistory: 6 },
    );
    const context = createTestContext();
    for (const question of ['q1', 'q2', 'q3']) await collect(agent.run(question, context));
    // Each turn is user, assistant (tool call), tool, assistant: two turns do not fit in 6.
    expect(context.state.messages.map((m) => m.content)).toEqual([
      'You are a weather assistant.',
      'q3',
      null,
      '{"city":"C4","sky":"sunny","celsius":21}',
      'Answer 5',
    ]);
    // Trimmed after the q2 turn, the q3 turn starts from the system prompt, the q2 turn and q3.
    expect(llm?.requests[4]?.body.messages.map((m: { content: unknown }) => m.content)).toEqual([
      'You are a weather assistant.',
      'q2',
      null,
      '{"city":"C2","sky":"sunny","celsius":21}',
      'Answer 3',
      'q3',
    ]);
  });

  it('refuses duplicate tool names and a bad maxSteps when created', () => {
    expect(() => createToolCallAgent({ name: 'x', tools: [getWeather, getWeather], env: {} })).toThrow(
      "Two tools are named 'get_weather'",
    );
    expect(() => createToolCallAgent({ name: 'x', maxSteps: 0, env: {} })).toThrow(/maxSteps/);
    expect(() => createToolCallAgent({ name: 'x', maxHistory: 1.5, env: {} })).toThrow(/maxHistory/);
  });
});
