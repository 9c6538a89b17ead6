// The dialects the conformance suite runs on: test-support's harness (temp SQLite files, PostgreSQL
// schemas) opening this package's stores.
import { createDialects, type DialectHarness as Harness } from '@myagent/test-support';
import { createPostgresStorage, createSqliteStorage, type Storage } from '../src/index.js';

/** Opens fresh stores of one dialect and removes everything they left behind. */
export type DialectHarness = Harness<Storage>;

/** Every dialect, SQLite first. */
export const DIALECTS: DialectHarness[] = createDialects<Storage>({
  sqlite: (path) => createSqliteStorage({ path }),
  postgres: ({ url, schema }) => createPostgresStorage({ url, schema, maxConnections: 4 }),
});
