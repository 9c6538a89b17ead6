import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One vitest project per package and app, each inheriting the root config (source condition, timeouts). */
const groups = ['packages', 'apps'];

export const projects = groups.flatMap((group) =>
  existsSync(group)
    ? readdirSync(group, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(join(group, entry.name, 'package.json')))
        .map((entry) => ({
          extends: true as const,
          test: { name: entry.name, root: join(group, entry.name) },
        }))
    : [],
);

export default projects;
