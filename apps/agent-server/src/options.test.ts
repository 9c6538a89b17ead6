import { describe, expect, it } from 'vitest';
import * as mod from './index.js';
import { resolveServerOptions } from './index.js';

describe('resolveServerOptions', () => {
  it('reads MYAGENT_<UPPER_SNAKE> variables, and flags win', () => {
    const options = resolveServerOptions(
      'agent.ts',
      { port: 9000, maxSessions: '3', debug: true },
      {
        MYAGENT_PORT: '8000',
        MYAGENT_MAX_SESSIONS: '10',
        MYAGENT_HEARTBEAT_INTERVAL: '0.2',
        MYAGENT_IN_PROCESS: '1',
        MYAGENT_STATE_SECRET: 's3cret',
        MYAGENT_PARENT_PID: '42',
      },
    );
    expect(options).toEqual({
      agentFile: 'agent.ts',
      port: 9000,
      maxSessions: 3,
      debug: true,
      heartbeatInterval: 0.2,
      inProcess: true,
      stateSecret: 's3cret',
      parentPid: 42,
    });
  });

  it('refuses bad values with a message naming the flag or variable', () => {
    expect(() => resolveServerOptions('a.ts', { port: 70_000 })).toThrow('--port must be at most 65535');
    expect(() => resolveServerOptions('a.ts', { workers: 1.5 })).toThrow('--workers must be an integer');
    expect(() => resolveServerOptions('a.ts', {}, { MYAGENT_RUN_TIMEOUT: '-1' })).toThrow(
      'MYAGENT_RUN_TIMEOUT must be a number >= 0',
    );
    expect(() => resolveServerOptions('a.ts', {}, { MYAGENT_GREETING: 'maybe' })).toThrow(
      'MYAGENT_GREETING must be true or false',
    );
  });
});

it('exports exactly its public surface', () => {
  expect(Object.keys(mod).sort()).toMatchInlineSnapshot(`
    [
      "agentServerCommand",
      "checkAgentFile",
      "createJsonLogger",
      "resolveServerOptions",
      "startAgentServer",
    ]
  `);
});
