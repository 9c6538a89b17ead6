import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AppError } from '@myagent/models';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createAuditRepository } from './internal/audit.js';
import { createConnectionRepository } from './internal/connections.js';
import type { Context } from './internal/db.js';
import { createHealthRepository } from './internal/health.js';
import { createLeaseRepository } from './internal/lease.js';
import { loadPg } from './internal/load-pg.js';
import { createLogRepository } from './internal/logs.js';
import { createMetricRepository } from './internal/metrics.js';
import { createRuleRepository } from './internal/rules.js';
import { createServiceRepository } from './internal/services.js';
import { createTotalsRepository } from './internal/totals.js';
import { createTraceRepository } from './internal/traces.js';
import { createWebhookRepository } from './internal/webhooks.js';
import { migrateToLatest } from './migrations.js';
import {
  OpenStorageOptions,
  PostgresStorageOptions,
  resolveStorageOptions,
  SqliteStorageOptions,
} from './options.js';
import type { Database } from './schema.js';
import type { Storage, StorageDialect } from './types.js';

/** Brings a fresh Kysely to the latest migration, destroying it if that fails. */
async function migrated(db: Kysely<Database>, dialect: StorageDialect, schema?: string) {
  try {
    await migrateToLatest(db as Kysely<unknown>, dialect, schema);
    return db;
  } catch (error) {
    await db.destroy().catch(() => {});
    throw AppError.from(error, 'STORAGE_ERROR');
  }
}

// Every property read of a closed store's db throws, so a closed handle refuses work even when another
// handle still shares its connection.
const closedDb = new Proxy({} as Kysely<Database>, {
  get() {
    throw new AppError('STORAGE_ERROR', 'The storage is closed');
  },
});

/** The repositories over a migrated Kysely; `release` runs once, on the first close. */
function assemble(db: Kysely<Database>, dialect: StorageDialect, release: () => Promise<void>): Storage {
  const ctx: Context = { db, dialect };
  let closing: Promise<void> | undefined;
  const close = () => {
    ctx.db = closedDb;
    closing ??= release();
    return closing;
  };
  return {
    dialect,
    services: createServiceRepository(ctx),
    rules: createRuleRepository(ctx),
    health: createHealthRepository(ctx),
    connections: createConnectionRepository(ctx),
    logs: createLogRepository(ctx),
    lease: createLeaseRepository(ctx),
    metrics: createMetricRepository(ctx),
    totals: createTotalsRepository(ctx),
    audit: createAuditRepository(ctx),
    webhooks: createWebhookRepository(ctx),
    traces: createTraceRepository(ctx),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function openSqlite(path: string, busyTimeout: number): Promise<Kysely<Database>> {
  let database: BetterSqlite3.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    database = new BetterSqlite3(path, { timeout: busyTimeout });
    database.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeout))}`);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
  } catch (error) {
    throw new AppError(
      'STORAGE_ERROR',
      `Cannot open SQLite database '${path}': ${(error as Error).message}`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  return migrated(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), 'sqlite');
}

// better-sqlite3 is synchronous: a second connection to the same file in this process that waits for the
// first one's write lock sleeps the whole thread, so the first can never commit and the wait ends in
// SQLITE_BUSY. Stores opened on one file in one process therefore share one connection, whose Kysely
// mutex queues them without blocking; the last close closes it.
const sharedFiles = new Map<string, { db: Promise<Kysely<Database>>; refs: number }>();

/**
 * Opens (creating if needed) a SQLite database file and migrates it: WAL, foreign keys, a busy timeout
 * and `BEGIN IMMEDIATE` write transactions, so several processes can share the file. Opening one file
 * twice in a process shares its connection (the first opener's `busyTimeout` holds).
 * @example await using storage = await createSqliteStorage({ path: 'manager.db' });
 */
export async function createSqliteStorage(input: SqliteStorageOptions): Promise<Storage> {
  const options = resolveStorageOptions(SqliteStorageOptions, input);
  const { busyTimeout } = options;
  if (options.path === ':memory:') {
    const db = await openSqlite(options.path, busyTimeout);
    return assemble(db, 'sqlite', () => db.destroy());
  }
  const key = resolve(options.path);
  let entry = sharedFiles.get(key);
  if (!entry) {
    const created = { db: openSqlite(key, busyTimeout), refs: 0 };
    created.db.catch(() => {
      if (sharedFiles.get(key) === created) sharedFiles.delete(key);
    });
    sharedFiles.set(key, created);
    entry = created;
  }
  const shared = entry;
  shared.refs++;
  let db: Kysely<Database>;
  try {
    db = await shared.db;
  } catch (error) {
    shared.refs--;
    throw error;
  }
  return assemble(db, 'sqlite', async () => {
    if (--shared.refs > 0) return;
    if (sharedFiles.get(key) === shared) sharedFiles.delete(key);
    await db.destroy();
  });
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/u;

/**
 * Refuses anything but a postgres:// (or postgresql://) URL with a host, before pg reads it: pg would take
 * 'not-a-url' for a host name and fail later with a DNS error. The URL is not echoed: it may hold a password.
 */
function assertPostgresUrl(url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(String(url));
  } catch {
    // Reported below.
  }
  if (!parsed || !/^postgres(ql)?:$/u.test(parsed.protocol) || parsed.hostname === '') {
    throw new AppError(
      'INVALID_REQUEST',
      'Malformed PostgreSQL URL: expected postgres://[user[:password]@]host[:port]/database',
    );
  }
}

/**
 * Connects a `pg` pool to PostgreSQL and migrates the database (or `schema`, created if missing).
 * @example const storage = await createPostgresStorage({ url: 'postgres://postgres@127.0.0.1:5432/test' });
 */
export async function createPostgresStorage(input: PostgresStorageOptions): Promise<Storage> {
  const options = resolveStorageOptions(PostgresStorageOptions, input);
  const { schema } = options;
  assertPostgresUrl(options.url);
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new AppError('INVALID_REQUEST', `Not a schema name: '${schema}'`, { details: { schema } });
  }
  const pg = await loadPg();
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections,
    ...(schema !== undefined && { options: `-c search_path="${schema}"` }),
  });
  // An idle client that loses its server emits on the pool; unheard, that would crash the process. The
  // next query reports the problem as a STORAGE_ERROR instead.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  if (schema !== undefined) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (error) {
      // Two processes creating the schema at once: the loser sees a unique violation; the schema exists.
      if ((error as { code?: string }).code !== '23505') {
        await db.destroy().catch(() => {});
        throw AppError.from(error, 'STORAGE_ERROR');
      }
    }
  }
  const ready = await migrated(db, 'postgres', schema);
  return assemble(ready, 'postgres', () => ready.destroy());
}

/**
 * Opens the store a manager is configured with: PostgreSQL when `url` is given, else a SQLite file at
 * `path` (default 'manager.db').
 * @example await using storage = await openStorage({ path: 'manager.db' });
 */
export async function openStorage(input: OpenStorageOptions = {}): Promise<Storage> {
  const options = resolveStorageOptions(OpenStorageOptions, input);
  if (options.url !== undefined) {
    return createPostgresStorage({
      url: options.url,
      ...(options.schema !== undefined && { schema: options.schema }),
      maxConnections: options.maxConnections,
    });
  }
  return createSqliteStorage({ path: options.path, busyTimeout: options.busyTimeout });
}
