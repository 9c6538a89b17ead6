import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseEntry } from './command.js';
import { agentServerCommand } from './index.js';

describe('agentServerCommand', () => {
  it('runs the source through tsx for a caller that runs from source, as these tests do', () => {
    const { command, args } = agentServerCommand();
    expect(command).toBe(process.execPath);
    expect(args.slice(0, 2)).toEqual(['--conditions=@myagent/source', '--import']);
    expect(args[2]).toMatch(/^file:\/\/.*tsx/);
    const entry = args.at(-1) as string;
    expect(entry).toMatch(/apps\/agent-server\/src\/cli\.ts$/);
    expect(existsSync(entry)).toBe(true);
  });
});

describe('chooseEntry', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** A package dir with files at the given mtimes (seconds since the epoch). */
  function layout(files: Record<string, number>) {
    const root = mkdtempSync(join(tmpdir(), 'agent-server-entry-'));
    roots.push(root);
    for (const [name, mtime] of Object.entries(files)) {
      const path = join(root, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, '');
      utimesSync(path, mtime, mtime);
    }
    return { built: join(root, 'dist/cli.js'), sources: join(root, 'src') };
  }

  it('keeps the build while no source changed after it', () => {
    // An incremental build rewrote only server.js and the build info, not cli.js.
    const paths = layout({
      'dist/cli.js': 100,
      'dist/server.js': 300,
      'dist/.tsbuildinfo': 300,
      'tsconfig.json': 10,
      'src/cli.ts': 50,
      'src/server.ts': 200,
      'src/server.test.ts': 400,
    });
    expect(chooseEntry({ fromSource: false, ...paths })).toBe('dist');
    expect(chooseEntry({ fromSource: true, ...paths })).toBe('source');
  });

  it('runs the source once a source file is newer than the last build', () => {
    const paths = layout({
      'dist/cli.js': 100,
      'dist/.tsbuildinfo': 300,
      'tsconfig.json': 10,
      'src/internal/server.ts': 301,
    });
    expect(chooseEntry({ fromSource: false, ...paths })).toBe('source');
  });

  it('runs the build of a published package, and the source where there is no build', () => {
    // Published: src ships for the source maps, tsconfig.json does not; its mtimes mean nothing.
    expect(chooseEntry({ fromSource: false, ...layout({ 'dist/cli.js': 100 }) })).toBe('dist');
    expect(chooseEntry({ fromSource: false, ...layout({ 'dist/cli.js': 100, 'src/cli.ts': 200 }) })).toBe(
      'dist',
    );
    expect(chooseEntry({ fromSource: false, ...layout({ 'src/cli.ts': 100 }) })).toBe('source');
  });
});
