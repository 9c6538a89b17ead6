import { createServer } from 'node:net';
import { AppError } from '@myagent/models';

/** An inclusive range of ports to allocate from. */
export interface PortRange {
  from: number;
  to: number;
}

/** The spec's default range (B7). */
export const DEFAULT_PORT_RANGE: PortRange = { from: 8081, to: 9000 };

/**
 * True when nobody listens on host:port: we try to bind it ourselves and let go at once, which is the
 * only check that also sees listeners on the wildcard address.
 */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * The first port of the range that no registered service claims and nobody listens on.
 * @throws AppError INSUFFICIENT_RESOURCES when the range is exhausted.
 */
export async function allocatePort(
  host: string,
  range: PortRange,
  taken: ReadonlySet<number>,
): Promise<number> {
  for (let port = range.from; port <= range.to; port++) {
    if (taken.has(port)) continue;
    if (await isPortFree(host, port)) return port;
  }
  throw new AppError('INSUFFICIENT_RESOURCES', `No free port in ${range.from}-${range.to} on ${host}`, {
    details: { host, from: range.from, to: range.to },
  });
}
