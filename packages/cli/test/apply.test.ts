// `apply` and `daemon --config`: a config file made real through the HTTP API of a real daemon process, by
// the CLI run as a real process.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DaemonProcess, freePort, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonIn, runCli, seedProject, startCli } from './helpers.js';

const temp = tempDir();
let daemon: DaemonProcess;
let url: string;
const project = seedProject(join(temp.dir, 'project'));
const file = join(project, 'myagent.config.json');
// The CLI runs from another folder: paths in the file must resolve against the file's own folder.
const elsewhere = join(temp.dir, 'elsewhere');
mkdirSync(elsewhere);

const apply = (args: string[] = [], env: Record<string, string> = {}) =>
  runCli(['apply', ...args], { env: { MYAGENT_URL: url, ...env }, cwd: elsewhere });

interface Listed {
  service_id: string;
  name: string;
  status: string;
  started_at: string | null;
  host: string;
  port: number;
  tags: string[];
  description: string;
  config: { agent_factory_path: string; max_sessions: number; environment: Record<string, string> };
}

async function state() {
  const services = (await (await fetch(`${url}/api/v1/services`)).json()) as { services: Listed[] };
  const rules = (await (await fetch(`${url}/api/v1/routing/rules`)).json()) as { rules: unknown[] };
  // What apply may change (live counters and health times move on their own).
  const fields = ({
    service_id,
    name,
    status,
    started_at,
    tags,
    description,
    host,
    port,
    config,
  }: Listed) => ({ service_id, name, status, started_at, tags, description, host, port, config });
  return {
    services: services.services.map(fields).sort((a, b) => a.name.localeCompare(b.name)),
    rules: rules.rules as { rule_id: string; name: string; priority: number; target_tags: string[] }[],
  };
}

const baseConfig = {
  services: [
    {
      name: 'chat',
      path: './agents/weather_agent.mjs',
      // Ports from the kernel (set before the tests): the manager's default range is shared by every test.
      port: 0,
      tags: ['chat', 'production'],
      auto_start: true,
      config: { max_sessions: 5, environment: { TALKER_MODE: 'quiet' } },
    },
    { name: 'spare', path: 'agents/weather_agent.mjs', port: 0, description: 'kept stopped' },
  ],
  rules: [
    {
      name: 'vip',
      priority: 10,
      conditions: [{ field: 'header.x-user-tier', operator: 'equals', value: 'vip' }],
      target_tags: ['chat'],
      target_strategy: 'least_connections',
    },
  ],
};

const write = (config: unknown, path = file) => writeFileSync(path, JSON.stringify(config, null, 2));

beforeAll(async () => {
  for (const service of baseConfig.services) service.port = await freePort();
  ({ daemon, url } = await daemonIn(temp.dir));
}, 90_000);

afterAll(async () => {
  await daemon?.stop();
  temp.cleanup();
});

describe('apply', () => {
  it('--dry-run prints the plan and changes nothing', async () => {
    write(baseConfig);
    const result = await apply(['-f', file, '--dry-run']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\+ service chat {2}create and start$/mu);
    expect(result.stdout).toMatch(/^\+ service spare {2}create$/mu);
    expect(result.stdout).toMatch(/^\+ rule vip {2}create$/mu);
    expect(result.stdout).toMatch(/^3 changes \(dry run: nothing was changed\)$/mu);
    expect(await state()).toEqual({ services: [], rules: [] });
  });

  it('creates the services (paths against the file folder, auto_start started) and the rules', async () => {
    const result = await apply(['-f', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\+ service chat {2}created, running$/mu);
    expect(result.stdout).toMatch(/^\+ service spare {2}created, stopped$/mu);
    expect(result.stdout).toMatch(/^\+ rule vip {2}created$/mu);
    const { services, rules } = await state();
    expect(services).toMatchObject([
      {
        name: 'chat',
        status: 'running',
        tags: ['chat', 'production'],
        config: {
          agent_factory_path: join(project, 'agents', 'weather_agent.mjs'),
          max_sessions: 5,
          environment: { TALKER_MODE: 'quiet' },
        },
      },
      { name: 'spare', status: 'stopped', description: 'kept stopped' },
    ]);
    expect(services[1]?.config.agent_factory_path).toBe(join(project, 'agents', 'weather_agent.mjs'));
    expect(rules).toMatchObject([{ name: 'vip', priority: 10, target_tags: ['chat'] }]);
  }, 90_000);

  it('re-applying the same file is a no-op', async () => {
    const before = await state();
    const result = await apply(['-f', file]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`nothing to change: the manager matches ${file}, 3 unchanged`);
    const json = await apply(['-f', file, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ success: true, changes: [], kept: [] });
    expect(await state()).toEqual(before);
  });

  it('a change updates only what differs; a field left out goes back to its default', async () => {
    const before = await state();
    const [chat, spare] = baseConfig.services as unknown as [object, object];
    write({
      ...baseConfig,
      services: [{ ...chat, tags: ['chat'], config: { environment: { TALKER_MODE: 'quiet' } } }, spare],
      rules: [{ ...baseConfig.rules[0], priority: 20 }],
    });
    const result = await apply(['-f', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // max_sessions is read by the agent server at start: the running service restarts to apply it.
    expect(result.stdout).toMatch(/^~ service chat {2}updated tags, config\.max_sessions, running$/mu);
    expect(result.stdout).toMatch(/^~ rule vip {2}updated priority$/mu);
    expect(result.stdout).toMatch(/^2 changes, 1 unchanged$/mu);
    const after = await state();
    expect(after.services[0]).toMatchObject({
      service_id: before.services[0]?.service_id,
      tags: ['chat'],
      status: 'running',
      config: { max_sessions: 0 },
    });
    expect(after.services[1]).toEqual(before.services[1]);
    expect(after.rules[0]).toMatchObject({ rule_id: before.rules[0]?.rule_id, priority: 20 });
  }, 90_000);

  it('reads YAML too; removes what the file leaves out only with --prune', async () => {
    const yaml = join(project, 'myagent.config.yaml');
    writeFileSync(
      yaml,
      [
        '# only one service now, and no rule',
        'services:',
        '  - name: chat',
        '    path: ./agents/weather_agent.mjs',
        '    tags: [chat]',
        '    auto_start: true',
        '    config:',
        '      environment: { TALKER_MODE: quiet }',
        '',
      ].join('\n'),
    );
    const kept = await apply(['-f', yaml]);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain(`kept, not in ${yaml} (--prune removes them): rule vip, service spare`);
    expect((await state()).services.map((service) => service.name)).toEqual(['chat', 'spare']);

    const plan = await apply(['-f', yaml, '--prune', '--dry-run']);
    expect(plan.stdout).toMatch(/^- rule vip {2}remove \(--prune: not in the file\)$/mu);
    expect(plan.stdout).toMatch(/^- service spare {2}remove/mu);
    expect((await state()).rules).toHaveLength(1);

    const pruned = await apply(['-f', yaml, '--prune']);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^- rule vip {2}removed$/mu);
    expect(pruned.stdout).toMatch(/^- service spare {2}removed$/mu);
    const after = await state();
    expect(after.services.map((service) => service.name)).toEqual(['chat']);
    expect(after.rules).toEqual([]);
  }, 90_000);

  it('a bad file changes nothing and names each problem with its field', async () => {
    const before = await state();
    const bad = join(project, 'bad.config.json');
    write(
      {
        services: [
          { name: 'chat', path: './agents/weather_agent.mjs', tags: ['has space'] },
          { name: 'new-one', path: './agents/missing.mjs', port: 'eighty' },
          { name: 'chat', path: './agents/weather_agent.mjs', config: { max_sesions: 3 } },
        ],
        rules: [{ name: 'r', target_strategy: 'fastest' }],
      },
      bad,
    );
    const result = await apply(['-f', bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    const at = (path: string) => lines.filter((line) => line.includes(`bad.config.json: ${path}: `));
    for (const path of [
      'services.0.tags.0',
      'services.1.port',
      'services.2.config.max_sesions',
      'services.2.name',
      'rules.0.target_strategy',
    ]) {
      expect(at(path), path).toHaveLength(1);
    }
    expect(lines).toHaveLength(6);
    expect(lines.every((line) => line.startsWith('myagent-manager: INVALID_REQUEST: '))).toBe(true);
    expect(lines.at(-1)).toMatch(/bad\.config\.json has 5 problems; nothing was changed$/u);

    // Valid fields, but an agent module that is not there: still nothing is changed.
    write({ services: [{ name: 'new-one', path: './agents/missing.mjs' }, ...baseConfig.services] }, bad);
    const missing = await apply(['-f', bad, '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      success: false,
      error: {
        code: 'INVALID_REQUEST',
        details: { issues: [{ path: 'services.0.path', message: 'no such file: ./agents/missing.mjs' }] },
      },
    });
    writeFileSync(bad, '{"services": [\n  {"name": "x",\n}');
    const syntax = await apply(['-f', bad]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/bad\.config\.json: not valid JSON \(line 3, column \d+\)/u);
    expect(await state()).toEqual(before);
  });

  it('loads a .ts module typed by defineConfig', async () => {
    const ts = fileURLToPath(new URL('./fixtures/config/myagent.config.ts', import.meta.url));
    const result = await apply(['-f', ts, '--dry-run', '--json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({
      success: true,
      dry_run: true,
      changes: [
        { kind: 'service', action: 'create', name: 'from-ts' },
        { kind: 'rule', action: 'create', name: 'typed-rule' },
      ],
      kept: [{ kind: 'service', name: 'chat' }],
    });
  });

  it('finds myagent.config.* in the current folder when no -f is given', async () => {
    const result = await runCli(['apply', '--dry-run'], { env: { MYAGENT_URL: url }, cwd: project });
    expect(result.code).toBe(0);
    // .json comes before .yaml in the search order; the label is relative to the current folder.
    expect(result.stdout).toMatch(/^Plan for myagent\.config\.json \(dry run\):$/mu);
    const none = await apply(['--dry-run']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no config file: none of myagent\.config\.ts, .* in /u);
  });
});

describe('apply when the manager cannot do it all', () => {
  it('a service that ends in ERROR is reported (exit 1) and the rest is still applied', async () => {
    const broken = join(project, 'broken.config.json');
    write(
      {
        services: [
          {
            name: 'broken',
            path: './agents/weather_agent.mjs',
            port: await freePort(),
            auto_start: true,
            config: { auto_restart: false, environment: { TALKER_MODE: 'crash-at-start' } },
          },
        ],
        rules: [{ name: 'after-broken', target_services: ['broken'] }],
      },
      broken,
    );
    const result = await apply(['-f', broken]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^\+ service broken {2}created, error: .*exited with code 3/mu);
    expect(result.stdout).toMatch(/^\+ rule after-broken {2}created$/mu);
    expect(result.stderr).toContain('broken is in ERROR');
    const { services, rules } = await state();
    expect(services.find((service) => service.name === 'broken')?.status).toBe('error');
    expect(rules.map((rule) => rule.name)).toContain('after-broken');
  }, 90_000);

  it('a change the manager refuses stops the apply there, saying how far it got', async () => {
    const taken = join(project, 'taken.config.json');
    const chat = (await state()).services.find((service) => service.name === 'chat');
    // Another service's port: the manager refuses the registration with PORT_IN_USE.
    write(
      {
        services: [
          { name: 'first', path: './agents/weather_agent.mjs', port: await freePort() },
          { name: 'second', path: './agents/weather_agent.mjs', port: chat?.port },
          { name: 'third', path: './agents/weather_agent.mjs', port: await freePort() },
        ],
      },
      taken,
    );
    const result = await apply(['-f', taken]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^\+ service first {2}created, stopped$/mu);
    expect(result.stderr).toMatch(
      /^myagent-manager: PORT_IN_USE: service 'second': .* \(apply stopped: 1 of 3 changes made\)$/mu,
    );
    const names = (await state()).services.map((service) => service.name);
    expect(names).toContain('first');
    expect(names).not.toContain('third');
  }, 90_000);
});

describe('daemon --config', () => {
  it('applies the file once the daemon serves (through its API, with its token)', async () => {
    const dir = tempDir();
    const config = join(dir.dir, 'myagent.config.json');
    mkdirSync(join(dir.dir, 'agents'));
    writeFileSync(join(dir.dir, 'agents', 'talker.mjs'), "export default { name: 't', async *run() {} };\n");
    write(
      {
        services: [
          {
            name: 'boot',
            path: './agents/talker.mjs',
            port: await freePort(),
            tags: ['boot'],
            auto_start: true,
          },
        ],
        rules: [{ name: 'boot-rule', target_tags: ['boot'] }],
      },
      config,
    );
    // With a token the API requires: the apply at start must present one.
    const token = 'daemon-config-token-0123456789';
    const args = ['--db', join(dir.dir, 'm.db'), '--port', '0', '--metrics-interval', '0', '--token', token];
    const run = startCli(['daemon', ...args, '--config', config]);
    try {
      await until(() => run.stdout().includes('press Ctrl+C to stop'), 'the daemon to be up', 90_000);
      const base = /manager health: (http:\/\/[^/\s]+)\/health/u.exec(run.stdout())?.[1];
      expect(run.stdout()).toMatch(/^\+ service boot {2}created, running$/mu);
      expect(run.stdout()).toMatch(/^\+ rule boot-rule {2}created$/mu);
      const listed = await (
        await fetch(`${base}/api/v1/services/boot`, { headers: { authorization: `Bearer ${token}` } })
      ).json();
      expect(listed).toMatchObject({ name: 'boot', status: 'running', tags: ['boot'] });
    } finally {
      expect(await run.interrupt()).toBe(0);
    }

    // A bad file stops the daemon before it starts: no database, one line per problem.
    write({ services: [{ name: 'boot', path: './agents/none.mjs', auto_start: 'yes' }] }, config);
    const badDb = join(dir.dir, 'bad.db');
    const bad = await runCli(['daemon', '--db', badDb, '--port', '0', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('myagent.config.json: services.0.auto_start: ');
    expect(existsSync(badDb)).toBe(false);
    dir.cleanup();
  }, 120_000);
});
