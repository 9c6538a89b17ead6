import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cleanEnv, run } from './processes.js';
import { installedVersion, type WorkspacePackage } from './workspace.js';

// The user's side: an empty npm project outside the workspace that installs the tarballs (and, from the
// npm registry, their third-party dependencies), with an ES module and a CommonJS corner.

/** A packed package: its tarball and the file list pnpm packed. */
export interface Packed {
  pkg: WorkspacePackage;
  tarball: string;
  files: string[];
}

/** The consumer project's folders. */
export interface Consumer {
  root: string;
  esm: string;
  cjs: string;
  snippets: string;
}

/** The dev tools a consumer has, at the workspace's versions. */
const TOOLS = ['typescript', 'tsx', '@types/node', '@types/ws'];

/** Writes the package.json files: an `npm init -y` project (CommonJS) with esm/ and cjs/ folders. */
export function createConsumer(dir: string, packed: readonly Packed[], workspaceRoot: string): Consumer {
  const deps: Record<string, string> = {};
  for (const { pkg, tarball } of packed) deps[pkg.name] = `file:${tarball}`;
  const devDependencies = Object.fromEntries(
    TOOLS.map((name) => [name, installedVersion(workspaceRoot, name)]),
  );
  const sqlite = betterSqlite(packed);
  const manifest = {
    name: 'myagent-consumer',
    version: '1.0.0',
    private: true,
    type: 'commonjs',
    dependencies: deps,
    devDependencies,
    // Our packages come from the tarballs only, never from the registry; better-sqlite3 at the workspace's
    // version, so that its addon compiled by the workspace install is reused (see installConsumer).
    overrides: { ...deps, ...(sqlite && { 'better-sqlite3': sqlite.version }) },
  };
  const consumer: Consumer = {
    root: dir,
    esm: join(dir, 'esm'),
    cjs: join(dir, 'cjs'),
    snippets: join(dir, 'snippets'),
  };
  writeJson(join(dir, 'package.json'), manifest);
  writeJson(join(consumer.esm, 'package.json'), { type: 'module' });
  writeJson(join(consumer.cjs, 'package.json'), { type: 'commonjs' });
  mkdirSync(consumer.snippets, { recursive: true });
  return consumer;
}

/** The strict settings every type check of the consumer uses. */
export function consumerTsconfig(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023', 'ESNext.Disposable'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      strict: true,
      skipLibCheck: false,
      ...extra,
    },
  };
}

export function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** better-sqlite3 as the workspace installed it, if a published package depends on it. */
function betterSqlite(packed: readonly Packed[]) {
  const owner = packed.find(({ pkg }) => pkg.manifest.dependencies?.['better-sqlite3']);
  if (!owner) return undefined;
  const manifestPath = createRequire(join(owner.pkg.dir, 'package.json')).resolve(
    'better-sqlite3/package.json',
  );
  const dir = dirname(manifestPath);
  const { version } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string };
  return existsSync(join(dir, 'build', 'Release', 'better_sqlite3.node')) ? { dir, version } : undefined;
}

/**
 * `npm install` in the consumer. better-sqlite3's install script looks for a prebuilt addon before it
 * compiles one (prebuild-install's documented local-prebuilds folder); the workspace's own build of the
 * same version for this Node is offered there, which saves minutes of node-gyp on every run.
 */
export async function installConsumer(consumer: Consumer, packed: readonly Packed[], workspaceRoot: string) {
  const env = cleanEnv(workspaceRoot);
  const sqlite = betterSqlite(packed);
  if (sqlite) {
    const prebuilds = join(consumer.root, '..', 'prebuilds');
    mkdirSync(prebuilds, { recursive: true });
    const name = `better-sqlite3-v${sqlite.version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    const tar = await run(
      'tar',
      ['-czf', join(prebuilds, name), '-C', sqlite.dir, 'build/Release/better_sqlite3.node'],
      {
        cwd: consumer.root,
        env,
        timeoutMs: 60_000,
      },
    );
    if (tar.ok) env.npm_config_better_sqlite3_local_prebuilds = prebuilds;
  }
  return run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: consumer.root,
    env,
    timeoutMs: 15 * 60_000,
  });
}

/** Copies the repository's examples/ next to a snippet (README snippets name `examples/echo-agent.ts`). */
export function provideExamples(workspaceRoot: string, dir: string): void {
  cpSync(join(workspaceRoot, 'examples'), join(dir, 'examples'), { recursive: true });
}
