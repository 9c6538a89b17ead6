import { runCLI } from './cli.js';

// The binary: the process's streams and environment, Ctrl+C as an abort (long commands end cleanly).
const controller = new AbortController();
let interrupted = false;
const onSignal = () => {
  // A second Ctrl+C leaves at once, unless someone else (the daemon's orderly stop) listens for it too.
  if (interrupted && process.listenerCount('SIGINT') === 1) process.exit(130);
  interrupted = true;
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCLI(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  },
  { signal: controller.signal },
).then(
  (code) => {
    process.exitCode = code;
    // Streams (a follow, the event stream) may hold the loop open after an abort: leave once output is out.
    process.stdout.write('', () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(
      `myagent-manager: INTERNAL_ERROR: ${String((error as Error)?.message ?? error).split('\n')[0]}\n`,
    );
    process.exit(1);
  },
);
