import { AppError } from '@myagent/models';
import { ListSnapshot, Pool, Subset } from '../pool.js';
import type { Candidates, RouteCandidate, RouteContext } from '../types.js';
import type { RouterState } from './state.js';

/** The pool a call routes over: a prepared one of this router as is, anything else read afresh. */
export function poolOf<C extends RouteCandidate>(
  state: RouterState,
  owner: object,
  candidates: Candidates<C>,
): Pool<C> {
  if (candidates instanceof Pool && candidates.owner === owner) return candidates;
  if (candidates instanceof Pool) return new Pool<C>(candidates.items, state.connections, false, owner);
  if (!Array.isArray(candidates)) {
    throw new AppError('INVALID_REQUEST', 'candidates must be an array of services', {
      details: { got: candidates === null ? 'null' : typeof candidates },
    });
  }
  const snapshot = state.lists.get(candidates);
  if (snapshot?.matches(candidates)) return snapshot.pool as Pool<C>;
  const pool = new Pool<C>(candidates, state.connections, true, owner);
  state.lists.set(candidates, new ListSnapshot(candidates, pool));
  return pool;
}

/** Tags a `tag_based` default reads from the context: `tags` (list or comma-separated) or `tag`. */
export function contextTags(context: RouteContext): string[] {
  const raw = context.tags ?? context.tag;
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : [];
  return list
    .filter((t): t is string => typeof t === 'string')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The default pool: every routable member, or for tag_based those carrying the context's tags. */
export function defaultSubset(state: RouterState, pool: Pool, context: RouteContext): Subset | null {
  if (state.defaultStrategy !== 'tag_based') return pool.all();
  const tags = contextTags(context);
  if (tags.length === 0) return pool.all();
  const key = `tags:${[...tags].sort().join(',')}`;
  const cached = pool.subsets.get(key);
  if (cached !== undefined) return cached;
  const positions = pool.byTags(tags);
  const subset = positions.length > 0 ? new Subset(Int32Array.from(positions), 1) : null;
  pool.subsets.set(key, subset);
  return subset;
}
