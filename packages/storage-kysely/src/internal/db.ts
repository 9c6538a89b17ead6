import { AppError, type ErrorCode, parseOrThrow } from '@myagent/models';
import { type Insertable, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from '../schema.js';
import type { StorageDialect } from '../types.js';

/** What every repository is built on. */
export interface Context {
  db: Kysely<Database>;
  dialect: StorageDialect;
}

/**
 * Runs `fn` in a write transaction. SQLite: `BEGIN IMMEDIATE`, so the write lock is taken (waiting up to
 * busy_timeout) before anything is read; a DEFERRED transaction that reads then writes can fail with
 * SQLITE_BUSY at once when another process writes. PostgreSQL: an ordinary transaction.
 */
export async function writeTransaction<T>(
  ctx: Context,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (ctx.dialect === 'postgres') return ctx.db.transaction().execute(fn);
  return ctx.db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    let result: T;
    try {
      result = await fn(conn);
    } catch (error) {
      // SQLite may have rolled back already (e.g. after SQLITE_FULL); a second rollback error is noise.
      await sql`rollback`.execute(conn).catch(() => {});
      throw error;
    }
    await sql`commit`.execute(conn);
    return result;
  });
}

/**
 * Inserts rows in chunks inside a transaction, so a batch stays under the bound-parameter limit of both
 * dialects (SQLite 32,766, PostgreSQL 65,535): pass a chunk size with columns x size well under that.
 */
export async function insertChunked<T extends keyof Database & string>(
  trx: Kysely<Database>,
  table: T,
  rows: readonly Insertable<Database[T]>[],
  chunkSize: number,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunkSize) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + chunkSize) as never)
      .execute();
  }
}

/** JSON text for a JSON column (jsonb on PostgreSQL takes the text too; pg would turn arrays into PG arrays). */
export function toJson(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A JSON column's value: text on SQLite, already parsed on PostgreSQL. */
export function fromJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** A count or bigint column as a number (pg returns int8 as a string). */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

/** A nullable numeric column as a number (PostgreSQL returns bigint and numeric columns as strings). */
export function nullableNumber(value: unknown): number | null {
  return value === null ? null : Number(value);
}

/** One canonical timestamp form, so that text ordering is time ordering on both dialects. */
export function canonicalTime(timestamp: string): string;
export function canonicalTime(timestamp: string | null): string | null;
export function canonicalTime(timestamp: string | null): string | null {
  return timestamp === null ? null : new Date(timestamp).toISOString();
}

/** Parses a row read back from the database; a stored row that breaks the schema is a STORAGE_ERROR. */
export function parseRow<S extends Parameters<typeof parseOrThrow>[0]>(
  schema: S,
  row: unknown,
  what: string,
): ReturnType<typeof parseOrThrow<S>> {
  try {
    return parseOrThrow(schema, row, `stored ${what}`);
  } catch (error) {
    throw new AppError('STORAGE_ERROR', (error as Error).message, {
      cause: error,
      details: (error as AppError).details,
    });
  }
}

const MAX_LIMIT = 10_000;

/** Checks limit and offset (non-negative integers, limit at most 10,000). */
export function page(limit: number | undefined, offset: number | undefined, defaultLimit = 100) {
  const checked = { limit: limit ?? defaultLimit, offset: offset ?? 0 };
  for (const [name, value] of Object.entries(checked)) {
    if (!Number.isSafeInteger(value) || value < 0 || (name === 'limit' && value > MAX_LIMIT)) {
      throw new AppError(
        'INVALID_REQUEST',
        `${name} must be an integer from 0 to ${name === 'limit' ? MAX_LIMIT : 'any'}`,
        { details: { [name]: value } },
      );
    }
  }
  return checked;
}

/** Checks a count such as `keep`. */
export function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AppError('INVALID_REQUEST', `${name} must be a non-negative integer`, {
      details: { [name]: value },
    });
  }
  return value;
}

/** The kind of constraint a database error broke, on either dialect. */
export type ConstraintKind = 'unique' | 'foreign_key' | 'not_null' | 'check';

function constraintKind(error: unknown): ConstraintKind | undefined {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return undefined;
  // better-sqlite3: SqliteError.code is the extended result code name.
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign_key';
  if (code === 'SQLITE_CONSTRAINT_NOTNULL') return 'not_null';
  if (code === 'SQLITE_CONSTRAINT_CHECK') return 'check';
  // PostgreSQL SQLSTATE class 23.
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreign_key';
  if (code === '23502') return 'not_null';
  if (code === '23514') return 'check';
  return undefined;
}

/** How a repository names the error a broken constraint means to its callers. */
export type ConstraintMapper = (
  kind: ConstraintKind,
  error: unknown,
) => { code: ErrorCode; message: string; details?: Record<string, unknown> } | undefined;

/**
 * Runs a repository operation and turns any failure into an AppError: a broken constraint as `onConstraint`
 * says, anything else from the driver as STORAGE_ERROR with the driver's error as `cause`.
 */
export async function guard<T>(
  what: string,
  fn: () => Promise<T>,
  onConstraint?: ConstraintMapper,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (AppError.is(error)) throw error;
    const kind = constraintKind(error);
    const mapped = kind && onConstraint?.(kind, error);
    if (mapped) {
      throw new AppError(mapped.code, mapped.message, { cause: error, details: mapped.details ?? {} });
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('STORAGE_ERROR', `Storage failed to ${what}: ${message}`, { cause: error });
  }
}

/** One value or several, as an array. */
function arrayOf<T>(value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...value] : [value as T];
}

/** A list filter's status (one or several), each checked against `schema`; none when it is undefined. */
export function statusFilter<S extends Parameters<typeof parseOrThrow>[0], T>(
  schema: S,
  status: T | readonly T[] | undefined,
): ReturnType<typeof parseOrThrow<S>>[] {
  return status === undefined ? [] : arrayOf(status).map((one) => parseOrThrow(schema, one, 'status filter'));
}

/**
 * How many rows a filtered query matches in all. A first page that came back short already is the whole
 * answer, so the count query runs only when there may be more (or rows were skipped).
 */
export async function total<T extends keyof Database>(
  query: SelectQueryBuilder<Database, T, object>,
  returned: number,
  limit: number,
  offset: number,
): Promise<number> {
  if (offset === 0 && returned < limit) return returned;
  const row = await query.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
  return Number(row.total);
}
