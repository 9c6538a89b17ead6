import { execa } from 'execa';
import { LineSplitter, Tail } from './log-lines.js';

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be spawned at all. */
  spawnError?: string;
}

/** Options of {@link spawnChild}. */
export interface SpawnChildOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Lines of stderr kept for error messages (default 20). */
  tailSize?: number;
}

/** A running child process of a service. */
export interface Child {
  readonly pid: number | undefined;
  /** Resolves once the process has exited and its output is read (or shortly after exit). */
  readonly exited: Promise<ChildExit>;
  /** True until the process exits. */
  readonly running: boolean;
  readonly stderrTail: Tail;
  kill(signal: NodeJS.Signals): boolean;
}

// After 'exit', the last output may still be in the pipes; wait this long at most for it.
const DRAIN_MS = 300;

/**
 * Spawns a child with an IPC channel (its 'disconnect' tells it when we die, even by SIGKILL) and a clean
 * environment, reading stdout and stderr line by line. Exit is seen through the process's own events.
 */
export function spawnChild(options: SpawnChildOptions): Child {
  const tail = new Tail(options.tailSize ?? 20);
  const subprocess = execa(options.command, options.args, {
    env: options.env,
    extendEnv: false,
    cwd: options.cwd,
    ipc: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    cleanup: true,
    encoding: 'utf8',
  });
  // A spawn that fails at once (a NUL byte in the environment, say) leaves execa's subprocess without a pid,
  // and neither 'error' nor 'exit' ever comes: its result is the only word of it.
  let running = subprocess.pid !== undefined;
  const splitters = {
    stdout: new LineSplitter((line) => options.onLine('stdout', line)),
    stderr: new LineSplitter((line) => {
      tail.push(line);
      options.onLine('stderr', line);
    }),
  };
  subprocess.stdout?.setEncoding('utf8');
  subprocess.stderr?.setEncoding('utf8');
  subprocess.stdout?.on('data', (chunk: string) => splitters.stdout.push(chunk));
  subprocess.stderr?.on('data', (chunk: string) => splitters.stderr.push(chunk));
  // execa's promise settles after the streams end; with reject: false it never rejects, but be safe.
  const done = subprocess.then(
    (result) => result,
    (error: unknown) => ({ originalMessage: String(error) }),
  );
  const exited = new Promise<ChildExit>((resolveExit) => {
    let spawnError: string | undefined;
    const spawnFailed = (message: string) => {
      running = false;
      tail.push(`spawn failed: ${message}`);
      resolveExit({ code: null, signal: null, spawnError: message });
    };
    if (subprocess.pid === undefined) {
      void done.then((result) => {
        const { originalMessage, shortMessage } = result as {
          originalMessage?: string;
          shortMessage?: string;
        };
        spawnFailed(firstLine(originalMessage || shortMessage || 'the process could not be spawned'));
      });
      return;
    }
    subprocess.once('error', (error: Error) => {
      spawnError = error.message;
    });
    subprocess.once('exit', (code, signal) => {
      running = false;
      const timer = setTimeout(finish, DRAIN_MS);
      void done.then(finish);
      function finish() {
        clearTimeout(timer);
        splitters.stdout.end();
        splitters.stderr.end();
        resolveExit({ code, signal, spawnError });
      }
    });
  });
  const pid = subprocess.pid;
  return {
    pid,
    exited,
    get running() {
      return running;
    },
    stderrTail: tail,
    // Only ever our own live child: never a pid we do not have (kill(0) would signal our whole group).
    kill: (signal) => (running && isSignallablePid(pid) ? subprocess.kill(signal) : false),
  };
}

/**
 * True for a pid that may be signalled: a positive integer other than 1 (init) and our own. process.kill
 * with 0 or a negative pid signals a whole process group, ours included.
 */
export function isSignallablePid(pid: unknown): pid is number {
  return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 1 && pid !== process.pid;
}

function firstLine(text: string): string {
  return text.split('\n')[0] as string;
}

const BASE_ENV =
  /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|TMP|TEMP|TERM|SYSTEMROOT|COMSPEC|PATHEXT|WINDIR)$/iu;

/** The variables a child keeps from our environment: PATH, HOME, locale, temp dirs; nothing else leaks. */
export function cleanBaseEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && BASE_ENV.test(key)) env[key] = value;
  }
  return env;
}
