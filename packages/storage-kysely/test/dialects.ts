// The dialects the conformance suite runs on, each able to open any number of fresh, isolated stores.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import {
  createPostgresStorage,
  createSqliteStorage,
  type Storage,
  type StorageDialect,
} from '../src/index.js';
import { loadPg } from '../src/internal/load-pg.js';

/** A bare connection to a new database, to put it in the state an older release left it in. */
export interface BareDatabase {
  db: Kysely<unknown>;
  /** Where the Migrator keeps its tables, as the store passes it. */
  migrationTableSchema?: string;
  /** Opens the store on this database (after `db.destroy()`). */
  open(): Promise<Storage>;
}

/** Opens fresh stores of one dialect and removes everything they left behind. */
export interface DialectHarness {
  dialect: StorageDialect;
  /** False when the dialect cannot run here (PostgreSQL without MYAGENT_TEST_DATABASE_URL). */
  available: boolean;
  /** A fresh, empty store; `reopen` gives a second handle on the same database. */
  open(): Promise<{ storage: Storage; reopen: () => Promise<Storage> }>;
  /** An opener of a new database that does not exist yet (each call of it opens another handle). */
  fresh(): () => Promise<Storage>;
  /** A new database without any table yet. */
  bare(): Promise<BareDatabase>;
  cleanup(): Promise<void>;
}

export const PG_URL = process.env.MYAGENT_TEST_DATABASE_URL;

function sqliteHarness(): DialectHarness {
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
      return () => createSqliteStorage({ path });
    },
    async bare() {
      dir ??= mkdtempSync(join(tmpdir(), 'myagent-storage-'));
      const path = join(dir, `store-${n++}.db`);
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path) }) });
      return { db, open: () => createSqliteStorage({ path }) };
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}

function postgresHarness(): DialectHarness {
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
      return () => createPostgresStorage({ url: PG_URL as string, schema, maxConnections: 4 });
    },
    async bare() {
      const schema = `${run}_${schemas.length}`;
      schemas.push(schema);
      const pg = await loadPg();
      const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path="${schema}"` });
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
      await sql`create schema ${sql.id(schema)}`.execute(db);
      return {
        db,
        migrationTableSchema: schema,
        open: () => createPostgresStorage({ url: PG_URL as string, schema, maxConnections: 4 }),
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

/** Every dialect, SQLite first. */
export const DIALECTS: DialectHarness[] = [sqliteHarness(), postgresHarness()];
