import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How to start the `myagent-ws` binary as a child process. */
export interface AgentServerCommand {
  command: string;
  args: string[];
}

/**
 * The node executable and arguments that start `myagent-ws` (append `server <file> --port ...`). Installed
 * users get the built dist/cli.js. In this repository the TypeScript source runs through tsx instead when
 * the caller runs from source (it resolved this package through the `@myagent/source` condition: tests,
 * tsx, `pnpm bench`), when there is no build, or when a source file is newer than the build, so that an
 * edit is never tested against a stale dist.
 * @example const { command, args } = agentServerCommand(); spawn(command, [...args, 'server', 'agent.ts']);
 */
export function agentServerCommand(): AgentServerCommand {
  const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const sources = fileURLToPath(new URL('../src/', import.meta.url));
  // This very module is src/command.ts exactly when the caller resolved the source condition.
  const fromSource = import.meta.url.endsWith('.ts');
  if (chooseEntry({ fromSource, built, sources }) === 'dist') {
    return { command: process.execPath, args: [built] };
  }
  // An absolute loader URL, so the child finds tsx whatever its working directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const cli = join(sources, 'cli.ts');
  return { command: process.execPath, args: ['--conditions=@myagent/source', '--import', tsx, cli] };
}

/**
 * Which entry point to run: the build, unless the caller runs from source, there is no build, or a source
 * file (tests aside) changed after the last build. The newest file of dist tells when that was: `tsc -b`
 * re-emits only the files that changed, but always rewrites or touches dist/.tsbuildinfo. Published
 * packages ship `src` (for their source maps) but no tsconfig.json, so they always get the build.
 */
export function chooseEntry(options: {
  fromSource: boolean;
  built: string;
  sources: string;
}): 'dist' | 'source' {
  if (options.fromSource || !existsSync(options.built)) return 'source';
  if (!existsSync(join(options.sources, '..', 'tsconfig.json'))) return 'dist';
  const builtAt = newestMtime(dirname(options.built), () => true);
  const editedAt = newestMtime(options.sources, (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  return editedAt > builtAt ? 'source' : 'dist';
}

function newestMtime(dir: string, include: (name: string) => boolean): number {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    // A file a concurrent build just replaced may be gone.
    const mtime = include(name) ? statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs : undefined;
    newest = Math.max(newest, mtime ?? 0);
  }
  return newest;
}
