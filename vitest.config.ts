import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.js';

// vitest 4 no longer reads vitest.workspace.ts on its own: its list of projects is imported here.
// Vite's own server conditions plus ours. Not `import`: vitest hands these to Node as --conditions, and
// `import` there would make CommonJS require() pick packages' ESM entries (pg's pg-pool, for one).
const conditions = ['@myagent/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@myagent/source'] } },
  test: {
    projects,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
