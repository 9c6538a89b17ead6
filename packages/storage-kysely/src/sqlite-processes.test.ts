// SQLite shared between real processes: concurrent writers never see "database is locked", and a writer
// killed with SIGKILL mid-transaction leaves a readable, consistent database.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TempDir, tempDir, until } from '@myagent/test-support';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleService } from '../test/samples.js';
import { createSqliteStorage } from './index.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
// `--import tsx` resolves from the working directory: the workspace root, wherever vitest was started.
const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Child {
  process: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

function start(fixture: string, args: string[]): Child {
  const child = spawn(
    process.execPath,
    ['--conditions=@myagent/source', '--import', 'tsx', join(fixtures, fixture), ...args],
    { cwd: workspaceRoot, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, output: () => output, exit };
}

/** test-support's `until`, its timeout error followed by the children's output. */
async function untilShowing(condition: () => boolean, what: string, describeState: () => string) {
  await until(condition, what, 20_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${describeState()}`);
  });
}

function integrity(path: string): string {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('SQLite shared by several processes', () => {
  let dir: TempDir;
  let path: string;

  beforeEach(() => {
    dir = tempDir('myagent-sqlite-procs-');
    path = join(dir.dir, 'manager.db');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    dir.cleanup();
  });

  it('lets two processes write one file at once without "database is locked" or lost updates', async () => {
    const shared = await (async () => {
      await using storage = await createSqliteStorage({ path });
      // Awaited here: `await using` closes the store when the block ends.
      return await storage.services.save(sampleService({ name: 'shared' }));
    })();
    const count = 60;
    const writers = ['left', 'right'].map((name) =>
      start('writer.ts', [path, shared.service_id, name, String(count)]),
    );
    const state = () => writers.map((w) => w.output()).join('\n---\n');
    await untilShowing(
      () => writers.every((w) => w.output().includes('ready')),
      'both writers to open',
      state,
    );
    for (const writer of writers) writer.process.stdin?.write('go\n');

    const exits = await Promise.all(writers.map((w) => w.exit));
    expect(exits, state()).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    expect(state()).not.toMatch(/locked|SQLITE_BUSY/u);

    await using storage = await createSqliteStorage({ path });
    expect((await storage.services.get(shared.service_id))?.restart_count).toBe(2 * count);
    const { total } = await storage.services.list();
    expect(total).toBe(1 + 2 * count);
    const left = await storage.services.getByName(`left-${count - 1}`);
    expect((await storage.logs.list(left?.service_id ?? '')).map((l) => l.message)).toEqual([
      `left ${count - 1} line 1`,
      `left ${count - 1} line 2`,
      `left ${count - 1} line 3`,
    ]);
    expect(integrity(path)).toBe('ok');
  });

  it('lets several processes create and migrate a new file at the same moment', async () => {
    const writers = ['a', 'b', 'c'].map((name) =>
      start('writer.ts', [path, '-', name, '5', '--go-before-open']),
    );
    const state = () => writers.map((w) => w.output()).join('\n---\n');
    await untilShowing(
      () => writers.every((w) => w.output().includes('started')),
      'three writers to start',
      state,
    );
    for (const writer of writers) writer.process.stdin?.write('go\n');
    const exits = await Promise.all(writers.map((w) => w.exit));
    expect(exits, state()).toEqual(Array(3).fill({ code: 0, signal: null }));
    await using storage = await createSqliteStorage({ path });
    expect((await storage.services.list()).total).toBe(15);
    expect(integrity(path)).toBe('ok');
  });

  it('keeps the database readable and consistent when a writer is killed inside a transaction', async () => {
    const committed = await (async () => {
      await using storage = await createSqliteStorage({ path });
      const service = await storage.services.save(sampleService({ name: 'committed', tags: ['x'] }));
      await storage.logs.append([
        {
          service_id: service.service_id,
          timestamp: new Date().toISOString(),
          level: 'info',
          stream: 'stdout',
          message: 'before',
        },
      ]);
      return service;
    })();

    const child = start('interrupted.ts', [path, 'hold', committed.service_id]);
    await untilShowing(
      () => child.output().includes('in-transaction'),
      'the child to be mid-transaction',
      child.output,
    );
    child.process.kill('SIGKILL');
    expect(await child.exit).toEqual({ code: null, signal: 'SIGKILL' });

    expect(integrity(path)).toBe('ok');
    await using storage = await createSqliteStorage({ path, busyTimeout: 2000 });
    expect(await storage.services.getByName('half-written')).toBeUndefined();
    expect((await storage.services.list({ tags: ['x'] })).services.map((s) => s.name)).toEqual(['committed']);
    expect((await storage.logs.list(committed.service_id)).map((l) => l.message)).toEqual(['before']);
    // The dead writer's lock is gone: the same name can be written now.
    await storage.services.save(sampleService({ name: 'half-written' }));
    expect((await storage.services.list()).total).toBe(2);
  });

  it('never keeps part of a batch when a writer is killed while appending batches', async () => {
    const service = await (async () => {
      await using storage = await createSqliteStorage({ path });
      return await storage.services.save(sampleService());
    })();
    const child = start('interrupted.ts', [path, 'batches', service.service_id]);
    await untilShowing(
      () => (child.output().match(/batch/gu) ?? []).length >= 3,
      'three committed batches',
      child.output,
    );
    child.process.kill('SIGKILL');
    expect(await child.exit).toEqual({ code: null, signal: 'SIGKILL' });

    expect(integrity(path)).toBe('ok');
    await using storage = await createSqliteStorage({ path });
    const lines = await storage.logs.list(service.service_id, { limit: 10_000 });
    expect(lines.length).toBeGreaterThanOrEqual(6000);
    expect(lines.length % 2000).toBe(0);
    expect(lines.at(-1)?.message).toMatch(/line 1999$/u);
  });
});
