import { fileURLToPath } from 'node:url';

/** The repository's echo agent (examples/echo-agent.ts), the agent most tests serve. */
export const ECHO_AGENT = fileURLToPath(new URL('../../../examples/echo-agent.ts', import.meta.url));
/** The repository's weather agent (examples/weather-agent.ts): an agent with a tool. */
export const WEATHER_AGENT = fileURLToPath(new URL('../../../examples/weather-agent.ts', import.meta.url));
