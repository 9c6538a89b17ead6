import {
  AppError,
  ConnectionListResponse,
  type CreateRoutingRuleRequestInput,
  type CreateServiceRequestInput,
  DisconnectResponse,
  ErrorResponse,
  HealthCheckResult,
  HealthOverviewResponse,
  LogListResponse,
  ManagerInfoResponse,
  RegisterServiceResponse,
  type RouteContextBody,
  RouteExplainResponse,
  RoutingRuleListResponse,
  RoutingRuleResponse,
  ServiceActionResponse,
  ServiceDetailsResponse,
  ServiceListResponse,
  ServiceUpdateResponse,
  StatsOverviewResponse,
  StoredLogLine,
  SystemStatsResponse,
  TraceDetailResponse,
  TraceListResponse,
  type UpdateRoutingRuleRequest,
  type UpdateServiceRequestInput,
} from '@myagent/models';
import * as v from 'valibot';
import { CliError, EXIT } from './errors.js';
import { readEvents, type StreamEvent } from './sse.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The manager's base URL, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** A bearer token, when the manager requires one. */
  token?: string;
  /**
   * How long one request may take before it fails (starts wait for the service to run).
   * @default 120000
   */
  timeoutMs?: number;
  /** An injectable fetch (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A parsed answer and the JSON exactly as the manager sent it (what `--json` prints). */
export interface Reply<T> {
  data: T;
  json: unknown;
}

type Query = Record<string, string | number | boolean | undefined>;
type Out<S extends v.GenericSchema> = v.InferOutput<S>;

const enc = encodeURIComponent;

/**
 * A small typed client of the manager's HTTP API (`/api/v1`). Every answer is parsed with its schema from
 * models, never cast; an error answer becomes the AppError it describes; a manager that cannot be reached is
 * a {@link CliError} with exit code 4 and the URL tried.
 * @example
 * const client = createClient({ url: 'http://127.0.0.1:8000' });
 * const { data } = await client.listServices({ status: 'running' });
 */
export function createClient(options: ClientOptions) {
  const base = options.url.replace(/\/+$/u, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const headers = (json: boolean): Record<string, string> => ({
    accept: json ? 'application/json' : 'text/event-stream',
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  });

  const urlOf = (path: string, query: Query = {}) => {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  };

  const send = async (
    method: string,
    path: string,
    query: Query | undefined,
    body: unknown,
    signal: AbortSignal | undefined,
    json: boolean,
  ): Promise<Response> => {
    const url = urlOf(path, query);
    try {
      return await doFetch(url, {
        method,
        headers: headers(json),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ?? (json ? AbortSignal.timeout(timeoutMs) : undefined),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw unreachable(base, error);
    }
  };

  const call = async <S extends v.GenericSchema>(
    schema: S,
    method: string,
    path: string,
    { query, body, signal }: { query?: Query; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<Reply<Out<S>>> => {
    const response = await send(method, path, query, body, signal, true);
    const text = await response.text().catch((error: unknown) => {
      throw unreachable(base, error);
    });
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new AppError(
        'INTERNAL_ERROR',
        `${method} ${path}: the manager answered ${response.status} with no JSON`,
      );
    }
    if (!response.ok) throw errorOf(response.status, json, `${method} ${path}`);
    const parsed = v.safeParse(schema, json);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const where = issue.path?.map((item) => String(item.key)).join('.') ?? '';
      throw new AppError(
        'INTERNAL_ERROR',
        `${method} ${path}: an answer this CLI does not understand${where ? ` at '${where}'` : ''}: ${issue.message} (is the manager a different version?)`,
      );
    }
    return { data: parsed.output, json };
  };

  /** An event stream (Server-Sent Events) of the API: events until the signal aborts or the stream ends. */
  const stream = async function* (
    path: string,
    query: Query,
    signal: AbortSignal,
  ): AsyncGenerator<StreamEvent> {
    const response = await send('GET', path, query, undefined, signal, false);
    if (!response.ok || !response.body) {
      const json = await response.json().catch(() => undefined);
      throw errorOf(response.status, json, `GET ${path}`);
    }
    yield* readEvents(response.body, signal);
  };

  const id = (idOrName: string) => enc(idOrName);

  return {
    url: base,
    info: () => call(ManagerInfoResponse, 'GET', '/api/v1/info'),
    systemStats: () => call(SystemStatsResponse, 'GET', '/api/v1/stats'),
    statsOverview: () => call(StatsOverviewResponse, 'GET', '/api/v1/stats/overview'),

    listServices: (query: { status?: string; tag?: string; limit?: number; offset?: number } = {}) =>
      call(ServiceListResponse, 'GET', '/api/v1/services', { query: { limit: 1000, ...query } }),
    getService: (idOrName: string) => call(ServiceDetailsResponse, 'GET', `/api/v1/services/${id(idOrName)}`),
    registerService: (body: CreateServiceRequestInput) =>
      call(RegisterServiceResponse, 'POST', '/api/v1/services', { body }),
    updateService: (idOrName: string, body: UpdateServiceRequestInput, restart = false) =>
      call(ServiceUpdateResponse, 'PUT', `/api/v1/services/${id(idOrName)}`, {
        body,
        query: restart ? { restart: true } : {},
      }),
    /** `countdown`: seconds the service's /ws clients are told ahead of a stop or restart (`?countdown=`). */
    serviceAction: (
      idOrName: string,
      verb: 'start' | 'stop' | 'restart',
      signal?: AbortSignal,
      countdown?: number,
    ) =>
      call(ServiceActionResponse, 'POST', `/api/v1/services/${id(idOrName)}/${verb}`, {
        // The manager answers after the countdown: the request's time runs from its end.
        signal: signal ?? (countdown ? AbortSignal.timeout(timeoutMs + countdown * 1000) : undefined),
        query: countdown ? { countdown } : {},
      }),
    unregisterService: (idOrName: string) =>
      call(ServiceActionResponse, 'DELETE', `/api/v1/services/${id(idOrName)}`),

    healthOverview: () => call(HealthOverviewResponse, 'GET', '/api/v1/health'),
    checkService: (idOrName: string) =>
      call(HealthCheckResult, 'POST', `/api/v1/health/services/${id(idOrName)}/check`),

    listConnections: (query: { service_id?: string; status?: string; limit?: number } = {}) =>
      call(ConnectionListResponse, 'GET', '/api/v1/connections', { query: { limit: 10_000, ...query } }),
    disconnect: (connectionId: string, reason?: string) =>
      call(DisconnectResponse, 'POST', `/api/v1/connections/${id(connectionId)}/disconnect`, {
        body: reason === undefined ? {} : { reason },
      }),

    listRules: () => call(RoutingRuleListResponse, 'GET', '/api/v1/routing/rules'),
    createRule: (body: CreateRoutingRuleRequestInput) =>
      call(RoutingRuleResponse, 'POST', '/api/v1/routing/rules', { body }),
    updateRule: (idOrName: string, body: UpdateRoutingRuleRequest) =>
      call(RoutingRuleResponse, 'PUT', `/api/v1/routing/rules/${id(idOrName)}`, { body }),
    deleteRule: (idOrName: string) =>
      call(RoutingRuleResponse, 'DELETE', `/api/v1/routing/rules/${id(idOrName)}`),
    explainRoute: (body: RouteContextBody) =>
      call(RouteExplainResponse, 'POST', '/api/v1/routing/explain', { body }),

    serviceLogs: (idOrName: string, query: { level?: string; limit?: number; since?: string } = {}) =>
      call(LogListResponse, 'GET', `/api/v1/logs/services/${id(idOrName)}`, { query }),
    searchLogs: (query: { query: string; service_id?: string; level?: string; limit?: number }) =>
      call(LogListResponse, 'GET', '/api/v1/logs/search', { query }),
    listTraces: (query: { service_id?: string; session_id?: string; status?: string; limit?: number } = {}) =>
      call(TraceListResponse, 'GET', '/api/v1/traces', { query }),
    getTrace: (traceId: string) => call(TraceDetailResponse, 'GET', `/api/v1/traces/${id(traceId)}`),
    /** Live log lines (`log` events hold a {@link StoredLogLine} without its id), after a backlog. */
    followLogs: (
      idOrName: string | undefined,
      query: { level?: string; limit?: number },
      signal: AbortSignal,
    ) =>
      stream(
        idOrName === undefined ? '/api/v1/logs/follow' : `/api/v1/logs/services/${id(idOrName)}/follow`,
        query,
        signal,
      ),
    /** The manager's live events; `stats_interval` adds a `stats` event every so many seconds. */
    events: (query: { service_id?: string; types?: string; stats_interval?: number }, signal: AbortSignal) =>
      stream('/api/v1/events', query, signal),
  };
}

/** The client {@link createClient} returns. */
export type ManagerClient = ReturnType<typeof createClient>;

/** A log line as a follow stream sends it. */
export const FollowedLogLine = v.object({
  ...v.omit(StoredLogLine, ['id']).entries,
  id: v.optional(v.number()),
});

function errorOf(status: number, json: unknown, what: string): AppError {
  const parsed = v.safeParse(ErrorResponse, json);
  if (parsed.success) {
    const { code, message, details } = parsed.output.error;
    return new AppError(code, message, { details });
  }
  return new AppError(
    status === 404 ? 'NOT_FOUND' : 'INTERNAL_ERROR',
    `${what}: the manager answered ${status}`,
  );
}

function unreachable(url: string, error: unknown): CliError {
  const inner = (error as { cause?: { code?: string; message?: string } }).cause;
  const cause = inner?.code ?? inner?.message ?? (error as Error).message;
  const why = cause === 'TimeoutError' ? 'no answer in time' : cause;
  return new CliError(
    EXIT.UNREACHABLE,
    `cannot reach the manager at ${url} (${why}): is the daemon running? Start it with \`myagent-manager daemon\`, or point --url / MYAGENT_URL at it`,
    undefined,
    { cause: error },
  );
}
