import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDialects } from './dialects.js';

// Openers that only say where they were asked to open, so the harness's own work is what is checked.
interface Where {
  path: string;
  url: string;
  schema: string;
}
const [sqlite, postgres] = createDialects<Where>({
  sqlite: async (path) => ({ path, url: '', schema: '' }),
  postgres: async (target) => ({ path: '', ...target }),
});

afterEach(async () => {
  await sqlite.cleanup();
  await postgres.cleanup();
});

describe('the SQLite harness', () => {
  it('opens each store on a new file of one temp folder, reopens the same file, and removes the folder', async () => {
    const first = await sqlite.open();
    const second = await sqlite.open();
    expect(first.storage.path).not.toBe(second.storage.path);
    expect(dirname(first.storage.path)).toBe(dirname(second.storage.path));
    expect(await first.reopen()).toEqual(first.storage);
    expect(existsSync(dirname(first.storage.path))).toBe(true);
    await sqlite.cleanup();
    expect(existsSync(dirname(first.storage.path))).toBe(false);
  });

  it('gives a bare database that kysely can write, and opens the store on that file', async () => {
    const bare = await sqlite.bare();
    await bare.db.schema.createTable('legacy').addColumn('id', 'integer').execute();
    await bare.db.destroy();
    const { path } = await bare.open();
    expect(existsSync(path)).toBe(true);
    expect(bare.migrationTableSchema).toBeUndefined();
  });
});

// The schemas holding a table named `legacy`, as PostgreSQL lists them.
async function schemasWithLegacy(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ table_schema: string }>`
    select table_schema from information_schema.tables where table_name = 'legacy'`.execute(db);
  return rows.map((row) => row.table_schema);
}

describe.skipIf(!postgres.available)('the PostgreSQL harness', () => {
  it('opens each store in a schema of its own, and drops the schemas it created at cleanup', async () => {
    const { storage, reopen } = await postgres.open();
    expect(storage.url).toBe(process.env.MYAGENT_TEST_DATABASE_URL);
    expect(await reopen()).toEqual(storage);
    expect((await postgres.open()).storage.schema).not.toBe(storage.schema);

    const bare = await postgres.bare();
    expect(bare.migrationTableSchema).toMatch(/^myagent_test_/u);
    expect(await bare.open()).toMatchObject({ schema: bare.migrationTableSchema });
    await bare.db.schema.createTable('legacy').addColumn('id', 'integer').execute();
    expect(await schemasWithLegacy(bare.db)).toContain(bare.migrationTableSchema);
    await bare.db.destroy();
    await postgres.cleanup();
    const after = await postgres.bare();
    try {
      expect(await schemasWithLegacy(after.db)).not.toContain(bare.migrationTableSchema);
    } finally {
      await after.db.destroy();
    }
  });
});
