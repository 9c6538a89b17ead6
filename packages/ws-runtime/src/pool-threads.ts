import { fileURLToPath } from 'node:url';
import { AppError } from '@myagent/models';

// How the pool's threads are started and how their deaths read: the task module to load, the flags a worker
// inherits from this process, and the coded error of a worker that failed.

/**
 * The pool's task module: from source (vitest, tsx) a small .mjs that loads worker.ts through tsx (Node 20
 * workers do not run --import hooks for a .ts entry); built, dist/worker.js.
 */
export function workerEntry(): string {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return fileURLToPath(new URL('./worker-loader.mjs', here));
  return fileURLToPath(new URL('./worker.js', here));
}

// Options a worker accepts from the parent's command line (process-wide ones such as --expose-gc or
// --max-old-space-size are refused by Worker with ERR_WORKER_INVALID_EXEC_ARGV).
const WORKER_FLAGS =
  /^(--conditions|-C|--import|--require|-r|--loader|--experimental-loader|--no-warnings|--enable-source-maps)$/;

// Workers resolve our packages the way this process does: from source when it runs from source.
export function workerExecArgv(): string[] {
  const argv: string[] = [];
  const parent = process.execArgv;
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i] as string;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!WORKER_FLAGS.test(flag)) continue;
    const takesValue = !/^--(no-warnings|enable-source-maps)$/.test(flag);
    if (inline !== undefined || !takesValue) argv.push(arg);
    else if (i + 1 < parent.length) argv.push(arg, parent[++i] as string);
  }
  if (import.meta.url.endsWith('.ts') && !argv.some((arg) => arg.includes('@myagent/source'))) {
    argv.push('--conditions=@myagent/source');
  }
  return argv;
}

/** The coded error of a worker that died: out of memory is named as such. */
export function workerFailure(error: unknown): AppError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new AppError('AGENT_ERROR', 'The run exhausted its worker memory limit; the worker was replaced', {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('AGENT_ERROR', `The run's worker failed: ${message}`, { cause: error });
}
