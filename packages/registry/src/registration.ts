import { randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import {
  AppError,
  CreateServiceRequest,
  type CreateServiceRequestInput,
  isoNow,
  parseOrThrow,
  type Service,
  ServiceConfig,
  type ServiceStats,
  serviceEndpoint,
} from '@myagent/models';
import { type AgentCheckOptions, checkAgentModule } from './agent-check.js';
import { allocatePort, DEFAULT_PORT_RANGE, type PortRange, portState } from './ports.js';
import type { BulkResult, CommandSpec, ServiceStore } from './types.js';

/** What registration needs from the registry. */
export interface RegistrationContext {
  store: ServiceStore;
  portRange?: PortRange;
  agentCheck?: AgentCheckOptions | false;
  cwd: string;
  /** The agent server, whose `--check` is the dry load (unless `agentCheck.command` names another). */
  command: CommandSpec;
}

/** A request that passed the checks that need no lock: its shape and the dry load of its agent. */
export interface CheckedRequest {
  request: CreateServiceRequest;
  agentPath: string;
}

/** Every stored service, page by page. */
export async function listAll(store: ServiceStore): Promise<Service[]> {
  const all: Service[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.list({ limit: 1000, offset });
    all.push(...page.services);
    if (page.services.length < 1000) return all;
  }
}

/** The stored service. @throws AppError SERVICE_NOT_FOUND */
export async function requireService(store: ServiceStore, serviceId: string): Promise<Service> {
  const service = await store.get(serviceId);
  if (!service) {
    throw new AppError('SERVICE_NOT_FOUND', `Service '${serviceId}' not found`, {
      details: { service_id: serviceId },
    });
  }
  return service;
}

async function assertNameFree(store: ServiceStore, name: string): Promise<void> {
  if (await store.getByName(name)) {
    throw new AppError('SERVICE_ALREADY_EXISTS', `Service '${name}' already exists`, { details: { name } });
  }
}

/** Parses the request and dry-loads its agent file (slow, so done before taking the registration lock). */
export async function checkRequest(
  input: CreateServiceRequestInput,
  context: RegistrationContext,
): Promise<CheckedRequest> {
  const request = parseOrThrow(CreateServiceRequest, input, 'service');
  const agentPath = resolvePath(context.cwd, request.agent_factory_path);
  // Validate the config now so that a bad field is reported before the dry load.
  parseOrThrow(ServiceConfig, { ...request.config, agent_factory_path: agentPath }, 'service config');
  await assertNameFree(context.store, request.name);
  if (context.agentCheck !== false) {
    await checkAgentModule(agentPath, {
      cwd: context.cwd,
      command: context.command,
      env: request.config.environment,
      ...context.agentCheck,
    });
  }
  return { request, agentPath };
}

async function choosePort(
  context: RegistrationContext,
  services: Service[],
  host: string,
  wanted: number | null,
): Promise<number> {
  // A port claimed by any registered service is never handed out again, whatever its host.
  const taken = new Set(services.map((service) => service.port));
  if (wanted === null) return allocatePort(host, context.portRange ?? DEFAULT_PORT_RANGE, taken);
  const owner = services.find((service) => service.port === wanted);
  if (owner || (await portState(host, wanted)) === 'in_use') {
    throw new AppError(
      'PORT_IN_USE',
      owner ? `Port ${wanted} belongs to service '${owner.name}'` : `Port ${wanted} is in use on ${host}`,
      { details: { port: wanted, host } },
    );
  }
  return wanted;
}

/**
 * Names the port and stores the new service (status stopped). Call it under the registration lock, so that
 * two registrations never take one name or one port.
 */
export async function storeService(checked: CheckedRequest, context: RegistrationContext): Promise<Service> {
  const { request, agentPath } = checked;
  await assertNameFree(context.store, request.name);
  const port = await choosePort(context, await listAll(context.store), request.host, request.port);
  const service: Service = {
    service_id: randomUUID(),
    name: request.name,
    description: request.description,
    host: request.host,
    port,
    endpoint: serviceEndpoint(request.host, port),
    tags: request.tags,
    agent_type: 'myagent',
    version: '1.0.0',
    status: 'stopped',
    created_at: isoNow(),
    started_at: null,
    last_health_check: null,
    error_message: null,
    restart_count: 0,
    restart_due_at: null,
    config: parseOrThrow(
      ServiceConfig,
      { ...request.config, agent_factory_path: agentPath },
      'service config',
    ),
    stats: emptyStats(),
  };
  await context.store.save(service);
  return service;
}

/** Stats of a service that never ran. */
export function emptyStats(): ServiceStats {
  return {
    total_connections: 0,
    active_connections: 0,
    peak_connections: 0,
    total_sessions: 0,
    active_sessions: 0,
    completed_sessions: 0,
    avg_session_duration: 0,
    avg_response_time: 0,
    error_count: 0,
    error_rate: 0,
    uptime_seconds: 0,
    memory_usage_mb: 0,
    cpu_usage_percent: 0,
    last_updated: null,
  };
}

/** The agent server's argv after the command's own: the FIXED flags of `myagent-ws server`. */
export function serverArgs(service: Service, parentPid: number, extra: readonly string[]): string[] {
  const config = service.config;
  return [
    'server',
    config.agent_factory_path,
    '--host',
    service.host,
    '--port',
    String(service.port),
    '--max-sessions',
    String(config.max_sessions),
    '--session-timeout',
    String(config.session_timeout),
    '--heartbeat-interval',
    String(config.heartbeat_interval),
    '--run-timeout',
    String(config.run_timeout),
    '--parent-pid',
    String(parentPid),
    ...extra,
  ];
}

/** How a child ended, in words. */
export function describeExit(code: number | null, signal: string | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** A reason with the child's last stderr lines, bounded to fit error_message. */
export function withTail(reason: string, tail: string[]): string {
  const text = tail.length > 0 ? `${reason}; stderr:\n${tail.join('\n')}` : reason;
  return text.length > 8000 ? `${text.slice(0, 7999)}…` : text;
}

/** One service's line of a startAll / stopAll / reconcile result. */
export function bulk(service: Service, error: AppError | undefined): BulkResult {
  return {
    service_id: service.service_id,
    name: service.name,
    success: error === undefined,
    status: service.status,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
  };
}
