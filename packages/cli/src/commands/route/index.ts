import { AppError, type CreateRoutingRuleRequestInput, RoutingStrategy } from '@myagent/models';
import { CONDITION_SYNTAX, formatCondition, parseCondition } from '../../condition.js';
import { usageError } from '../../errors.js';
import type { CommandContext, CommandSpec, OptionValues } from '../../spec.js';
import { keyValues } from '../register/index.js';

const ACTIONS = ['create', 'list', 'show', 'delete', 'explain'] as const;
type Action = (typeof ACTIONS)[number];

const STRATEGIES = RoutingStrategy.options;

function rule(name: string, options: OptionValues): CreateRoutingRuleRequestInput {
  const caseSensitive = options.caseSensitive === true;
  return {
    name,
    conditions: ((options.condition as string[] | undefined) ?? []).map((text) =>
      parseCondition(text, caseSensitive),
    ),
    ...(options.targetTag !== undefined && { target_tags: options.targetTag as string[] }),
    ...(options.targetService !== undefined && { target_services: options.targetService as string[] }),
    ...(options.strategy !== undefined && { target_strategy: options.strategy as RoutingStrategy }),
    ...(options.priority !== undefined && { priority: options.priority as number }),
    ...(options.description !== undefined && { description: options.description as string }),
    ...(options.disabled === true && { enabled: false }),
  };
}

const ruleNotFound = (name: string) => (error: unknown) => {
  if (AppError.is(error) && error.code === 'RULE_NOT_FOUND') {
    throw new AppError('RULE_NOT_FOUND', `no routing rule named '${name}'`, { details: error.details });
  }
  throw error;
};

async function create(ctx: CommandContext, name: string, options: OptionValues) {
  const reply = await ctx.client.createRule(rule(name, options));
  if (ctx.out.json) return ctx.out.printJson(reply.json);
  ctx.out.print(`${ctx.out.c.green('✔')} ${reply.data.message} (${reply.data.rule_id})`);
}

async function list(ctx: CommandContext) {
  const { out, client } = ctx;
  const reply = await client.listRules();
  if (out.json) return out.printJson(reply.json);
  out.table(
    ['NAME', 'PRIORITY', 'ENABLED', 'CONDITIONS', 'TARGETS', 'STRATEGY'],
    reply.data.rules.map((r) => [
      r.name,
      r.priority,
      r.enabled ? 'yes' : out.c.dim('no'),
      r.conditions.map(formatCondition).join(' AND ') || out.c.dim('(always)'),
      [...r.target_tags.map((tag) => `tag:${tag}`), ...r.target_services.map((s) => `service:${s}`)].join(
        ',',
      ) || '(all)',
      r.target_strategy,
    ]),
    'no routing rules (create one: myagent-manager route create NAME --condition ... --target-tag ...)',
  );
}

async function show(ctx: CommandContext, name: string) {
  const reply = await ctx.client.listRules();
  const found = reply.data.rules.find((r) => r.name === name || r.rule_id === name);
  if (!found) throw new AppError('RULE_NOT_FOUND', `no routing rule named '${name}'`);
  if (ctx.out.json)
    return ctx.out.printJson((reply.json as { rules: unknown[] }).rules[reply.data.rules.indexOf(found)]);
  ctx.out.pairs([
    ['name', found.name],
    ['id', found.rule_id],
    ['priority', found.priority],
    ['enabled', String(found.enabled)],
    ['conditions', found.conditions.map(formatCondition).join(' AND ') || '(always)'],
    ['target tags', found.target_tags.join(', ') || '-'],
    ['target services', found.target_services.join(', ') || '-'],
    ['strategy', found.target_strategy],
    ['description', found.description || '-'],
  ]);
}

async function remove(ctx: CommandContext, name: string) {
  const reply = await ctx.client.deleteRule(name).catch(ruleNotFound(name));
  if (ctx.out.json) return ctx.out.printJson(reply.json);
  ctx.out.print(`${ctx.out.c.green('✔')} ${reply.data.message}`);
}

async function explain(ctx: CommandContext, options: OptionValues) {
  const { out, client } = ctx;
  const reply = await client.explainRoute({
    ...(options.ip !== undefined && { client_ip: options.ip as string }),
    ...(options.userAgent !== undefined && { user_agent: options.userAgent as string }),
    ...(options.sessionId !== undefined && { session_id: options.sessionId as string }),
    ...(options.header !== undefined && { headers: keyValues('--header', options.header as string[]) }),
    ...(options.query !== undefined && { query_params: keyValues('--query', options.query as string[]) }),
    ...(options.tag !== undefined && { tags: options.tag as string[] }),
  });
  if (out.json) {
    out.printJson(reply.json);
    return reply.data.ok ? 0 : 1;
  }
  const r = reply.data;
  if (r.decision) {
    const why = r.decision.rule_name ? `rule '${r.decision.rule_name}'` : r.decision.reason;
    out.print(
      `${out.c.green('→')} ${r.decision.name} (${r.decision.endpoint}) by ${why}, ${r.decision.strategy}`,
    );
  } else {
    out.print(`${out.c.red('✖')} ${r.error?.code ?? 'ROUTING_FAILED'}: ${r.error?.message ?? 'no service'}`);
  }
  out.print();
  out.table(
    ['RULE', 'PRIORITY', 'OUTCOME', 'CONDITIONS'],
    r.rules.map((entry) => [
      entry.name,
      entry.priority,
      entry.outcome === 'selected' ? out.c.green(entry.outcome) : entry.outcome,
      entry.conditions
        .map(
          (c) =>
            `${formatCondition(c)} ${c.result ? out.c.green('✔') : out.c.red('✖')} (${JSON.stringify(c.actual)})`,
        )
        .join('; ') || '(always)',
    ]),
    'no routing rules: the default strategy picks among every routable service',
  );
  out.print();
  out.print(`candidates: ${r.candidates.routable} routable of ${r.candidates.given}`);
  for (const excluded of r.candidates.excluded)
    out.print(out.c.dim(`  ${excluded.service_id}: ${excluded.why}`));
  return r.ok ? 0 : 1;
}

export const route: CommandSpec = {
  usage: 'route <action> [name]',
  description:
    'Routing rules: create, list, show, delete; explain a sample connection (which rule, which service)',
  options: [
    {
      flags: '--condition <cond>',
      description: 'a condition of the rule (syntax below); repeatable, all must hold',
      type: 'repeat',
    },
    {
      flags: '--target-tag <tags>',
      description: 'route to services with these tags, comma-separated',
      type: 'list',
    },
    {
      flags: '--target-service <names>',
      description: 'route to these services (names or ids), comma-separated',
      type: 'list',
    },
    {
      flags: '--strategy <strategy>',
      description: 'how one service is picked among the targets',
      choices: STRATEGIES,
      defaultText: 'round_robin',
    },
    { flags: '--priority <n>', description: 'higher rules are tried first', type: 'int', defaultText: '0' },
    { flags: '--description <text>', description: 'what the rule is for' },
    { flags: '--disabled', description: 'create the rule disabled' },
    { flags: '--case-sensitive', description: 'compare condition values with case (default: ignore case)' },
    { flags: '-i, --ignore-case', description: 'compare ignoring case (the default; for symmetry)' },
    { flags: '--header <k=v>', description: 'explain: a request header; repeatable', type: 'repeat' },
    { flags: '--query <k=v>', description: 'explain: a query parameter; repeatable', type: 'repeat' },
    { flags: '--user-agent <ua>', description: 'explain: the User-Agent' },
    { flags: '--ip <ip>', description: "explain: the client's IP address" },
    { flags: '--session-id <id>', description: 'explain: a session id (affinity)' },
    {
      flags: '--tag <tags>',
      description: 'explain: tags the client asks for, comma-separated',
      type: 'list',
    },
  ],
  notes: `Actions:
  route create NAME --condition C [--condition C ...] (--target-tag T | --target-service S) [--strategy S] [--priority P]
  route list
  route show NAME
  route delete NAME
  route explain [--header k=v] [--query k=v] [--user-agent UA] [--ip IP] [--session-id ID] [--tag T]

${CONDITION_SYNTAX}`,
  examples: [
    'myagent-manager route create vip-routing --condition "header.x-user-tier=vip" --target-tag high-performance --strategy least_connections',
    'myagent-manager route create mobile --condition "user_agent=~/iPhone|Android/" --condition "query.plan in pro,team" --target-service mobile-agent --priority 10',
    'myagent-manager route list',
    'myagent-manager route delete vip-routing',
    'myagent-manager route explain --header x-user-tier=vip --user-agent "Mozilla/5.0" --ip 10.0.0.7',
  ],
  validate(args, options) {
    const action = args[0] as Action;
    if (!ACTIONS.includes(action)) {
      throw usageError(`unknown route action '${args[0]}': one of ${ACTIONS.join(', ')}`);
    }
    const needsName = action === 'create' || action === 'delete' || action === 'show';
    if (needsName && args[1] === undefined) throw usageError(`route ${action} needs a rule NAME`);
    if (!needsName && args[1] !== undefined)
      throw usageError(`route ${action} takes no NAME, got '${args[1]}'`);
    if (options.caseSensitive === true && options.ignoreCase === true) {
      throw usageError('--case-sensitive and --ignore-case contradict each other');
    }
    if (action === 'create') {
      // Parsed now so that a bad condition is a usage error before anything is sent.
      rule(args[1] as string, options);
    }
    if (action === 'explain') {
      keyValues('--header', options.header as string[] | undefined);
      keyValues('--query', options.query as string[] | undefined);
    }
  },
  async run(ctx, [action, name], options) {
    switch (action as Action) {
      case 'create':
        return create(ctx, name as string, options);
      case 'list':
        return list(ctx);
      case 'show':
        return show(ctx, name as string);
      case 'delete':
        return remove(ctx, name as string);
      case 'explain':
        return explain(ctx, options);
    }
  },
};
