import type { ApiToken } from '@myagent/api-hono';
import { AppError } from '@myagent/models';
import type { ManagerServer, ServeManagerOptions } from './serve-manager.js';

// The daemon's flags for its HTTP side (issue 9), kept here so that daemon.ts only spreads them in.

/** parseArgs specs of the HTTP flags. */
export const HTTP_FLAGS = {
  token: { type: 'string' as const, multiple: true as const, default: [] as string[] },
  'cors-origin': { type: 'string' as const, multiple: true as const, default: [] as string[] },
  'max-body-bytes': { type: 'string' as const },
  'metrics-interval': { type: 'string' as const },
  'max-connections-per-ip': { type: 'string' as const },
};

/** Their lines of the usage text. */
export const HTTP_USAGE = `  --token [NAME:]TOKEN   require this bearer token on the API and the WebSocket endpoints (also
                         MYAGENT_TOKEN); NAME is what the operation log records; repeatable.
                         Any --host other than loopback needs one
  --cors-origin ORIGIN   let browser pages from ORIGIN call the API (default: none); repeatable
  --max-body-bytes N     largest request body (default: 1048576)
  --metrics-interval S   seconds between metric samples (default: 10; 0 = off)
  --max-connections-per-ip N
                         open connections one client address may hold on the manager's port
                         (default: 0 = unlimited)`;

/** `name:token` or a bare token (named `token`, or `token-2`... when several are bare). */
export function parseTokens(values: readonly string[]): ApiToken[] {
  const out: ApiToken[] = [];
  values.forEach((value, i) => {
    const named = /^([\w.@-]{1,64}):(.+)$/u.exec(value);
    const token = named ? (named[2] as string) : value;
    if (token.length < 16) throw new AppError('INVALID_REQUEST', 'A token needs at least 16 characters');
    out.push({ name: named ? (named[1] as string) : i === 0 ? 'token' : `token-${i + 1}`, token });
  });
  return out;
}

function positive(name: string, text: string | undefined, allowZero: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isFinite(value) && (value > 0 || (allowZero && value === 0)))) {
    throw new AppError(
      'INVALID_REQUEST',
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got '${text}'`,
    );
  }
  return value;
}

/** The serve options and the manager's metrics interval from the parsed flags and the environment. */
export function httpOptions(
  values: {
    token: string[];
    'cors-origin': string[];
    'max-body-bytes'?: string;
    'metrics-interval'?: string;
    'max-connections-per-ip'?: string;
  },
  env: NodeJS.ProcessEnv,
): {
  serve: Pick<ServeManagerOptions, 'tokens' | 'corsOrigins' | 'maxBodyBytes' | 'maxConnectionsPerIp'>;
  metricsIntervalMs?: number;
} {
  const tokens = parseTokens([...values.token, ...(env.MYAGENT_TOKEN ? [env.MYAGENT_TOKEN] : [])]);
  const maxBody = positive('max-body-bytes', values['max-body-bytes'], false);
  const interval = positive('metrics-interval', values['metrics-interval'], true);
  const perIp = positive('max-connections-per-ip', values['max-connections-per-ip'], true);
  if (perIp !== undefined && !Number.isInteger(perIp)) {
    throw new AppError('INVALID_REQUEST', `--max-connections-per-ip must be an integer, got '${perIp}'`);
  }
  return {
    serve: {
      tokens,
      corsOrigins: values['cors-origin'],
      ...(maxBody !== undefined && { maxBodyBytes: Math.floor(maxBody) }),
      ...(perIp !== undefined && { maxConnectionsPerIp: perIp }),
    },
    ...(interval !== undefined && { metricsIntervalMs: interval * 1000 }),
  };
}

/** The lines `pnpm start` prints: where everything is. */
export function describeUrls(server: ManagerServer, authRequired: boolean): string[] {
  const { urls } = server;
  return [
    ...(urls.console ? [`console: ${urls.console}`] : []),
    `manager health: ${urls.health}`,
    `API:     ${urls.api}  (${authRequired ? 'bearer token required' : 'no token: loopback only'})`,
    `docs:    ${urls.docs}`,
    `metrics: ${urls.metrics}`,
    `events:  ${urls.events}`,
    ...(urls.ws ? [`ws:      ${urls.ws}`] : []),
    ...(urls.traces ? [`traces:  ${urls.traces}`] : []),
  ];
}
