import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@myagent/test-support';
import { describe, expect, it } from 'vitest';
import * as mod from './index.js';

describe('public surface', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(mod).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_BUSY_TIMEOUT_MS",
        "DEFAULT_MAX_CONNECTIONS",
        "DEFAULT_SQLITE_PATH",
        "OpenStorageOptions",
        "PostgresStorageOptions",
        "SqliteStorageOptions",
        "createMigrationProvider",
        "createPostgresStorage",
        "createSqliteStorage",
        "migrateToLatest",
        "openStorage",
      ]
    `);
  });

  it('opens SQLite by default and refuses a bad PostgreSQL schema name', async () => {
    await using storage = await mod.openStorage({ path: ':memory:' });
    expect(storage.dialect).toBe('sqlite');
    await expect(
      mod.createPostgresStorage({ url: 'postgres://127.0.0.1:1/x', schema: 'bad"name' }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('reports an unreachable PostgreSQL as STORAGE_ERROR', async () => {
    await expect(mod.openStorage({ url: 'postgres://postgres@127.0.0.1:1/test' })).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
    });
  });

  it('reports an unopenable SQLite path as STORAGE_ERROR', async () => {
    const { dir, cleanup } = tempDir('myagent-storage-bad-');
    try {
      writeFileSync(join(dir, 'file'), 'not a folder');
      await expect(mod.createSqliteStorage({ path: join(dir, 'file', 'manager.db') })).rejects.toMatchObject({
        code: 'STORAGE_ERROR',
      });
      writeFileSync(join(dir, 'garbage.db'), 'this is not a SQLite database, just text '.repeat(100));
      await expect(mod.createSqliteStorage({ path: join(dir, 'garbage.db') })).rejects.toMatchObject({
        code: 'STORAGE_ERROR',
      });
    } finally {
      cleanup();
    }
  });
});
