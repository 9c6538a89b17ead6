// The dialects a storage suite runs on, each able to open any number of fresh, isolated stores. The store
// itself comes from the caller's openers: test-support cannot import storage-kysely (which devDepends on
// it), so it keeps only the part that is about databases (temp SQLite files, PostgreSQL schemas).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';

/** The PostgreSQL the suites run on (`MYAGENT_TEST_DATABASE_URL`); PostgreSQL suites skip without it. */
const PG_URL = process.env.MYAGENT_TEST_DATABASE_URL;

/** How a store of `S` is opened on each dialect: on a SQLite file, or in a PostgreSQL schema. */
export interface DialectOpeners<S> {
  sqlite(path: string): Promise<S>;
  postgres(target: { url: string; schema: string }): Promise<S>;
}

/** A bare connection to a new database, to put it in the state an older release left it in. */
export interface BareDatabase<S> {
  db: Kysely<unknown>;
  /** Where the Migrator keeps its tables, as the store passes it. */
  migrationTableSchema?: string;
  /** Opens the store on this database (after `db.destroy()`). */
  open(): Promise<S>;
}

/** Opens fresh stores of one dialect and removes everything they left behind. */
export interface DialectHarness<S> {
  dialect: 'sqlite' | 'postgres';
  /** False when the dialect cannot run here (PostgreSQL without MYAGENT_TEST_DATABASE_URL). */
  available: boolean;
  /** A fresh, empty store; `reopen` gives a second handle on the same database. */
  open(): Promise<{ storage: S; reopen: () => Promise<S> }>;
  /** An opener of a new database that does not exist yet (each call of it opens another handle). */
  fresh(): () => Promise<S>;
  /** A new database without any table yet. */
  bare(): Promise<BareDatabase<S>>;
  cleanup(): Promise<void>;
}

/**
 * Every dialect, SQLite first, opening stores with `open` (kysely's `for (const dialect of DIALECTS)`).
 * @example
 * const DIALECTS = createDialects({
 *   sqlite: (path) => createSqliteStorage({ path }),
 *   postgres: ({ url, schema }) => createPostgresStorage({ url, schema }),
 * });
 */
export function createDialects<S>(
  open: DialectOpeners<S>,
): [sqlite: DialectHarness<S>, postgres: DialectHarness<S>] {
  return [sqliteHarness(open), postgresHarness(open)];
}

// kysely, better-sqlite3 and pg load on first use: most tests import test-support for a temp dir or a port.
async function loadKysely() {
  return import('kysely');
}

async function loadPg() {
  return (await import('pg')).default;
}

function sqliteHarness<S>(open: DialectOpeners<S>): DialectHarness<S> {
  let dir: string | undefined;
  let n = 0;
  return {
    dialect: 'sqlite',
    available: true,
    async open() {
      const reopen = this.fresh();
      return { storage: await reopen(), reopen };
    },
    fresh() {
      dir ??= mkdtempSync(join(tmpdir(), 'myagent-storage-'));
      const path = join(dir, `store-${n++}.db`);
      return () => open.sqlite(path);
    },
    async bare() {
      dir ??= mkdtempSync(join(tmpdir(), 'myagent-storage-'));
      const path = join(dir, `store-${n++}.db`);
      const [{ Kysely, SqliteDialect }, { default: BetterSqlite3 }] = await Promise.all([
        loadKysely(),
        import('better-sqlite3'),
      ]);
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path) }) });
      return { db, open: () => open.sqlite(path) };
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}

function postgresHarness<S>(open: DialectOpeners<S>): DialectHarness<S> {
  const schemas: string[] = [];
  const run = `myagent_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    dialect: 'postgres',
    available: PG_URL !== undefined && PG_URL !== '',
    async open() {
      const reopen = this.fresh();
      return { storage: await reopen(), reopen };
    },
    fresh() {
      const schema = `${run}_${schemas.length}`;
      schemas.push(schema);
      return () => open.postgres({ url: PG_URL as string, schema });
    },
    async bare() {
      const schema = `${run}_${schemas.length}`;
      schemas.push(schema);
      const [{ Kysely, PostgresDialect, sql }, pg] = await Promise.all([loadKysely(), loadPg()]);
      const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path="${schema}"` });
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      await sql`create schema ${sql.id(schema)}`.execute(db);
      return {
        db,
        migrationTableSchema: schema,
        open: () => open.postgres({ url: PG_URL as string, schema }),
      };
    },
    async cleanup() {
      if (schemas.length === 0) return;
      const pg = await loadPg();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (const schema of schemas.splice(0))
          await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}
