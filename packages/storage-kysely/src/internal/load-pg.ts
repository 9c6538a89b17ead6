import { AppError } from '@myagent/models';
import type pg from 'pg';

let loaded: Promise<typeof pg> | undefined;

/**
 * Loads `pg` on first use, so a SQLite-only program never loads it. `pg` is an optional peer dependency:
 * without it a PostgreSQL store fails with STORAGE_ERROR saying what to install.
 */
export function loadPg(): Promise<typeof pg> {
  loaded ??= loadOptionalPeer('pg', 'PostgreSQL storage', () => import('pg')).then(
    (module) => module.default,
    (error: unknown) => {
      loaded = undefined; // installed later, the next open finds it
      throw error;
    },
  );
  return loaded;
}

/** Runs `load` (an `import()` of `name`); a `name` that is not installed becomes a STORAGE_ERROR. */
export async function loadOptionalPeer<T>(name: string, purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // Only the package itself missing; a broken install of it (a dependency of pg missing) keeps its error.
    if (code !== 'ERR_MODULE_NOT_FOUND' || !String(message).includes(`'${name}'`)) throw error;
    throw new AppError(
      'STORAGE_ERROR',
      `${purpose} needs the '${name}' package, an optional peer dependency of @myagent/storage-kysely: npm install ${name}`,
      { cause: error, details: { package: name } },
    );
  }
}
