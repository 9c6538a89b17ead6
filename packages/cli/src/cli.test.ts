import { describe, expect, it } from 'vitest';
import { commandHelp, parseCLI, programHelp } from './cli.js';
import { COMMANDS } from './commands/index.js';
import { CliError } from './errors.js';

const io = { env: {}, cwd: '/work/project' };

function usage(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCLI(argv, { ...io, env });
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error(`parsed: ${argv.join(' ')}`);
}

const run = (argv: string[], env: Record<string, string> = {}) => {
  const parsed = parseCLI(argv, { ...io, env });
  if (parsed.kind !== 'run') throw new Error(`not a run: ${parsed.kind}`);
  return parsed;
};

describe('parseCLI', () => {
  it('reads the seeds lines into commands, arguments and typed options', () => {
    const register = run([
      'register',
      'weather-agent',
      './agents/weather_agent.py',
      '--port',
      '8081',
      '--tags',
      'weather,info',
      '--max-sessions',
      '100',
    ]);
    expect(register.command.usage).toBe('register <name> <path>');
    expect(register.args).toEqual(['weather-agent', '/work/project/agents/weather_agent.py']);
    expect(register.options).toEqual({ port: 8081, tags: ['weather', 'info'], maxSessions: 100 });
    expect(run(['ls', '--tag', 'weather', '--status', 'running']).options).toEqual({
      tag: ['weather'],
      status: ['running'],
    });
    expect(run(['remove', 'x']).command.usage).toBe('unregister <name>');
    expect(run(['logs', 'w', '--follow', '--level', 'error']).options).toEqual({
      follow: true,
      level: 'error',
    });
    expect(
      run(['register', 'a', 'b', '--no-auto-restart', '--no-wait', '--env', 'A=1', '--env', 'B=x=y']).options,
    ).toEqual({
      autoRestart: false,
      wait: false,
      env: ['A=1', 'B=x=y'],
    });
  });

  it('keeps values exactly as typed (no number coercion)', () => {
    expect(run(['register', 'a', 'b', '--tags', '007,1e3']).options.tags).toEqual(['007', '1e3']);
    expect(run(['disconnect', '0x10', '--reason', '123']).options.reason).toBe('123');
    expect(run(['disconnect', '0x10']).args).toEqual(['0x10']);
  });

  it('takes --url and --token from flags before the environment', () => {
    expect(run(['list']).global).toEqual({ url: 'http://127.0.0.1:8000', json: false });
    expect(run(['list'], { MYAGENT_URL: 'http://h:1', MYAGENT_TOKEN: 't' }).global).toEqual({
      url: 'http://h:1',
      token: 't',
      json: false,
    });
    expect(
      run(['--url', 'http://x:2', 'list', '--token', 'u', '--json'], { MYAGENT_URL: 'http://h:1' }).global,
    ).toEqual({
      url: 'http://x:2',
      token: 'u',
      json: true,
    });
  });

  it('refuses every usage error with exit code 2 and a message that says what', () => {
    expect(usage(['frob'])).toMatch(/unknown command 'frob'/u);
    expect(usage(['list', '--bogus'])).toMatch(/Unknown option '--bogus'/u);
    expect(usage(['start'])).toMatch(/missing required args/u);
    expect(usage(['start', 'a', 'b'])).toMatch(/Unused args/u);
    expect(usage(['register', 'a', 'b', '--port', 'eighty'])).toBe(
      "--port takes a whole number, got 'eighty'",
    );
    expect(usage(['register', 'a', 'b', '--port', '70000'])).toBe('--port must be at most 65535, got 70000');
    expect(usage(['register', 'a', 'b', '--port'])).toBe('--port needs a value');
    expect(usage(['register', 'a', 'b', '--port', '1', '--port', '2'])).toMatch(/given 2 times/u);
    expect(usage(['register', 'a', 'b', '--env', 'NOEQUALS'])).toBe("--env takes KEY=VALUE, got 'NOEQUALS'");
    expect(usage(['list', '--status', 'runnin'])).toMatch(/--status must be one of/u);
    expect(usage(['logs', 'x', '--level', 'loud'])).toMatch(
      /--level must be one of debug, info, warn, error/u,
    );
    expect(usage(['logs'])).toMatch(/needs a service NAME/u);
    expect(usage(['logs', 'x', '--since', 'yesterday'])).toMatch(/--since takes an ISO time/u);
    expect(usage(['logs', 'x', '--follow', '--search', 'y'])).toMatch(/do not go together/u);
    expect(usage(['monitor', '--interval', '0.1'])).toMatch(/at least 0.5/u);
    expect(usage(['route', 'frob'])).toMatch(/unknown route action 'frob'/u);
    expect(usage(['route', 'create'])).toMatch(/needs a rule NAME/u);
    expect(usage(['route', 'list', 'x'])).toMatch(/takes no NAME/u);
    expect(usage(['route', 'create', 'r', '--condition', 'header.x'])).toMatch(/no operator/u);
    expect(usage(['route', 'create', 'r', '--strategy', 'random'])).toMatch(/--strategy must be one of/u);
    expect(usage(['route', 'explain', '--header', 'novalue'])).toMatch(/--header takes KEY=VALUE/u);
    expect(usage(['list', '--url', 'ftp://x'])).toMatch(/--url must be an http/u);
  });

  it('answers --help and --version without running anything', () => {
    expect(parseCLI([])).toMatchObject({ kind: 'help' });
    expect(parseCLI(['--version'])).toMatchObject({
      kind: 'version',
      text: expect.stringMatching(/^myagent-manager\/\d+\.\d+\.\d+/u),
    });
    const help = parseCLI(['route', '--help']);
    expect(help.kind).toBe('help');
    expect(help.kind === 'help' && help.text).toContain('FIELD not in A,B,C');
  });

  it('passes the daemon its own flags untouched', () => {
    const parsed = run(['daemon', '--db', 'x.db', '--port', '0', '--register', 'a.ts']);
    expect(parsed.args).toEqual(['--db', 'x.db', '--port', '0', '--register', 'a.ts']);
    expect(run(['api', '--port', '8000']).args).toEqual(['--port', '8000']);
  });
});

describe('help', () => {
  it('documents all nine condition operators', () => {
    const route = COMMANDS.find((command) => command.usage.startsWith('route'));
    const text = commandHelp(route as (typeof COMMANDS)[number]);
    for (const operator of [
      'FIELD=VALUE',
      'FIELD!=VALUE',
      'FIELD~VALUE',
      'FIELD!~VALUE',
      'FIELD^=VALUE',
      'FIELD$=VALUE',
      'FIELD=~/REGEX/',
      'FIELD in A',
      'FIELD not in A',
    ]) {
      expect(text).toContain(operator);
    }
  });

  it('has examples for every command and the exit codes', () => {
    for (const command of COMMANDS) expect(command.examples?.length, command.usage).toBeGreaterThan(0);
    expect(programHelp()).toMatch(/4 {2}cannot reach the manager/u);
  });
});
