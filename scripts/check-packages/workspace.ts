import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A published (not `private`) package of the workspace. */
export interface WorkspacePackage {
  name: string;
  version: string;
  /** Absolute folder. */
  dir: string;
  /** Folder relative to the workspace root, e.g. `packages/router` (repository.directory). */
  relDir: string;
  manifest: Manifest;
}

/** The package.json fields the check reads. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  sideEffects?: boolean;
  license?: string;
  engines?: Record<string, string>;
  exports?: Record<string, unknown>;
  files?: string[];
  scripts?: Record<string, string>;
  bin?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: string | { url?: string };
  publishConfig?: { access?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/**
 * Every package of the workspace that is published, as pnpm lists them (so packages added later, and
 * other globs in pnpm-workspace.yaml, are covered without a list here).
 */
export function publishedPackages(root: string): WorkspacePackage[] {
  const listed = JSON.parse(
    execFileSync('pnpm', ['-r', 'ls', '--depth', '-1', '--json'], { cwd: root, encoding: 'utf8' }),
  ) as Array<{ name: string; path: string; private?: boolean }>;
  return listed
    .filter((entry) => entry.path !== root && !entry.private)
    .map((entry) => {
      const manifest = readManifest(entry.path);
      return {
        name: manifest.name,
        version: manifest.version,
        dir: entry.path,
        relDir: relative(root, entry.path),
        manifest,
      };
    })
    .sort((a, b) => a.relDir.localeCompare(b.relDir));
}

/** The installed version of a dependency of the workspace root (to install the same one elsewhere). */
export function installedVersion(root: string, name: string): string {
  const file = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(file)) throw new Error(`${name} is not installed in the workspace: run pnpm install`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
