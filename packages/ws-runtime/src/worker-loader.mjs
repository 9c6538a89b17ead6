// Tinypool entry when the runtime runs from its TypeScript source: Node 20 cannot start a `.ts` worker
// entry, so this plain module loads worker.ts through tsx and re-exports its task handler. The built package
// uses dist/worker.js.
import { tsImport } from 'tsx/esm/api';

const worker = await tsImport('./worker.ts', import.meta.url);

/** The pool's long-lived task: see serve() in worker.ts. */
export const serve = worker.serve;
