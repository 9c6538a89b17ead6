import { createServer } from 'node:net';
import { AppError } from '@myagent/models';

/** An inclusive range of ports to allocate from. */
export interface PortRange {
  from: number;
  to: number;
}

/** The spec's default range (B7). */
export const DEFAULT_PORT_RANGE: PortRange = { from: 8081, to: 9000 };

/** Whether a port can be had on a host: nobody listens on it, or somebody does. */
export type PortState = 'free' | 'in_use';

const REASONS: Record<string, string> = {
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  EADDRNOTAVAIL: 'not an address of this machine',
  EACCES: 'permission denied',
  EINVAL: 'not a valid address to bind',
};

/**
 * Whether host:port is free: we try to bind it ourselves and let go at once, which is the only check that
 * also sees listeners on the wildcard address.
 * @throws AppError INVALID_REQUEST, naming the host, when the bind fails for another reason than a
 *   listener (an unknown host, an address of another machine, a privileged port)
 */
export function portState(host: string, port: number): Promise<PortState> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') return resolve('in_use');
      const reason = REASONS[error.code ?? ''] ?? error.code ?? error.message;
      reject(
        new AppError('INVALID_REQUEST', `Cannot bind ${host}:${port}: ${reason}`, {
          details: { host, port, reason: error.code ?? error.message },
        }),
      );
    });
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve('free'));
    });
  });
}

/** True when nobody listens on host:port and we could bind it (see {@link portState}). */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  return (await portState(host, port).catch(() => 'in_use')) === 'free';
}

/**
 * The first port of the range that no registered service claims and nobody listens on.
 * @throws AppError INVALID_REQUEST at once when the host cannot be bound at all (see {@link portState}),
 *   INSUFFICIENT_RESOURCES when the range is exhausted.
 */
export async function allocatePort(
  host: string,
  range: PortRange,
  taken: ReadonlySet<number>,
): Promise<number> {
  for (let port = range.from; port <= range.to; port++) {
    if (taken.has(port)) continue;
    if ((await portState(host, port)) === 'free') return port;
  }
  throw new AppError('INSUFFICIENT_RESOURCES', `No free port in ${range.from}-${range.to} on ${host}`, {
    details: { host, from: range.from, to: range.to },
  });
}
