import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// The web console: a single-page app built into the manager's dist/console, which the daemon serves at
// `/` (src/console-static.ts). `pnpm build` at the root runs this after tsc.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  // Only what a browser needs; the @myagent/models import is type-only and leaves nothing in the bundle.
  define: { __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false' },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Hashed names under assets/ are what the daemon serves as immutable.
    assetsDir: 'assets',
    reportCompressedSize: false,
    // Its warning that plugins took most of the build says only that the machine was busy.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: {
    // `pnpm --filter @myagent/manager dev:console` against a daemon on :8000.
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/health': 'http://127.0.0.1:8000',
      '/ws': { target: 'ws://127.0.0.1:8000', ws: true },
    },
  },
});
