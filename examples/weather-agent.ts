// A weather assistant: an LLM (any OpenAI-compatible endpoint) with two tools over canned data, so it
// needs no weather service. Set OPENAI_API_KEY (api.openai.com) or OPENAI_BASE_URL (+ OPENAI_API_KEY if
// needed), and optionally OPENAI_MODEL. Without them, loading still works and every message gets an
// agent.error naming the missing variables.
// Serve it with: OPENAI_API_KEY=... pnpm exec myagent-ws server examples/weather-agent.ts --port 8082
import type { Agent, LlmOptions } from '@myagent/agent';
import { createToolCallAgent, defineTool, v } from '@myagent/agent';

interface City {
  name: string;
  aliases: string[];
  country: string;
  population: number;
  timezone: string;
  knownFor: string;
  weather: { condition: string; celsius: number; humidity: number; windKph: number };
}

const CITIES: City[] = [
  {
    name: 'Beijing',
    aliases: ['北京', 'peking'],
    country: 'China',
    population: 21_540_000,
    timezone: 'Asia/Shanghai',
    knownFor: 'the Forbidden City and the Great Wall nearby',
    weather: { condition: 'clear', celsius: 18, humidity: 35, windKph: 12 },
  },
  {
    name: 'Shanghai',
    aliases: ['上海'],
    country: 'China',
    population: 24_870_000,
    timezone: 'Asia/Shanghai',
    knownFor: 'the Bund and its skyline',
    weather: { condition: 'light rain', celsius: 22, humidity: 80, windKph: 15 },
  },
  {
    name: 'London',
    aliases: ['伦敦'],
    country: 'United Kingdom',
    population: 8_800_000,
    timezone: 'Europe/London',
    knownFor: 'the Thames, museums and theatre',
    weather: { condition: 'overcast', celsius: 12, humidity: 75, windKph: 20 },
  },
  {
    name: 'Paris',
    aliases: ['巴黎'],
    country: 'France',
    population: 2_100_000,
    timezone: 'Europe/Paris',
    knownFor: 'the Eiffel Tower and the Louvre',
    weather: { condition: 'sunny', celsius: 21, humidity: 50, windKph: 8 },
  },
  {
    name: 'New York',
    aliases: ['纽约', 'nyc'],
    country: 'United States',
    population: 8_300_000,
    timezone: 'America/New_York',
    knownFor: 'Manhattan, Central Park and Broadway',
    weather: { condition: 'partly cloudy', celsius: 16, humidity: 60, windKph: 18 },
  },
  {
    name: 'Tokyo',
    aliases: ['东京', '東京'],
    country: 'Japan',
    population: 14_000_000,
    timezone: 'Asia/Tokyo',
    knownFor: 'Shibuya, Asakusa and its food',
    weather: { condition: 'humid and warm', celsius: 26, humidity: 70, windKph: 10 },
  },
];

function findCity(query: string): City {
  const wanted = query.trim().toLowerCase();
  const city = CITIES.find((c) => c.name.toLowerCase() === wanted || c.aliases.includes(wanted));
  if (city === undefined) {
    throw new Error(`No data for '${query}'. Known cities: ${CITIES.map((c) => c.name).join(', ')}`);
  }
  return city;
}

const CityName = v.pipe(v.string(), v.minLength(1), v.maxLength(100), v.description('The city, e.g. Paris'));

/** Canned current weather of a known city. */
export const getWeather = defineTool({
  name: 'get_weather',
  description: 'Gets the current weather of a city: condition, temperature, humidity and wind',
  parameters: v.object({
    city: CityName,
    unit: v.optional(
      v.pipe(v.picklist(['celsius', 'fahrenheit']), v.description('Temperature unit')),
      'celsius',
    ),
  }),
  execute: ({ city, unit }) => {
    const { name, weather } = findCity(city);
    const temperature = unit === 'fahrenheit' ? Math.round((weather.celsius * 9) / 5 + 32) : weather.celsius;
    return {
      city: name,
      condition: weather.condition,
      temperature,
      unit,
      humidity_percent: weather.humidity,
      wind_kph: weather.windKph,
    };
  },
});

/** Canned facts about a known city. */
export const getCityInfo = defineTool({
  name: 'get_city_info',
  description: 'Gets facts about a city: country, population, time zone and what it is known for',
  parameters: v.object({ city: CityName }),
  execute: ({ city }) => {
    const found = findCity(city);
    return {
      city: found.name,
      country: found.country,
      population: found.population,
      timezone: found.timezone,
      known_for: found.knownFor,
    };
  },
});

/** Options of {@link createAgent}: the LLM (else OPENAI_* from `env`). */
export interface WeatherAgentOptions {
  llm?: LlmOptions;
  env?: Record<string, string | undefined>;
}

/** A fresh weather assistant (one per session). Never throws: a missing LLM config is reported per run. */
export function createAgent(options: WeatherAgentOptions = {}): Agent {
  return createToolCallAgent({
    name: 'weather_agent',
    description: 'A weather assistant with get_weather and get_city_info tools (canned data)',
    tools: [getWeather, getCityInfo],
    systemPrompt:
      'You are a friendly weather assistant. Use get_weather for current conditions and get_city_info for ' +
      'facts about a city; never invent weather. Answer in the language of the user, briefly.',
    maxSteps: 6,
    ...(options.llm === undefined ? {} : { llm: options.llm }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}

/** The weather assistant, for loaders that take a module's default export. */
const agent: Agent = createAgent();
export default agent;
