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
          test: {
            name: entry.name,
            root: join(group, entry.name),
            // The type half of the locked export surface (`src/index.test-d.ts`): tsc over the type tests
            // and what they import only, per package, so it stays a few seconds.
            typecheck: {
              enabled: true,
              include: ['src/**/*.test-d.ts'],
              tsconfig: 'tsconfig.test-d.json',
            },
          },
        }))
    : [],
);

export default projects;
