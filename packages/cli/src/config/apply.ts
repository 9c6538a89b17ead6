import { AppError, type Service } from '@myagent/models';
import type { ManagerClient } from '../client.js';
import { CliError } from '../errors.js';
import type { Output } from '../output.js';
import type { LoadedConfig } from './load.js';
import { type Change, type Current, type Plan, planApply } from './plan.js';

/** Options of {@link applyConfig}. */
export interface ApplyOptions {
  /** Remove the services and rules the file does not name. */
  prune: boolean;
  /** Print the plan and change nothing. */
  dryRun: boolean;
  /**
   * Restart a running service whose update changes what its agent server reads at start (path, sessions,
   * environment...), so that it runs as the file says; false leaves it for its next start.
   */
  restart: boolean;
  /** How the file is named in the output. */
  label: string;
}

/** What one change did, as `--json` prints it. */
interface Done {
  kind: Change['kind'];
  action: Change['action'];
  name: string;
  fields?: string[];
  status?: string;
  /** Fields that wait for the service's next start (only with `restart: false`). */
  pending_restart?: string[];
  error?: string;
}

/** Every service on the manager, page by page (a list answers at most 1000). */
async function currentState(client: ManagerClient): Promise<Current> {
  const services: Service[] = [];
  for (let offset = 0; ; ) {
    const { data } = await client.listServices({ limit: 1000, offset });
    services.push(...data.services);
    offset += data.services.length;
    if (!data.page.has_next || data.services.length === 0) break;
  }
  const { data } = await client.listRules();
  return { services, rules: data.rules };
}

const SIGN = { create: '+', update: '~', start: '>', remove: '-' } as const;

function line(out: Output, change: Pick<Change, 'kind' | 'action' | 'name'>, what: string): void {
  const { c } = out;
  const color = { create: c.green, update: c.yellow, start: c.cyan, remove: c.red }[change.action];
  out.print(`${color(SIGN[change.action])} ${change.kind} ${c.bold(change.name)}  ${what}`);
}

/** A change as the plan words it (the dry run, and what is about to happen). */
function planned(change: Change): string {
  switch (change.action) {
    case 'create':
      return change.kind === 'service' && change.body.auto_start ? 'create and start' : 'create';
    case 'update': {
      const then =
        change.kind === 'service' && change.stopFirst
          ? ' (stop, update, start again: host and port change only while stopped)'
          : change.kind === 'service' && change.start
            ? ', then start'
            : '';
      return `update ${change.fields.join(', ')}${then}`;
    }
    case 'start':
      return 'start (auto_start, and it is not running)';
    case 'remove':
      return 'remove (--prune: not in the file)';
  }
}

/** Starts a service; a failed start is a result (the service is in ERROR), not a reason to stop applying. */
async function startService(client: ManagerClient, name: string): Promise<Service> {
  try {
    const { service } = (await client.serviceAction(name, 'start')).data;
    if (service) return service;
  } catch (error) {
    if (!(AppError.is(error) && error.code === 'SERVICE_START_FAILED')) throw error;
  }
  return (await client.getService(name)).data;
}

/** Runs one change; resolves with what it did. */
async function run(client: ManagerClient, change: Change, options: ApplyOptions): Promise<Done> {
  const done: Done = { kind: change.kind, action: change.action, name: change.name };
  const ended = (service: Service) => {
    done.status = service.status;
    if (service.status === 'error') done.error = service.error_message ?? 'the start failed';
  };
  if (change.kind === 'rule') {
    if (change.action === 'create') await client.createRule(change.body);
    else if (change.action === 'update') {
      await client.updateRule(change.name, change.patch);
      done.fields = change.fields;
    } else await client.deleteRule(change.name);
    return done;
  }
  switch (change.action) {
    case 'create':
      ended((await client.registerService(change.body)).data.service);
      break;
    case 'update': {
      done.fields = change.fields;
      if (change.stopFirst) await client.serviceAction(change.name, 'stop');
      const { data } = await client.updateService(change.name, change.patch, options.restart);
      if (data.pending_restart.length > 0) done.pending_restart = data.pending_restart;
      done.status = data.service.status;
      if (change.stopFirst || change.start) ended(await startService(client, change.name));
      break;
    }
    case 'start':
      ended(await startService(client, change.name));
      break;
    case 'remove':
      await client.unregisterService(change.name);
      break;
  }
  return done;
}

/** A done change as its output line words it. */
function result(done: Done): string {
  const status = done.status ? `, ${done.status}` : '';
  const pending = done.pending_restart
    ? ` (${done.pending_restart.join(', ')} at its next start: restart it, or apply without --no-restart)`
    : '';
  const error = done.error ? `: ${done.error.replace(/\s*\n\s*/gu, ' ').slice(0, 300)}` : '';
  switch (done.action) {
    case 'create':
      return `created${status}${error}`;
    case 'update':
      return `updated ${done.fields?.join(', ')}${status}${pending}${error}`;
    case 'start':
      return `started${status}${error}`;
    case 'remove':
      return 'removed';
  }
}

function summary(out: Output, plan: Plan, label: string, dryRun: boolean): void {
  const { c } = out;
  if (plan.extra.length > 0) {
    out.print(
      c.dim(
        `kept, not in ${label} (--prune removes them): ${plan.extra.map((item) => `${item.kind} ${item.name}`).join(', ')}`,
      ),
    );
  }
  const unchanged = plan.unchanged.length > 0 ? `, ${plan.unchanged.length} unchanged` : '';
  if (plan.changes.length === 0) out.print(`nothing to change: the manager matches ${label}${unchanged}`);
  else {
    const count = `${plan.changes.length} change${plan.changes.length === 1 ? '' : 's'}`;
    out.print(dryRun ? `${count}${unchanged} (dry run: nothing was changed)` : `${count}${unchanged}`);
  }
}

/**
 * Makes the manager match a loaded config file through its API, printing each change as it is made (or,
 * with `dryRun`, only the plan). A service that ends in ERROR is reported and the rest still applied (exit
 * 1); a change the manager refuses stops the apply there, with what was done printed above it.
 */
export async function applyConfig(
  client: ManagerClient,
  out: Output,
  loaded: LoadedConfig,
  options: ApplyOptions,
): Promise<number> {
  const plan = planApply(loaded.config, await currentState(client), { prune: options.prune });
  const base = {
    file: loaded.file,
    dry_run: options.dryRun,
    unchanged: plan.unchanged,
    kept: plan.extra,
  };
  if (options.dryRun) {
    if (out.json) {
      const changes = plan.changes.map(({ kind, action, name, ...rest }) => ({
        kind,
        action,
        name,
        ...('fields' in rest && { fields: rest.fields }),
      }));
      out.printJson({ success: true, ...base, changes });
    } else {
      if (plan.changes.length > 0) out.print(out.c.bold(`Plan for ${options.label} (dry run):`));
      for (const change of plan.changes) line(out, change, planned(change));
      summary(out, plan, options.label, true);
    }
    return 0;
  }
  const results: Done[] = [];
  for (const [index, change] of plan.changes.entries()) {
    let done: Done;
    try {
      done = await run(client, change, options);
    } catch (error) {
      if (error instanceof CliError) throw error;
      const failure = AppError.from(error);
      throw new AppError(
        failure.code,
        `${change.kind} '${change.name}': ${failure.message.split('\n')[0]} (apply stopped: ${index} of ${plan.changes.length} changes made)`,
        { details: { ...failure.details, done: results } },
      );
    }
    results.push(done);
    if (!out.json) line(out, change, result(done));
  }
  const failed = results.filter((done) => done.error !== undefined);
  if (out.json) out.printJson({ success: failed.length === 0, ...base, changes: results });
  else {
    summary(out, plan, options.label, false);
    for (const done of failed)
      out.note(`${out.c.red('✖')} ${done.name} is in ERROR: see \`logs ${done.name}\``);
  }
  return failed.length > 0 ? 1 : 0;
}
