import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { describeIssues } from './common.js';
import { defineConfig, MyAgentConfig, type MyAgentConfigInput } from './config-file.js';

const problems = (input: unknown) => {
  const result = v.safeParse(MyAgentConfig, input);
  return result.success ? [] : describeIssues(result.issues);
};

describe('MyAgentConfig', () => {
  it('fills every default of a service, so the file alone says how it is set up', () => {
    const config = v.parse(MyAgentConfig, { services: [{ name: 'echo', path: './echo.ts' }] });
    expect(config.rules).toEqual([]);
    expect(config.services[0]).toEqual({
      name: 'echo',
      path: './echo.ts',
      description: '',
      host: '127.0.0.1',
      port: null,
      tags: [],
      auto_start: false,
      config: {
        max_sessions: 0,
        session_timeout: 1800,
        heartbeat_interval: 30,
        run_timeout: 600,
        memory_limit_mb: null,
        cpu_limit_percent: null,
        auto_restart: true,
        max_restart_count: 3,
        restart_delay: 5,
        health_check_enabled: true,
        health_check_interval: 10,
        health_check_timeout: 5,
        environment: {},
      },
    });
  });

  it('names every problem with the path to its field', () => {
    expect(
      problems({
        services: [
          { name: 'echo', path: './echo.ts', port: 'x' },
          { name: 'echo', path: '', config: { max_sessions: -1, agent_factory_path: './other.ts' } },
        ],
        rules: [{ name: 'vip', target_strategy: 'fastest' }, { name: 'vip' }],
        extra: true,
      }).map((issue) => issue.path),
    ).toEqual([
      'services.0.port',
      'services.1.path',
      'services.1.config.max_sessions',
      'services.1.config.agent_factory_path',
      'services.1.name',
      'rules.0.target_strategy',
      'rules.1.name',
      'extra',
    ]);
    expect(
      problems({
        services: [
          { name: 'a', path: 'a' },
          { name: 'a', path: 'b' },
        ],
      }),
    ).toEqual([{ path: 'services.1.name', message: "a service named 'a' is already defined at index 0" }]);
    expect(problems([])).toEqual([{ path: '', message: 'a config file must be an object' }]);
  });

  it('defineConfig returns its argument, typed', () => {
    const config = defineConfig({ services: [{ name: 'echo', path: './echo.ts', tags: ['chat'] }] });
    expect(config.services?.[0]?.tags).toEqual(['chat']);
    expectTypeOf(config).toEqualTypeOf<MyAgentConfigInput>();
    // @ts-expect-error an unknown field is a type error as well as a parse error
    defineConfig({ services: [{ name: 'echo', path: './echo.ts', tag: 'chat' }] });
  });
});
