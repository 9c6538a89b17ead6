import { AgentServerHealth, parseOrThrow } from '@myagent/models';

/**
 * Reads `GET /health` of an agent server, parsed with models' `AgentServerHealth` (a body from a child is
 * untrusted); undefined when it does not answer in time or answers with anything else.
 */
export async function fetchAgentHealth(
  host: string,
  port: number,
  timeoutMs = 2_000,
): Promise<AgentServerHealth | undefined> {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    const response = await fetch(`http://${bracketed}:${port}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return undefined;
    // A body that does not parse throws INVALID_REQUEST, caught below like any other failure.
    return parseOrThrow(AgentServerHealth, await response.json(), 'agent server health');
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
