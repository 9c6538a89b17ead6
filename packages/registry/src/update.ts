import { resolve as resolvePath } from 'node:path';
import {
  AppError,
  parseOrThrow,
  type Service,
  ServiceConfig,
  serviceEndpoint,
  UpdateServiceRequest,
  type UpdateServiceRequestInput,
} from '@myagent/models';
import { checkAgentModule } from './agent-check.js';
import { isPortFree } from './ports.js';
import { listAll, type RegistrationContext, requireService } from './registration.js';

/**
 * Config fields the agent server reads at its start (they are its command line or environment): on a
 * running service they take effect at the next start. Every other field the registry or the health
 * monitor reads when it needs it, so it applies at once.
 */
export const START_TIME_FIELDS: ReadonlySet<string> = new Set([
  'agent_factory_path',
  'max_sessions',
  'session_timeout',
  'heartbeat_interval',
  'run_timeout',
  'environment',
  'host',
  'port',
]);

/** What {@link ServiceRegistry.update} changed, as field names (`config.max_sessions`, `tags`). */
export interface ServiceUpdate {
  service: Service;
  /** Every field whose value changed. */
  changed: string[];
  /** Changed fields the running child only sees after a restart (empty when it is not running). */
  pendingRestart: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const RUNNING_LIKE = new Set(['starting', 'running', 'unhealthy', 'stopping']);

/**
 * Validates a patch against the stored service and writes it: a new name must be free, a new port free
 * and unclaimed, a new agent path must dry-load; host and port change only while the service is not
 * running (SERVICE_RUNNING otherwise). Call it under the registration lock and the service's own queue.
 */
export async function updateService(
  serviceId: string,
  input: UpdateServiceRequestInput,
  context: RegistrationContext,
): Promise<ServiceUpdate> {
  const patch = parseOrThrow(UpdateServiceRequest, input, 'service update');
  const current = await requireService(context.store, serviceId);
  const running = RUNNING_LIKE.has(current.status);
  const next: Service = structuredClone(current);
  const changed: string[] = [];
  for (const key of ['name', 'description', 'tags', 'host', 'port'] as const) {
    if (patch[key] !== undefined && !same(patch[key], current[key])) {
      (next as Record<string, unknown>)[key] = patch[key];
      changed.push(key);
    }
  }
  if (patch.config) {
    const merged = { ...current.config, ...patch.config };
    if (patch.config.agent_factory_path !== undefined) {
      merged.agent_factory_path = resolvePath(context.cwd, patch.config.agent_factory_path);
    }
    next.config = parseOrThrow(ServiceConfig, merged, 'service config');
    for (const key of Object.keys(patch.config)) {
      const field = key as keyof typeof next.config;
      if (!same(next.config[field], current.config[field])) changed.push(`config.${key}`);
    }
  }
  if (changed.length === 0) return { service: current, changed, pendingRestart: [] };
  if (running && (changed.includes('host') || changed.includes('port'))) {
    throw new AppError('SERVICE_RUNNING', `Stop service '${current.name}' before changing its host or port`, {
      details: { service_id: serviceId, status: current.status },
    });
  }
  if (changed.includes('name')) {
    const owner = await context.store.getByName(next.name);
    if (owner && owner.service_id !== serviceId) {
      throw new AppError('SERVICE_ALREADY_EXISTS', `Service '${next.name}' already exists`, {
        details: { name: next.name },
      });
    }
  }
  if (changed.includes('port') || changed.includes('host')) {
    const owner = (await listAll(context.store)).find(
      (s) => s.port === next.port && s.service_id !== serviceId,
    );
    if (owner || (changed.includes('port') && !(await isPortFree(next.host, next.port)))) {
      throw new AppError(
        'PORT_IN_USE',
        owner
          ? `Port ${next.port} belongs to service '${owner.name}'`
          : `Port ${next.port} is in use on ${next.host}`,
        { details: { port: next.port, host: next.host } },
      );
    }
    next.endpoint = serviceEndpoint(next.host, next.port);
  }
  if (changed.includes('config.agent_factory_path') && context.agentCheck !== false) {
    await checkAgentModule(next.config.agent_factory_path, {
      cwd: context.cwd,
      command: context.command,
      env: next.config.environment,
      ...context.agentCheck,
    });
  }
  await context.store.save(next);
  const pendingRestart = running
    ? changed.filter((field) => START_TIME_FIELDS.has(field.replace(/^config\./u, '')))
    : [];
  return { service: next, changed, pendingRestart };
}
