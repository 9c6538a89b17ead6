import { AgentServerHealth, parseOrThrow } from '@myagent/models';

/** A /health body is a few hundred bytes; a child sending more is not read further. */
const MAX_HEALTH_BYTES = 64 * 1024;

async function readBounded(body: ReadableStream<Uint8Array>, max: number): Promise<string | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString('utf8');
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}

/**
 * Reads `GET /health` of an agent server, parsed with models' `AgentServerHealth` (a body from a child is
 * untrusted, and read up to 64 KiB); undefined when it does not answer in time or answers with anything else.
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
    if (!response.ok || response.body === null) return undefined;
    const text = await readBounded(response.body, MAX_HEALTH_BYTES);
    if (text === undefined) return undefined;
    // A body that does not parse throws, caught below like any other failure.
    return parseOrThrow(AgentServerHealth, JSON.parse(text), 'agent server health');
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
