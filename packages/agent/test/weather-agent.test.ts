import { type FakeOpenAI, startFakeOpenAI } from '@myagent/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import weatherDefault, { createAgent, getCityInfo, getWeather } from '../../../examples/weather-agent.js';
import { collect, createTestContext, names } from './context.js';

let llm: FakeOpenAI | undefined;
afterEach(async () => {
  await llm?.close();
  llm = undefined;
});

describe('examples/weather-agent.ts', () => {
  it('loads without an LLM config and says exactly which env vars are missing', async () => {
    expect(weatherDefault.name).toBe('weather_agent');
    const events = await collect(createAgent({ env: {} }).run('Weather in Paris?', createTestContext()));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: 'agent.error',
      metadata: { code: 'AGENT_ERROR', missing_env: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'] },
    });
    expect(events[0]?.content).toContain('OPENAI_API_KEY and OPENAI_BASE_URL are both unset');
  });

  it('answers with both tools through the tool-calling loop, configured from env', async () => {
    llm = await startFakeOpenAI([
      {
        toolCalls: [
          { name: 'get_weather', arguments: { city: '巴黎', unit: 'fahrenheit' } },
          { name: 'get_city_info', arguments: { city: 'paris' } },
        ],
      },
      { content: 'Paris is sunny at 70 °F; it is known for the Eiffel Tower.' },
    ]);
    const agent = createAgent({ env: { OPENAI_BASE_URL: llm.url, OPENAI_MODEL: 'fake-weather' } });
    const events = await collect(agent.run('巴黎天气怎么样？', createTestContext()));
    expect(names(events).slice(0, 5)).toEqual([
      'agent.thinking',
      'agent.tool_call',
      'agent.tool_result',
      'agent.tool_call',
      'agent.tool_result',
    ]);
    const results = events.filter((e) => e.event === 'agent.tool_result');
    expect(results[0]?.metadata?.data).toEqual({
      city: 'Paris',
      condition: 'sunny',
      temperature: 70,
      unit: 'fahrenheit',
      humidity_percent: 50,
      wind_kph: 8,
    });
    expect(results[1]?.metadata?.data).toMatchObject({ city: 'Paris', country: 'France' });
    expect(events.at(-1)?.content).toBe('Paris is sunny at 70 °F; it is known for the Eiffel Tower.');
    expect(llm.requests[0]?.body.model).toBe('fake-weather');
    expect(llm.requests[0]?.headers.authorization).toBeUndefined();
    expect(llm.requests[0]?.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual([
      'get_weather',
      'get_city_info',
    ]);
  });

  it('reports an unknown city as a failed tool result listing the known ones', async () => {
    llm = await startFakeOpenAI([
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Atlantis' } }] },
      { content: 'I have no data for Atlantis.' },
    ]);
    const events = await collect(
      createAgent({ llm: { baseUrl: llm.url } }).run('Atlantis?', createTestContext()),
    );
    const result = events.find((e) => e.event === 'agent.tool_result');
    expect(result?.metadata).toMatchObject({ status: 'failed' });
    expect(result?.metadata?.error).toMatch(/No data for 'Atlantis'\. Known cities: Beijing, Shanghai/);
    expect(getWeather.jsonSchema.required).toEqual(['city']);
    expect(getCityInfo.userConfirm).toBe(false);
  });
});
