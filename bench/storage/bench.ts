// `pnpm bench storage`: @myagent/storage-kysely against the bare driver doing the same statements, in the
// same process, on SQLite and (when reachable) PostgreSQL. Two workloads from the issue: list services
// with a filter over a table of 1,000, and append 10,000 health results (one call each, and one batch).
// The baseline runs the SQL our repositories issue, on better-sqlite3 / a pg Pool, with no validation,
// no Kysely and no row parsing, so the ratio is what the repository layer costs.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresStorage, createSqliteStorage, type Storage } from '@myagent/storage-kysely';

// The drivers are the storage package's dependencies, not the workspace root's, so they are loaded from
// there and described by the few methods used here (kysely's habit) instead of their type packages.
interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): unknown;
}
interface SqliteDatabase {
  pragma(source: string): unknown;
  prepare(source: string): SqliteStatement;
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
  exec(source: string): unknown;
  close(): void;
}
interface PgClient {
  query(text: string, params?: unknown[]): Promise<unknown>;
  release(): void;
}
interface PgPool {
  query(text: string, params?: unknown[]): Promise<unknown>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', listener: () => void): void;
}
interface PgModule {
  Pool: new (config: object) => PgPool;
  Client: new (config: object) => { connect(): Promise<void>; end(): Promise<void> };
}
const requireFromStorage = createRequire(createRequire(import.meta.url).resolve('@myagent/storage-kysely'));
const Sqlite = requireFromStorage('better-sqlite3') as new (path: string, options: object) => SqliteDatabase;
const { Pool, Client } = requireFromStorage('pg') as PgModule;

const SERVICES = 1000;
const APPENDS = 10_000;
const LIST_ROUNDS = 60;
const BATCH_ROUNDS = 5;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** The filter: running services tagged gpu and eu (all-of); 1 in 2 running, 1 in 3 gpu+eu: 167 of 1,000. */
const FILTER = { status: 'running' as const, tags: ['gpu', 'eu'], limit: 1000 };
const services = Array.from({ length: SERVICES }, (_, i) => ({
  service_id: randomUUID(),
  name: `svc-${String(i).padStart(4, '0')}`,
  host: '127.0.0.1',
  port: 8081 + (i % 900),
  endpoint: `ws://127.0.0.1:${8081 + (i % 900)}`,
  status: i % 2 === 0 ? ('running' as const) : ('stopped' as const),
  tags: [...(i % 3 === 0 ? ['gpu', 'eu'] : ['cpu']), `group-${i % 10}`],
  created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
  config: { agent_factory_path: '/srv/agents/echo.ts' },
}));
const healthOf = (serviceId: string, i: number) => ({
  service_id: serviceId,
  status: 'healthy' as const,
  response_time_ms: 1.25,
  timestamp: new Date(Date.UTC(2026, 0, 2, 0, 0, 0, i)).toISOString(),
  checks: { websocket: { status: 'healthy' as const, message: 'pong' } },
  error: null,
});

/**
 * The statements the repositories issue, written out for the bare drivers ($n for pg, ? for SQLite). The
 * count runs only when a first page comes back full, as in the repository.
 */
const LIST_SQL = (p: (n: number) => string) => {
  const where = `from "services" where "status" in (${p(1)}) and "service_id" in (select "service_id" from "service_tags" where "tag" in (${p(2)}, ${p(3)}) group by "service_id" having count(distinct "tag") = ${p(4)})`;
  return {
    rows: `select * ${where} order by "created_at", "name" limit ${p(5)} offset ${p(6)}`,
    count: `select count(*) as "total" ${where}`,
  };
};
const INSERT_HEALTH = (p: (n: number) => string) =>
  `insert into "health_checks" ("service_id", "status", "response_time_ms", "timestamp", "checks", "error") values (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`;
const healthParams = (h: ReturnType<typeof healthOf>) => [
  h.service_id,
  h.status,
  h.response_time_ms,
  h.timestamp,
  JSON.stringify(h.checks),
  h.error,
];

interface Row {
  dialect: string;
  operation: string;
  ours: number;
  raw: number;
}
const rows: Row[] = [];

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  gc();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Median ms of `rounds` timed calls of each of `ours` and `bare`, taking turns after a few warm-up calls,
 * so a burst of load from other processes on the machine hits both sides alike. `between` runs untimed.
 */
async function paired(
  rounds: number,
  ours: () => Promise<unknown> | unknown,
  bare: () => Promise<unknown> | unknown,
  between: () => Promise<unknown> | unknown = () => {},
): Promise<[number, number]> {
  for (let i = 0; i < Math.min(5, rounds); i++) {
    await ours();
    await between();
    await bare();
    await between();
  }
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < rounds; i++) {
    samples[0].push(await time(ours));
    await between();
    samples[1].push(await time(bare));
    await between();
  }
  const mid = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  return [mid(samples[0]), mid(samples[1])];
}

async function seed(storage: Storage) {
  for (const service of services) await storage.services.save(service);
  const { total } = await storage.services.list(FILTER);
  if (total !== 167) throw new Error(`the filter matched ${total}, expected 167`);
}

interface Raw {
  list(): Promise<unknown>;
  appendOne(h: ReturnType<typeof healthOf>): Promise<unknown>;
  appendBatch(hs: ReturnType<typeof healthOf>[]): Promise<unknown>;
  clearHealth(): Promise<unknown>;
}

async function run(dialect: string, storage: Storage, raw: Raw) {
  await seed(storage);
  const [ours, bare] = await paired(LIST_ROUNDS, () => storage.services.list(FILTER), raw.list);
  rows.push({
    dialect,
    operation: `list 1,000 services, filter status + 2 tags (167 match), per call`,
    ours,
    raw: bare,
  });

  const target = services[0]?.service_id as string;
  const batch = Array.from({ length: APPENDS }, (_, i) => healthOf(target, i));
  // One call per result, in five rounds of 2,000 where ours and the bare driver take turns.
  let oursOne = 0;
  let rawOne = 0;
  for (let round = 0; round < 5; round++) {
    const slice = batch.slice(round * 2000, (round + 1) * 2000);
    oursOne += await time(async () => {
      for (const h of slice) await storage.health.append(h);
    });
    rawOne += await time(async () => {
      for (const h of slice) await raw.appendOne(h);
    });
  }
  await raw.clearHealth();
  rows.push({
    dialect,
    operation: `append 10,000 health results one call each, per result`,
    ours: oursOne / APPENDS,
    raw: rawOne / APPENDS,
  });

  const [oursBatch, rawBatch] = await paired(
    BATCH_ROUNDS,
    () => storage.health.appendMany(batch),
    () => raw.appendBatch(batch),
    raw.clearHealth,
  );
  rows.push({
    dialect,
    operation: `append 10,000 health results in one batch, per result`,
    ours: oursBatch / APPENDS,
    raw: rawBatch / APPENDS,
  });
}

async function sqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'myagent-bench-storage-'));
  const path = join(dir, 'bench.db');
  try {
    const storage = await createSqliteStorage({ path });
    const db = new Sqlite(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const list = LIST_SQL(() => '?');
    const listRows = db.prepare(list.rows);
    const listCount = db.prepare(list.count);
    const insert = db.prepare(INSERT_HEALTH(() => '?'));
    const insertMany = db.transaction((hs: ReturnType<typeof healthOf>[]) => {
      for (const h of hs) insert.run(healthParams(h));
    });
    const args = ['running', 'gpu', 'eu', 2];
    await run('SQLite', storage, {
      // Like the repository: the count query only when the first page came back full.
      list: async () => {
        const found = listRows.all(...args, 1000, 0);
        return found.length < 1000 ? found.length : listCount.get(...args);
      },
      appendOne: async (h) => insert.run(healthParams(h)),
      appendBatch: async (hs) => insertMany(hs),
      clearHealth: async () => db.exec('delete from health_checks'),
    });
    db.close();
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(url: string) {
  const schema = `myagent_bench_${process.pid}`;
  const pool = new Pool({ connectionString: url, max: 4, options: `-c search_path="${schema}"` });
  pool.on('error', () => {});
  const storage = await createPostgresStorage({ url, schema, maxConnections: 4 });
  try {
    const list = LIST_SQL((n) => `$${n}`);
    const insert = INSERT_HEALTH((n) => `$${n}`);
    const args = ['running', 'gpu', 'eu', 2];
    await run('PostgreSQL', storage, {
      list: async () => {
        const found = (await pool.query(list.rows, [...args, 1000, 0])) as { rowCount: number };
        return found.rowCount < 1000 ? found.rowCount : pool.query(list.count, args);
      },
      appendOne: (h) => pool.query(insert, healthParams(h)),
      appendBatch: async (hs) => {
        const client = await pool.connect();
        try {
          await client.query('begin');
          for (let i = 0; i < hs.length; i += 1000) {
            const chunk = hs.slice(i, i + 1000);
            const values = chunk.map(
              (_, r) => `(${[1, 2, 3, 4, 5, 6].map((c) => `$${r * 6 + c}`).join(', ')})`,
            );
            await client.query(
              `insert into "health_checks" ("service_id", "status", "response_time_ms", "timestamp", "checks", "error") values ${values.join(', ')}`,
              chunk.flatMap(healthParams),
            );
          }
          await client.query('commit');
        } finally {
          client.release();
        }
      },
      clearHealth: () => pool.query('delete from health_checks'),
    });
  } finally {
    await storage.close();
    await pool.query(`drop schema if exists "${schema}" cascade`);
    await pool.end();
  }
}

async function reachable(url: string): Promise<boolean> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: 2000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const format = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);

await sqlite();
const url = process.env.MYAGENT_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
if (await reachable(url)) await postgres(url);
else
  console.warn(
    `PostgreSQL at ${url.replace(/\/\/[^@]*@/u, '//…@')} is not reachable: PostgreSQL rows skipped`,
  );

console.log('| dialect | operation | ours | bare driver | ours / bare |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.dialect} | ${row.operation} | ${format(row.ours)} | ${format(row.raw)} | ${(row.ours / row.raw).toFixed(2)}× |`,
  );
}
