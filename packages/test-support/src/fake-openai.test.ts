import { afterEach, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai.js';
import { until } from './wait.js';

let llm: FakeOpenAI | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

const ask = (body: Record<string, unknown>, init: RequestInit = {}) =>
  fetch(`${llm?.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    ...init,
  });

it('answers a list script in order, records each request, then HTTP 500; 404 off the chat route', async () => {
  llm = await startFakeOpenAI([
    { content: 'Hello there.' },
    { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
  ]);
  const text = (await (await ask({})).json()) as { choices: Array<{ message: unknown }>; usage: unknown };
  expect(text.choices[0]?.message).toEqual({ role: 'assistant', content: 'Hello there.' });
  expect(text.usage).toEqual({ prompt_tokens: 10, completion_tokens: 12, total_tokens: 22 });
  const tool = (await (await ask({})).json()) as { choices: Array<{ message: { tool_calls: unknown } }> };
  expect(tool.choices[0]?.message.tool_calls).toEqual([
    {
      id: 'call_fake_1_0',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    },
  ]);
  const past = await ask({});
  expect(past.status).toBe(500);
  expect(await past.json()).toMatchObject({
    error: { message: 'fake server: no scripted reply for request 3' },
  });
  expect((await fetch(`${llm.url}/v1/models`)).status).toBe(404);
  expect(llm.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
    ['POST', '/v1/chat/completions', 'Bearer sk-test'],
    ['POST', '/v1/chat/completions', 'Bearer sk-test'],
    ['POST', '/v1/chat/completions', 'Bearer sk-test'],
    ['GET', '/v1/models', undefined],
  ]);
  expect(llm.requests[0]?.body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
});

it('streams a text answer as server-sent chunks ending in [DONE] when the client streams', async () => {
  llm = await startFakeOpenAI(() => ({ content: 'ignored', chunks: ['Hel', 'lo'] }));
  const response = await ask({ stream: true });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const lines = (await response.text()).split('\n\n').filter(Boolean);
  expect(lines.at(-1)).toBe('data: [DONE]');
  const deltas = lines.slice(0, -1).map((line) => JSON.parse(line.slice('data: '.length)).choices[0]);
  expect(deltas.map((d: { delta: { content?: string } }) => d.delta.content)).toEqual([
    'Hel',
    'lo',
    undefined,
  ]);
  expect(deltas.at(-1)?.finish_reason).toBe('stop');
});

it('marks a hanging request aborted once the client goes away', async () => {
  llm = await startFakeOpenAI([{ hang: true, after: 'Half ' }]);
  const controller = new AbortController();
  const response = await ask({ stream: true }, { signal: controller.signal });
  expect(response.status).toBe(200);
  expect(llm.requests[0]?.aborted).toBe(false);
  controller.abort();
  await until(() => llm?.requests[0]?.aborted, 'the request to be marked aborted');
});
