/** What an agent server's `GET /health` answers (apps/agent-server). */
export interface AgentHealth {
  status: string;
  agent?: string;
  active_connections?: number;
  active_sessions?: number;
  total_connections?: number;
  peak_connections?: number;
  total_sessions?: number;
  completed_sessions?: number;
  /** Seconds. */
  avg_session_duration?: number;
  error_count?: number;
  avg_response_time_ms?: number;
  uptime_seconds?: number;
  pid?: number;
}

/** Reads `GET /health` of an agent server; undefined when it does not answer in time or answers oddly. */
export async function fetchAgentHealth(
  host: string,
  port: number,
  timeoutMs = 2_000,
): Promise<AgentHealth | undefined> {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${bracketed}:${port}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as unknown;
    if (body === null || typeof body !== 'object' || typeof (body as AgentHealth).status !== 'string') {
      return undefined;
    }
    return body as AgentHealth;
  } catch {
    return undefined;
  }
}

/** The address to reach a service bound to `host`: a wildcard bind is reached on loopback. */
export function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}
