import { isDeepStrictEqual } from 'node:util';
import type {
  ConfigService,
  CreateRoutingRuleRequest,
  CreateServiceRequestInput,
  MyAgentConfig,
  RoutingRule,
  Service,
  UpdateRoutingRuleRequest,
  UpdateServiceRequestInput,
} from '@myagent/models';

/** One step that makes the manager match a config file. */
export type Change =
  | { kind: 'service'; action: 'create'; name: string; body: CreateServiceRequestInput }
  | {
      kind: 'service';
      action: 'update';
      name: string;
      /** Fields that differ, as `tags`, `path`, `config.max_sessions`. */
      fields: string[];
      patch: UpdateServiceRequestInput;
      /** A running service whose host or port changes: stopped, updated, started again. */
      stopFirst: boolean;
      /** Started after the update (the file asks for `auto_start` and it is not running). */
      start: boolean;
    }
  | { kind: 'service'; action: 'start'; name: string }
  | { kind: 'service'; action: 'remove'; name: string }
  | { kind: 'rule'; action: 'create'; name: string; body: CreateRoutingRuleRequest }
  | { kind: 'rule'; action: 'update'; name: string; fields: string[]; patch: UpdateRoutingRuleRequest }
  | { kind: 'rule'; action: 'remove'; name: string };

/** What {@link planApply} found: the steps in the order they run, and what already matches or is kept. */
export interface Plan {
  changes: Change[];
  /** Services and rules of the file that already match. */
  unchanged: { kind: 'service' | 'rule'; name: string }[];
  /** Services and rules on the manager that the file does not name, left alone without `prune`. */
  extra: { kind: 'service' | 'rule'; name: string }[];
}

/** What the manager has now. */
export interface Current {
  services: readonly Service[];
  rules: readonly RoutingRule[];
}

/** Statuses in which a service runs or is on its way: a start would do nothing. */
const UP = new Set(['running', 'starting', 'unhealthy']);
/** Statuses in which the manager refuses a host or port change (the registry's own list). */
const HAS_CHILD = new Set([...UP, 'stopping']);

// The fields of a rule compared and updated; `name` is what rules are matched on.
const RULE_FIELDS = [
  'priority',
  'enabled',
  'conditions',
  'target_strategy',
  'target_services',
  'target_tags',
  'weight',
  'fallback_strategy',
  'description',
] as const;

/**
 * The changes that make `current` match `desired` (whose service paths are absolute): services first (rules
 * may target them), then rules; with `prune`, what the file does not name is removed last. Pure: the same
 * plan prints for `--dry-run` and runs for `apply`.
 */
export function planApply(desired: MyAgentConfig, current: Current, options: { prune: boolean }): Plan {
  const plan: Plan = { changes: [], unchanged: [], extra: [] };
  const services = new Map(current.services.map((service) => [service.name, service]));
  for (const want of desired.services) {
    const have = services.get(want.name);
    if (!have)
      plan.changes.push({ kind: 'service', action: 'create', name: want.name, body: createBody(want) });
    else {
      const change = serviceChange(want, have);
      if (change) plan.changes.push(change);
      else plan.unchanged.push({ kind: 'service', name: want.name });
    }
  }
  const rules = new Map(current.rules.map((rule) => [rule.name, rule]));
  for (const want of desired.rules) {
    const have = rules.get(want.name);
    if (!have) plan.changes.push({ kind: 'rule', action: 'create', name: want.name, body: want });
    else {
      const fields = RULE_FIELDS.filter((field) => !isDeepStrictEqual(want[field], have[field]));
      if (fields.length === 0) plan.unchanged.push({ kind: 'rule', name: want.name });
      else {
        const patch = Object.fromEntries(fields.map((field) => [field, want[field]]));
        plan.changes.push({ kind: 'rule', action: 'update', name: want.name, fields, patch });
      }
    }
  }
  const namedRules = new Set(desired.rules.map((rule) => rule.name));
  const namedServices = new Set(desired.services.map((service) => service.name));
  for (const [kind, names, have] of [
    ['rule', namedRules, current.rules],
    ['service', namedServices, current.services],
  ] as const) {
    for (const { name } of have) {
      if (names.has(name)) continue;
      if (options.prune) plan.changes.push({ kind, action: 'remove', name });
      else plan.extra.push({ kind, name });
    }
  }
  return plan;
}

function createBody(want: ConfigService): CreateServiceRequestInput {
  return {
    name: want.name,
    agent_factory_path: want.path,
    description: want.description,
    host: want.host,
    port: want.port,
    tags: want.tags,
    config: want.config,
    auto_start: want.auto_start,
  };
}

const sameTags = (a: readonly string[], b: readonly string[]) =>
  isDeepStrictEqual([...a].sort(), [...b].sort());

/** The update (or start) that makes `have` match `want`, or undefined when it does. */
function serviceChange(want: ConfigService, have: Service): Change | undefined {
  const fields: string[] = [];
  const patch: UpdateServiceRequestInput = {};
  const config: Record<string, unknown> = {};
  if (want.path !== have.config.agent_factory_path) {
    fields.push('path');
    config.agent_factory_path = want.path;
  }
  if (want.description !== have.description) {
    fields.push('description');
    patch.description = want.description;
  }
  if (want.host !== have.host) {
    fields.push('host');
    patch.host = want.host;
  }
  // No port in the file: the one the manager allocated stays.
  if (want.port !== null && want.port !== have.port) {
    fields.push('port');
    patch.port = want.port;
  }
  if (!sameTags(want.tags, have.tags)) {
    fields.push('tags');
    patch.tags = want.tags;
  }
  for (const [key, value] of Object.entries(want.config)) {
    if (!isDeepStrictEqual(value, have.config[key as keyof Service['config']])) {
      fields.push(`config.${key}`);
      config[key] = value;
    }
  }
  if (Object.keys(config).length > 0) patch.config = config;
  const up = UP.has(have.status);
  const start = want.auto_start && !up;
  if (fields.length === 0) return start ? { kind: 'service', action: 'start', name: want.name } : undefined;
  const stopFirst = HAS_CHILD.has(have.status) && (patch.host !== undefined || patch.port !== undefined);
  return { kind: 'service', action: 'update', name: want.name, fields, patch, stopFirst, start };
}
