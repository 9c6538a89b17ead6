import type pg from 'pg';

let loaded: Promise<typeof pg> | undefined;

/** Loads `pg` on first use, so a SQLite-only program never loads it. */
export function loadPg(): Promise<typeof pg> {
  loaded ??= import('pg').then((module) => module.default);
  return loaded;
}
