// `pnpm bench [name...]`: runs every bench/<name>/bench.ts (or the named ones), each in its own process so
// that one benchmark's heap and event loop never colour another's figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'bench.ts')))
  .map((entry) => entry.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

let failed = 0;
for (const name of names) {
  console.log(`\n## bench/${name}\n`);
  const result = spawnSync(
    process.execPath,
    ['--conditions=@myagent/source', '--import', 'tsx', '--expose-gc', join(benchDir, name, 'bench.ts')],
    { stdio: 'inherit', env: process.env },
  );
  if (result.status !== 0) {
    failed++;
    console.error(`bench/${name} failed with exit code ${result.status}`);
  }
}
if (names.length === 0) console.error(`no benchmark matches ${wanted.join(', ')}`);
process.exit(failed > 0 || names.length === 0 ? 1 : 0);
