import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Consumer, consumerTsconfig, type Packed, writeJson } from './consumer.js';
import { cleanEnv, run } from './processes.js';

// Checks of the installed packages that need no README: both module kinds load and type-check every
// package, binaries print their version, source maps resolve, an optional peer that is missing is named.

/** A check's outcome: a label, and the problem (with the output that shows it) when it failed. */
export interface Outcome {
  label: string;
  problem?: string;
}

const bin = (consumer: Consumer, name: string) => join(consumer.root, 'node_modules', '.bin', name);

/**
 * A consumer that imports every package, in esm/ (ES modules) and in cjs/ (an `npm init -y` project, where
 * TypeScript emits require() calls: Node 20.19+ resolves them to our ES modules through the `default`
 * condition, and a top-level await anywhere in a package would fail them), plus a plain require() of each
 * package from a .cjs file. Returns the TypeScript files, for the type check.
 */
export function writeConsumers(consumer: Consumer, packed: readonly Packed[]): string[] {
  const imports = packed.map(({ pkg }, i) => `import * as p${i} from '${pkg.name}';`).join('\n');
  const table = packed.map(({ pkg }, i) => `  ['${pkg.name}', p${i}],`).join('\n');
  const source = `${imports}

const modules: Array<[string, object]> = [
${table}
];
for (const [name, namespace] of modules) {
  if (Object.keys(namespace).length === 0) throw new Error(\`\${name} exports nothing\`);
}
console.log(\`loaded \${modules.length} packages\`);
`;
  const names = JSON.stringify(packed.map(({ pkg }) => pkg.name));
  writeFileSync(
    join(consumer.cjs, 'require.cjs'),
    `const names = ${names};\nfor (const name of names) if (Object.keys(require(name)).length === 0) throw new Error(name);\nconsole.log(\`loaded \${names.length} packages\`);\n`,
  );
  const files = [join(consumer.esm, 'index.ts'), join(consumer.cjs, 'index.ts')];
  for (const file of files) writeFileSync(file, source);
  return files;
}

/**
 * One type check (strict, nodenext, skipLibCheck false) of the consumers and the snippets: nodenext takes
 * each file's module kind from its folder's package.json, as it does in a user's project.
 */
export async function typeCheck(
  consumer: Consumer,
  files: readonly string[],
  workspaceRoot: string,
): Promise<Outcome> {
  writeJson(join(consumer.root, 'tsconfig.json'), { ...consumerTsconfig({ noEmit: true }), files });
  const result = await run(bin(consumer, 'tsc'), ['-p', consumer.root], {
    cwd: consumer.root,
    env: cleanEnv(workspaceRoot),
    timeoutMs: 300_000,
  });
  return {
    label: `${files.length} files type-check: the ESM and CommonJS consumers and the TypeScript snippets`,
    problem: result.ok ? undefined : result.output,
  };
}

/** Runs the consumers written by {@link writeConsumers}: each must load every package. */
export async function runConsumers(consumer: Consumer, packed: readonly Packed[], workspaceRoot: string) {
  const runs: Array<[string, string, string[]]> = [
    ['ESM consumer (tsx)', consumer.esm, [bin(consumer, 'tsx'), 'index.ts']],
    // Not the CommonJS index.ts under tsx: tsx compiles ES module dependencies to CommonJS there, which
    // fails on third-party packages whose exports have only `import` (execa's unicorn-magic, under the
    // registry). The type check covers that index.ts; require.cjs makes the require() calls tsc emits.
    ['require() of every package (node)', consumer.cjs, [process.execPath, 'require.cjs']],
  ];
  const outcomes: Outcome[] = [];
  for (const [label, cwd, [command, ...args]] of runs) {
    const result = await run(command as string, args, {
      cwd,
      env: cleanEnv(workspaceRoot),
      timeoutMs: 60_000,
    });
    const loaded = result.ok && result.output.includes(`loaded ${packed.length} packages`);
    outcomes.push({ label, problem: loaded ? undefined : result.output });
  }
  return outcomes;
}

/** Every binary answers `--version` with its package's version. */
export async function binaryVersions(
  consumer: Consumer,
  packed: readonly Packed[],
  workspaceRoot: string,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const { pkg } of packed) {
    for (const name of Object.keys(pkg.manifest.bin ?? {})) {
      const result = await run(bin(consumer, name), ['--version'], {
        cwd: consumer.cjs,
        env: cleanEnv(workspaceRoot),
        timeoutMs: 30_000,
      });
      const ok = result.ok && result.output.includes(pkg.version);
      outcomes.push({
        label: `${name} --version prints ${pkg.version}`,
        problem: ok ? undefined : result.output,
      });
    }
  }
  return outcomes;
}

/** Every source map of every installed package names sources that were installed with it. */
export function sourceMapsResolve(consumer: Consumer, packed: readonly Packed[]): Outcome[] {
  return packed.map(({ pkg }) => {
    const root = join(consumer.root, 'node_modules', pkg.name);
    const missing: string[] = [];
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.map') || file.startsWith('node_modules')) continue;
      const map = JSON.parse(readFileSync(join(root, file), 'utf8')) as { sources?: string[] };
      for (const source of map.sources ?? []) {
        const target = resolve(dirname(join(root, file)), source);
        if (!existsSync(target)) missing.push(`${file} -> ${source}`);
      }
    }
    return {
      label: `${pkg.name}: source maps point at shipped files`,
      problem: missing.length ? `missing:\n${missing.slice(0, 10).join('\n')}` : undefined,
    };
  });
}

/** npm installs no optional peer: a PostgreSQL store without pg must say what to install. */
export async function missingOptionalPeers(
  consumer: Consumer,
  packed: readonly Packed[],
  workspaceRoot: string,
): Promise<Outcome[]> {
  const storage = packed.find(({ pkg }) => pkg.name === '@myagent/storage-kysely');
  if (!storage) return [];
  if (existsSync(join(consumer.root, 'node_modules', 'pg'))) {
    return [
      {
        label: 'pg is not installed with the packages',
        problem: 'npm installed pg: it must be an optional peer',
      },
    ];
  }
  const file = join(consumer.esm, 'missing-pg.mjs');
  writeFileSync(
    file,
    `import { openStorage } from '${storage.pkg.name}';
try {
  await openStorage({ url: 'postgres://postgres@127.0.0.1:1/none' });
  console.log('opened without pg');
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }));
}
`,
  );
  const result = await run(process.execPath, [file], {
    cwd: consumer.esm,
    env: cleanEnv(workspaceRoot),
    timeoutMs: 30_000,
  });
  const ok = result.ok && /"code":"STORAGE_ERROR".*npm install pg/.test(result.output);
  return [
    { label: 'a postgres:// store without pg says: npm install pg', problem: ok ? undefined : result.output },
  ];
}
