/**
 * The type half of each published package's locked surface (the value half is the `Object.keys` snapshot in
 * `src/index.test.ts`): API Extractor reads the built `dist/index.d.ts` and writes `<name>.api.md` next to
 * the package.json, every exported declaration as the compiler emitted it. Review the report's diff as you
 * would a snapshot's, and add a changeset.
 *
 *   pnpm api:report              rebuild the declarations, rewrite the reports of every package
 *   pnpm api:report router cli   only these
 *   pnpm api:report --check      fail, naming the package, where a report differs from the build (CI)
 *
 * Why API Extractor and not generated `expectTypeOf` tests: a report restates each declaration once, in the
 * form a reviewer reads, and names what a public type uses but the package does not export
 * (`ae-forgotten-export`), which is how implementation details leak into the public types.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';
import { publishedPackages, type WorkspacePackage } from '../check-packages/workspace.js';

const root = resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const only = new Set(args.filter((arg) => !arg.startsWith('--')));

// The base compiler options without the source condition, so that `@myagent/*` imports resolve to the
// built declarations a user installs, as they do in the report's own `dist/index.d.ts`.
const {
  customConditions: _source,
  composite: _composite,
  ...compilerOptions
} = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions;

const none = { logLevel: ExtractorLogLevel.None };
// What fails a report: compiler errors and leaked names. Release tags (@public/@beta) and TSDoc
// strictness are Microsoft's conventions, not ours (our JSDoc uses @default and @example freely).
const messages: IConfigFile['messages'] = {
  compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
  extractorMessageReporting: {
    default: { logLevel: ExtractorLogLevel.Warning },
    'ae-missing-release-tag': none,
    'ae-unresolved-link': none,
    'ae-undocumented': none,
    // A public type that names one the package does not export: an implementation detail leaking out.
    'ae-forgotten-export': { logLevel: ExtractorLogLevel.Error },
  },
  tsdocMessageReporting: { default: none },
};

const packages = publishedPackages(root).filter(
  (pkg) => only.size === 0 || only.has(pkg.relDir.split('/')[1] ?? '') || only.has(pkg.name),
);
if (only.size > 0 && packages.length !== only.size) {
  console.error(`api:report: unknown package among ${[...only].join(', ')}`);
  process.exit(2);
}

// A full build first, never an incremental one: tsc prints an inferred union in the order its checker
// created the member types, and an incremental build checks fewer files than a fresh clone's build does, so
// only a full build writes the declarations CI reads.
execFileSync('pnpm', ['exec', 'tsc', '-b', '--force'], { cwd: root, stdio: 'inherit' });

const failed: string[] = [];
for (const pkg of packages) {
  const built = join(pkg.dir, 'dist/index.d.ts');
  if (!existsSync(built)) {
    console.error(`${pkg.relDir}: no dist/index.d.ts after the build`);
    failed.push(pkg.name);
    continue;
  }
  const entry = reportEntry(built);
  try {
    report(pkg, entry);
  } finally {
    if (entry !== built) rmSync(entry);
  }
}
if (failed.length > 0) process.exit(1);
console.log(`api:report: ${packages.length} packages ${check ? 'match their reports' : 'reported'}`);

/**
 * API Extractor cannot analyse `export * as v from 'valibot'` (a namespace of another package; rushstack
 * #2412), which @myagent/agent has so that tools declare parameters without installing valibot. The report
 * reads a copy of the entry where such a line is a const of the namespace's type, which is what a user
 * sees of it; other entries are read as built.
 */
function reportEntry(built: string): string {
  const text = readFileSync(built, 'utf8');
  const namespaceExport = /^export \* as (\w+) from '([^.][^']*)';$/gmu;
  if (!namespaceExport.test(text)) return built;
  const copy = join(built, '../index.api-report.d.ts');
  writeFileSync(copy, text.replace(namespaceExport, "export declare const $1: typeof import('$2');"));
  return copy;
}

function report(pkg: WorkspacePackage, entry: string): void {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: pkg.dir,
      mainEntryPointFilePath: entry,
      compiler: { overrideTsconfig: { compilerOptions, files: [entry] } },
      apiReport: {
        enabled: true,
        reportFolder: pkg.dir,
        reportTempFolder: join(pkg.dir, 'node_modules/.api-report'),
        reportFileName: '<unscopedPackageName>',
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages,
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(pkg.dir, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: !check });
  if (!result.succeeded || (check && result.apiReportChanged)) {
    console.error(
      check && result.apiReportChanged
        ? `${pkg.relDir}: its public types differ from ${pkg.relDir}/${pkg.name.split('/')[1]}.api.md; run pnpm api:report, review the diff, add a changeset`
        : `${pkg.relDir}: API Extractor failed (${result.errorCount} errors, ${result.warningCount} warnings)`,
    );
    failed.push(pkg.name);
  }
}
