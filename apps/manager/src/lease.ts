import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { AppError, isoNow } from '@myagent/models';
import { isAlive } from '@myagent/registry';
import type { LeaseRepository, ManagerLease, ServiceRepository } from '@myagent/storage-kysely';

// One manager per database until several can share one on purpose (spec I1): the first to start holds the
// store's lease row and renews it; another refuses to start, naming the holder. A lease is taken over only
// from a holder that is gone: a dead pid on this host, or a heartbeat older than the TTL (another host, or
// a process frozen that long). Heartbeats are the holders' own clocks: keep the hosts' clocks in step.

/** Options of {@link acquireLease}. */
export interface LeaseOptions {
  /** A lease not renewed for this long may be taken over. It is renewed every third of it. */
  ttlMs: number;
  /** Says which database, in the message of a refusal. */
  database: string;
  /** Called once if the lease is found taken over by another manager; renewal stops then. */
  onLost: (error: AppError) => void;
  /** Called when a renewal fails (the store is unreachable); renewal goes on. */
  onError: (error: unknown) => void;
}

/** A lease this manager holds. */
export interface HeldLease {
  readonly owner: ManagerLease;
  /** True once another manager took the lease over: this one must not write any more. */
  readonly lost: boolean;
  /** Stops renewing and lets go of the lease (if it is still ours). */
  release(): Promise<void>;
}

/** True when the holder may be taken over from: its pid is gone on this host, or it is silent past the TTL. */
function isGone(holder: ManagerLease, ttlMs: number): boolean {
  if (holder.host === hostname() && !isAlive(holder.pid)) return true;
  return Date.now() - Date.parse(holder.heartbeat_at) > ttlMs;
}

function lockedError(holder: ManagerLease, options: LeaseOptions): AppError {
  const ago = Math.max(0, Math.round((Date.now() - Date.parse(holder.heartbeat_at)) / 1000));
  return new AppError(
    'MANAGER_LOCKED',
    `Another manager runs on ${options.database}: pid ${holder.pid} on host ${holder.host}, started ` +
      `${holder.started_at}, last heartbeat ${ago} s ago. Stop it first; if it is gone, its lease expires ` +
      `${Math.round(options.ttlMs / 1000)} s after its last heartbeat.`,
    { details: { ...holder, ttl_ms: options.ttlMs } },
  );
}

/**
 * Takes the database's manager lease and keeps renewing it.
 * @throws AppError MANAGER_LOCKED naming the manager that holds it
 */
export async function acquireLease(repository: LeaseRepository, options: LeaseOptions): Promise<HeldLease> {
  const now = isoNow();
  const owner: ManagerLease = {
    owner_id: randomUUID(),
    host: hostname(),
    pid: process.pid,
    started_at: now,
    heartbeat_at: now,
  };
  // A few rounds: the holder may let go, or another newcomer win a take-over, between our two statements.
  for (let round = 0; ; round++) {
    if (await repository.acquire(owner)) break;
    const holder = await repository.get();
    if (holder && !isGone(holder, options.ttlMs)) throw lockedError(holder, options);
    if (holder && (await repository.acquire(owner, holder.owner_id))) break;
    if (round === 4) throw lockedError((await repository.get()) ?? holder ?? owner, options);
  }
  return keepRenewed(repository, owner, options);
}

function keepRenewed(repository: LeaseRepository, owner: ManagerLease, options: LeaseOptions): HeldLease {
  let lost = false;
  const renew = async () => {
    try {
      if (await repository.renew(owner.owner_id, isoNow())) return;
      lost = true;
      clearInterval(timer);
      const holder = await repository.get().catch(() => undefined);
      options.onLost(
        new AppError(
          'MANAGER_LOCKED',
          holder
            ? `This manager lost its lease on ${options.database} to pid ${holder.pid} on host ${holder.host}`
            : `This manager lost its lease on ${options.database}`,
          { details: { owner_id: owner.owner_id, holder: holder ?? null } },
        ),
      );
    } catch (error) {
      options.onError(error);
    }
  };
  const timer = setInterval(() => void renew(), Math.max(10, options.ttlMs / 3));
  timer.unref();
  return {
    owner,
    get lost() {
      return lost;
    },
    async release() {
      clearInterval(timer);
      if (!lost) await repository.release(owner.owner_id);
    },
  };
}

const WRITES = [
  'save',
  'updateStatus',
  'updateStats',
  'setRestartCount',
  'incrementRestartCount',
  'setLastHealthCheck',
  'delete',
  'setProcess',
  'clearProcess',
] as const;

/**
 * The services repository, refusing every write once the lease is lost: a manager that another one took
 * over from (it froze past the TTL) must not write over the services the other now runs.
 */
export function fencedStore<S extends ServiceRepository>(store: S, lease: Pick<HeldLease, 'lost'>): S {
  const fenced = Object.create(store) as S;
  for (const method of WRITES) {
    const write = store[method] as (...args: unknown[]) => Promise<unknown>;
    (fenced as Record<string, unknown>)[method] = (...args: unknown[]) =>
      lease.lost
        ? Promise.reject(new AppError('MANAGER_LOCKED', 'This manager lost its lease: it writes no more'))
        : write.apply(store, args);
  }
  return fenced;
}

/** Which database the options name, for messages: the SQLite file, or the PostgreSQL URL without its password. */
export function describeDatabase(options: {
  dbPath?: string;
  databaseUrl?: string;
  storage?: unknown;
}): string {
  if (options.storage) return 'this storage';
  if (options.databaseUrl) {
    try {
      const url = new URL(options.databaseUrl);
      if (url.password) url.password = '***';
      return `PostgreSQL ${url.href}`;
    } catch {
      return 'PostgreSQL';
    }
  }
  return `SQLite ${resolve(options.dbPath ?? 'agent_manager.db')}`;
}
