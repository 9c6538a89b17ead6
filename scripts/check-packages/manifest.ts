import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest, WorkspacePackage } from './workspace.js';

// The package.json conventions of a published package (the README's "Publishing" section), so that a new
// package that forgets one fails here rather than in a user's project.

/** The conditions every exports entry has, in this order; `default` (not `import`) so require() works. */
const CONDITIONS = ['@myagent/source', 'types', 'default'];

/** What `files` must hold: the build without its build info, the sources the maps point at, no tests. */
const FILES = ['dist', '!dist/.tsbuildinfo', 'src', '!src/**/*.test.ts'];

/** The problems of one package's manifest (empty when it follows every convention). */
export function manifestProblems(pkg: WorkspacePackage, root: Manifest, rootDir: string): string[] {
  const m = pkg.manifest;
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  expect(m.type === 'module', `"type" must be "module"`);
  expect(m.sideEffects === false, `"sideEffects" must be false`);
  expect(m.license === 'MIT', `"license" must be "MIT"`);
  expect(
    sameText(join(pkg.dir, 'LICENSE'), join(rootDir, 'LICENSE')),
    'LICENSE must be a copy of the root one',
  );
  expect(existsSync(join(pkg.dir, 'README.md')), 'README.md is missing');
  expect(m.engines?.node === '>=20.19', `"engines.node" must be ">=20.19" (require(esm) needs 20.19)`);
  expect(m.publishConfig?.access === 'public', `"publishConfig.access" must be "public"`);
  // The manager also builds the web console it ships (`tsc -b && vite build ...`).
  expect(
    m.scripts?.prepack === 'tsc -b' || m.scripts?.prepack?.startsWith('tsc -b && ') === true,
    `"scripts.prepack" must be "tsc -b" (a fresh clone packs a build)`,
  );
  for (const entry of FILES) expect(m.files?.includes(entry) === true, `"files" must include "${entry}"`);

  expect(m.repository?.url === root.repository?.url, `"repository.url" must be ${root.repository?.url}`);
  expect(m.repository?.directory === pkg.relDir, `"repository.directory" must be "${pkg.relDir}"`);
  const home = root.repository?.url?.replace(/^git\+/, '').replace(/\.git$/, '');
  expect(m.homepage === `${home}/tree/main/${pkg.relDir}#readme`, `"homepage" must be the package's README`);
  expect(m.bugs === `${home}/issues`, `"bugs" must be ${home}/issues`);

  if (!m.exports || typeof m.exports !== 'object') problems.push('"exports" is missing');
  for (const [subpath, target] of Object.entries(m.exports ?? {})) {
    const keys = typeof target === 'object' && target !== null ? Object.keys(target) : [];
    expect(
      keys.join() === CONDITIONS.join(),
      `exports["${subpath}"] must have exactly the conditions ${CONDITIONS.join(', ')} in that order`,
    );
  }
  for (const [name, range] of Object.entries({ ...m.dependencies, ...m.peerDependencies })) {
    if (name.startsWith('@myagent/')) expect(range === 'workspace:^', `${name} must be "workspace:^"`);
  }
  return problems;
}

function sameText(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && readFileSync(a, 'utf8') === readFileSync(b, 'utf8');
}

/** What a tarball must and must not contain, from its file list (and the manifest, for a built console). */
export function tarballProblems(files: readonly string[], manifest?: Manifest): string[] {
  const problems: string[] = [];
  if (manifest?.scripts?.['build:console'] && !files.includes('dist/console/index.html')) {
    problems.push('ships no built console (dist/console/index.html)');
  }
  for (const required of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
    if (!files.includes(required)) problems.push(`ships no ${required}`);
  }
  for (const file of files) {
    if (file.endsWith('.tsbuildinfo')) problems.push(`ships the build info ${file}`);
    if (/\.test(-d)?\.ts$/.test(file) || file.startsWith('test/')) problems.push(`ships the test ${file}`);
  }
  return problems;
}
