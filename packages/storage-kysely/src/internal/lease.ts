import { AppError, parseOrThrow, Timestamp } from '@myagent/models';
import type { LeaseRepository, ManagerLease } from '../lease-repository.js';
import { type Context, canonicalTime, guard } from './db.js';

// The one row every manager of a database competes for. Every change is a single statement with its
// condition in the WHERE clause (or a primary-key insert), so two managers never both win, on either
// dialect, without a lock held across statements.
const NAME = 'manager';
/** The row that keeps the database's state secret (in `owner_id`); it outlives every lease. */
const SECRET = 'state_secret';

function validate(lease: ManagerLease): ManagerLease {
  const ok =
    typeof lease.owner_id === 'string' &&
    lease.owner_id.length > 0 &&
    lease.owner_id.length <= 64 &&
    typeof lease.host === 'string' &&
    lease.host.length <= 255 &&
    Number.isSafeInteger(lease.pid) &&
    lease.pid > 0;
  if (!ok) {
    throw new AppError(
      'INVALID_REQUEST',
      'Invalid manager lease: owner_id, host and a positive pid are required',
    );
  }
  return {
    owner_id: lease.owner_id,
    host: lease.host,
    pid: lease.pid,
    started_at: canonicalTime(parseOrThrow(Timestamp, lease.started_at, 'started_at')),
    heartbeat_at: canonicalTime(parseOrThrow(Timestamp, lease.heartbeat_at, 'heartbeat_at')),
  };
}

/** The manager lease repository. */
export function createLeaseRepository(ctx: Context): LeaseRepository {
  return {
    get: () =>
      guard('read the manager lease', async () => {
        const row = await ctx.db
          .selectFrom('manager_lease')
          .select(['owner_id', 'host', 'pid', 'started_at', 'heartbeat_at'])
          .where('name', '=', NAME)
          .executeTakeFirst();
        return row && { ...row, pid: Number(row.pid) };
      }),

    acquire: async (input, replacing) => {
      const lease = validate(input);
      return guard('take the manager lease', async () => {
        if (replacing !== undefined) {
          const result = await ctx.db
            .updateTable('manager_lease')
            .set(lease)
            .where('name', '=', NAME)
            .where('owner_id', '=', replacing)
            .executeTakeFirst();
          return Number(result.numUpdatedRows) === 1;
        }
        const result = await ctx.db
          .insertInto('manager_lease')
          .values({ name: NAME, ...lease })
          .onConflict((oc) => oc.column('name').doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
      });
    },

    renew: async (ownerId, at) => {
      const heartbeat = canonicalTime(parseOrThrow(Timestamp, at, 'heartbeat_at'));
      return guard('renew the manager lease', async () => {
        const result = await ctx.db
          .updateTable('manager_lease')
          .set({ heartbeat_at: heartbeat })
          .where('name', '=', NAME)
          .where('owner_id', '=', ownerId)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      });
    },

    stateSecret: async (candidate) => {
      if (typeof candidate !== 'string' || candidate.length < 32 || candidate.length > 256) {
        throw new AppError('INVALID_REQUEST', 'A state secret has 32 to 256 characters');
      }
      return guard('read the state secret', async () => {
        const now = canonicalTime(new Date().toISOString());
        // The first manager's candidate wins, even when two ask at once: the primary key decides.
        await ctx.db
          .insertInto('manager_lease')
          .values({ name: SECRET, owner_id: candidate, host: '', pid: 0, started_at: now, heartbeat_at: now })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        const row = await ctx.db
          .selectFrom('manager_lease')
          .select('owner_id')
          .where('name', '=', SECRET)
          .executeTakeFirstOrThrow();
        return row.owner_id;
      });
    },

    release: (ownerId) =>
      guard('release the manager lease', async () => {
        const result = await ctx.db
          .deleteFrom('manager_lease')
          .where('name', '=', NAME)
          .where('owner_id', '=', ownerId)
          .executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      }),
  };
}
