// `pnpm check:packages`: packs every published package of the workspace, installs the tarballs into an
// empty npm project outside it, and checks them there as a user meets them: package.json conventions,
// tarball contents, publint and arethetypeswrong, ES module and CommonJS consumers (type check and run),
// binaries, source maps, a missing optional peer, and every README snippet (see snippets.ts for the
// markers). `--keep` keeps the temporary folder. Exit code 1 when anything failed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConsumer, installConsumer, type Packed } from './consumer.js';
import {
  binaryVersions,
  missingOptionalPeers,
  type Outcome,
  runConsumers,
  sourceMapsResolve,
  typeCheck,
  writeConsumers,
} from './installed.js';
import { manifestProblems, tarballProblems } from './manifest.js';
import { run } from './processes.js';
import { placeSnippets, runSnippets, typeScriptFiles } from './run-snippets.js';
import { neededPackages, readSnippets, type Snippet } from './snippets.js';
import { publishedPackages, readManifest, type WorkspacePackage } from './workspace.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const keep = process.argv.includes('--keep');
let failures = 0;

let lastReport = Date.now();

function report(section: string, outcomes: readonly Outcome[]): void {
  const seconds = ((Date.now() - lastReport) / 1000).toFixed(1);
  lastReport = Date.now();
  console.log(`\n== ${section} (${seconds} s)`);
  for (const { label, problem } of outcomes) {
    console.log(`  ${problem ? 'FAIL' : 'ok  '} ${label}`);
    if (problem) {
      failures++;
      const lines = problem.trimEnd().split('\n');
      const shown = lines.length > 80 ? [...lines.slice(0, 40), '...', ...lines.slice(-40)] : lines;
      console.log(shown.map((line) => `       ${line}`).join('\n'));
    }
  }
}

const problemsOutcome = (label: string, problems: readonly string[]): Outcome => ({
  label,
  problem: problems.length ? problems.join('\n') : undefined,
});

function checkManifests(packages: readonly WorkspacePackage[]): void {
  const root = readManifest(ROOT);
  report(
    'package.json conventions',
    packages.map((pkg) => problemsOutcome(pkg.name, manifestProblems(pkg, root, ROOT))),
  );
}

/** The snippets of the root README and of every package's, with the install lines checked. */
function collectSnippets(packages: readonly WorkspacePackage[]): Snippet[] {
  const bins = new Map<string, string>();
  for (const pkg of packages)
    for (const name of Object.keys(pkg.manifest.bin ?? {})) bins.set(name, pkg.name);
  const readmes = [
    { label: 'README.md', file: join(ROOT, 'README.md'), own: undefined as string | undefined },
    ...packages.map((pkg) => ({
      label: `${pkg.relDir}/README.md`,
      file: join(pkg.dir, 'README.md'),
      own: pkg.name,
    })),
  ];
  const snippets: Snippet[] = [];
  const outcomes = readmes.map(({ label, file, own }) => {
    const found = readSnippets(file, label);
    snippets.push(...found.snippets);
    const needed = neededPackages(found.snippets, bins);
    if (own) needed.add(own);
    const uninstalled = [...needed].filter((name) => !found.installs.has(name));
    const problems = [...found.problems];
    if (uninstalled.length) problems.push(`its npm install line lacks ${uninstalled.join(', ')}`);
    if (own && found.snippets.length === 0) problems.push('no runnable snippet');
    return problemsOutcome(`${label}: ${found.snippets.length} snippets`, problems);
  });
  report('README snippets and install lines', outcomes);
  return snippets;
}

/** `pnpm pack` (so prepack builds) of every package into `dir`. */
function pack(packages: readonly WorkspacePackage[], dir: string): Packed[] {
  mkdirSync(dir, { recursive: true });
  const packed: Packed[] = [];
  const outcomes: Outcome[] = [];
  for (const pkg of packages) {
    try {
      const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', dir], {
        cwd: pkg.dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The prepack script prints before the JSON.
      const json = JSON.parse(out.slice(out.indexOf('\n{') + 1)) as {
        filename: string;
        files: { path: string }[];
      };
      const files = json.files.map((file) => file.path);
      packed.push({ pkg, tarball: json.filename, files });
      outcomes.push(
        problemsOutcome(`${pkg.name}: ${files.length} files`, tarballProblems(files, pkg.manifest)),
      );
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      outcomes.push({
        label: `${pkg.name}: pnpm pack`,
        problem: `${stdout ?? ''}${stderr ?? String(error)}`,
      });
    }
  }
  report('pnpm pack', outcomes);
  return packed;
}

/** publint and arethetypeswrong on each tarball. */
async function lintTarballs(packed: readonly Packed[]): Promise<Outcome[]> {
  const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
  const options = { cwd: ROOT, env: process.env, timeoutMs: 120_000 };
  const outcomes: Outcome[] = [];
  for (const { pkg, tarball } of packed) {
    const [publint, attw] = await Promise.all([
      run(bin('publint'), ['run', '--strict', tarball], options),
      // CJSResolvesToESM is what Node 20.19+ (require(esm)) and TypeScript 5.8+ (module nodenext) allow;
      // attw's own TypeScript predates that. The CommonJS consumer checks it really works.
      run(
        bin('attw'),
        [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped', '--no-color'],
        options,
      ),
    ]);
    outcomes.push({ label: `${pkg.name}: publint`, problem: publint.ok ? undefined : publint.output });
    outcomes.push({ label: `${pkg.name}: arethetypeswrong`, problem: attw.ok ? undefined : attw.output });
  }
  return outcomes;
}

async function main(): Promise<void> {
  const started = Date.now();
  const packages = publishedPackages(ROOT);
  console.log(`checking ${packages.length} published packages: ${packages.map((p) => p.name).join(', ')}`);
  checkManifests(packages);
  const snippets = collectSnippets(packages);

  const temp = mkdtempSync(join(tmpdir(), 'myagent-check-packages-'));
  try {
    const packed = pack(packages, join(temp, 'tarballs'));
    if (packed.length !== packages.length) return;
    const consumer = createConsumer(join(temp, 'consumer'), packed, ROOT);
    // The install waits on the network and the lint on the CPU: side by side.
    const installStarted = Date.now();
    const installing = installConsumer(consumer, packed, ROOT).then((result) => ({
      ...result,
      seconds: Math.round((Date.now() - installStarted) / 1000),
    }));
    const [lint, install] = await Promise.all([lintTarballs(packed), installing]);
    report('publint and arethetypeswrong, while npm installs', lint);
    report('npm install of the tarballs', [
      {
        label: `into ${consumer.root} (${install.seconds} s)`,
        problem: install.ok ? undefined : install.output,
      },
    ]);
    if (!install.ok) return;
    const placed = placeSnippets(consumer, snippets, ROOT);
    const typeScript = [...writeConsumers(consumer, packed), ...typeScriptFiles(placed)];
    report('the installed packages', [
      await typeCheck(consumer, typeScript, ROOT),
      ...(await runConsumers(consumer, packed, ROOT)),
      ...(await binaryVersions(consumer, packed, ROOT)),
      ...sourceMapsResolve(consumer, packed),
      ...(await missingOptionalPeers(consumer, packed, ROOT)),
    ]);
    report('README snippets in the consumer', await runSnippets(consumer, placed, ROOT));
  } finally {
    if (keep) console.log(`\nkept ${temp}`);
    else rmSync(temp, { recursive: true, force: true });
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`\n${failures ? `${failures} check(s) failed` : 'all checks passed'} in ${seconds} s`);
    process.exitCode = failures ? 1 : 0;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
