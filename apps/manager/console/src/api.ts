import { reactive } from 'vue';

// The console's one way to the manager: its public HTTP API on the page's own origin. The token, when the
// manager wants one, is asked at login and kept in sessionStorage: for this tab only, gone when it closes.

const TOKEN_KEY = 'myagent.token';

/** Whether the manager wants a token, and the one this tab holds. */
export const auth = reactive({
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  /** Set when an answer was 401: the login form shows until a token works. */
  needed: false,
});

/** Keeps a token for this tab (an empty one forgets it). */
export function setToken(token: string): void {
  auth.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the API: `{success: false, error: {code, message, details}}`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Calls `/api/v1{path}` with a JSON body; resolves with the parsed answer or throws an {@link ApiError}. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The manager cannot be reached');
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) return body as T;
  if (response.status === 401) auth.needed = true;
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
    ?.error;
  throw new ApiError(
    response.status,
    typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
    typeof error?.message === 'string' ? error.message : `${response.status} ${response.statusText}`,
    error?.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : {},
  );
}

/** A URL of this origin with the token as `?token=` (EventSource and WebSocket cannot send headers). */
export function withToken(path: string, protocol: 'http' | 'ws' = 'http'): string {
  const url = new URL(path, location.href);
  if (protocol === 'ws') url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (auth.token) url.searchParams.set('token', auth.token);
  return url.href;
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * The API's validation errors by form field: each issue of `details.issues` under the first part of its
 * path, and a detail named like a field (the registry's `agent_factory_path`) with the error's message.
 */
export function fieldErrors(error: unknown, fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  const issues = Array.isArray(error.details.issues) ? error.details.issues : [];
  for (const issue of issues as { path?: unknown; message?: unknown }[]) {
    const path = typeof issue.path === 'string' ? issue.path : '';
    const parts = path.split('.');
    // `config.max_sessions` belongs to the config field when the form has no field of that name.
    const field = fields.find((name) => name === parts.at(-1)) ?? fields.find((name) => name === parts[0]);
    if (field && !out[field] && typeof issue.message === 'string') out[field] = issue.message;
  }
  for (const field of fields) {
    if (!out[field] && field in error.details) {
      const reason = error.details.reason;
      out[field] = typeof reason === 'string' ? reason : error.message;
    }
  }
  return out;
}
