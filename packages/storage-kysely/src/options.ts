import { parseOrThrow } from '@myagent/models';
import * as v from 'valibot';

/** How long a SQLite writer waits for another process's lock. @default 5 s */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** PostgreSQL pool size. @default 10 */
export const DEFAULT_MAX_CONNECTIONS = 10;
/** The SQLite file {@link openStorage} opens when given neither `path` nor `url`. @default 'manager.db' */
export const DEFAULT_SQLITE_PATH = 'manager.db';

const busyTimeout = v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0)), DEFAULT_BUSY_TIMEOUT_MS);
const maxConnections = v.optional(
  v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  DEFAULT_MAX_CONNECTIONS,
);
const text = v.pipe(v.string(), v.minLength(1));
// Checked as a URL by the opener; never echoed (it may carry a password), so not valibot's "received ...".
const url = v.custom<string>((value) => typeof value === 'string', 'url must be a string');

/** Options of {@link createSqliteStorage}, checked with valibot. */
export const SqliteStorageOptions = v.object({
  /** The database file (created with its folder if missing); ':memory:' for a private in-memory db. */
  path: text,
  /** How long a writer waits for another process's lock, in ms. @default 5000 */
  busyTimeout,
});
export type SqliteStorageOptions = v.InferInput<typeof SqliteStorageOptions>;

/** Options of {@link createPostgresStorage}, checked with valibot. */
export const PostgresStorageOptions = v.object({
  /** A postgres:// connection URL. */
  url,
  /** Use (and create if missing) this schema instead of the default search path. */
  schema: v.optional(v.string()),
  /** Pool size. @default 10 */
  maxConnections,
});
export type PostgresStorageOptions = v.InferInput<typeof PostgresStorageOptions>;

/** Options of {@link openStorage}: a `url` opens PostgreSQL, otherwise a SQLite `path`. */
export const OpenStorageOptions = v.object({
  /** The SQLite file. @default 'manager.db' */
  path: v.optional(text, DEFAULT_SQLITE_PATH),
  /** A postgres:// URL: PostgreSQL instead of SQLite. */
  url: v.optional(url),
  /** SQLite only: how long a writer waits for another process's lock, in ms. @default 5000 */
  busyTimeout,
  /** PostgreSQL only: use (and create if missing) this schema. */
  schema: v.optional(v.string()),
  /** PostgreSQL only: pool size. @default 10 */
  maxConnections,
});
export type OpenStorageOptions = v.InferInput<typeof OpenStorageOptions>;

/** Checks and completes options against one of the schemas; a bad option throws INVALID_REQUEST naming it. */
export function resolveStorageOptions<S extends v.GenericSchema>(
  schema: S,
  options: unknown,
): v.InferOutput<S> {
  return parseOrThrow(schema, options, 'storage options');
}
