#!/usr/bin/env node
// The `myagent-ws` command line: `myagent-ws server <agent-file> [flags]`, and `myagent-ws --check <file>`.
// Every failure to start is one line on stderr and exit code 1; SIGTERM drains and exits 0.
import { readFileSync } from 'node:fs';
import { cac } from 'cac';
import { checkAgentFile } from './check.js';
import { type AgentServerOptions, resolveServerOptions } from './options.js';
import { type AgentServer, startAgentServer } from './server.js';

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  process.stderr.write(
    `myagent-ws: ${typeof code === 'string' ? `${code}: ` : ''}${message.split('\n')[0]}\n`,
  );
  process.exit(1);
}

function watchParent(server: AgentServer, options: AgentServerOptions, stop: (why: string) => void) {
  const pid = options.parentPid;
  if (pid) {
    const timer = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
          clearInterval(timer);
          stop(`parent process ${pid} is gone`);
        }
      }
    }, 500);
    timer.unref();
  }
  // Spawned with an IPC channel: 'disconnect' fires at once when the parent dies.
  if (process.connected) process.once('disconnect', () => stop('parent disconnected'));
  void server;
}

async function serve(agentFile: string, flags: Record<string, unknown>) {
  let options: AgentServerOptions;
  let server: AgentServer;
  try {
    options = resolveServerOptions(agentFile, flags);
    // Read once: the agent's own code (and its worker threads) need not see the shared secret.
    delete process.env.MYAGENT_STATE_SECRET;
    server = await startAgentServer(options);
  } catch (error) {
    fail(error);
  }
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'shutting down', reason: why })}\n`,
    );
    server.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`myagent-ws: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  watchParent(server, options, stop);
}

/**
 * `--max-sessions -1` as `--max-sessions=-1`: cac would read `-1` as a flag of its own and answer "Unknown
 * option", where the value check can say what is wrong with it.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (/^--[a-z][\w-]*$/u.test(arg) && next !== undefined && /^-\d/u.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

const cli = cac('myagent-ws');
cli
  .command(
    'server <agent-file>',
    'Serve an agent module (.ts, .js, .mjs) over the MyAgent WebSocket protocol',
  )
  .option('--host <host>', 'Interface to bind (default 127.0.0.1)')
  .option('--port <port>', 'Port (default 8081; 0 picks one)')
  .option('--debug', 'Debug log lines')
  .option('--workers <n>', 'Worker threads for agent runs')
  .option(
    '--in-process',
    'Run agents in the server thread, without the worker pool. The price: an agent stuck in a synchronous loop freezes the whole server (no /health, SIGTERM ignored); under the manager its health checks fail and it is killed (SIGKILL after the stop grace) and restarted',
  )
  .option('--max-sessions <n>', 'Sessions at once (0 = unlimited)')
  .option('--session-timeout <s>', 'Idle sessions expire after this many seconds')
  .option('--heartbeat-interval <s>', 'Heartbeat and ping period in seconds (0 = off)')
  .option('--run-timeout <s>', 'A run past this many seconds ends with agent.timeout')
  .option('--max-message-bytes <b>', 'Frame size limit (default 1 MiB)')
  .option('--worker-memory-mb <mb>', 'Heap limit per worker')
  .option('--runs-per-worker <n>', 'Runs a worker takes at once (default 1: full isolation)')
  .option('--state-secret <secret>', 'HMAC secret of exported session states (or MYAGENT_STATE_SECRET)')
  .option('--greeting', 'Send system.connected on connect')
  .option('--traces <bool>', 'Print trace events of runs as JSON log lines (default true)')
  .option('--drain-timeout <s>', 'How long SIGTERM lets running turns finish (default 10)')
  .option('--parent-pid <pid>', 'Drain and exit when this process is gone')
  .option('--handshake-timeout <s>', 'Seconds a new connection has to send its request (default 10; 0 = off)')
  .option('--max-pending-handshakes <n>', 'Connections waiting for their request at once (default 512)')
  .option('--max-connections-per-ip <n>', 'Open connections per client address (default 0 = unlimited)')
  .option(
    '--max-event-bytes <b>',
    'Bytes of one outbound event; an agent event over it is an agent.error (default 8 MiB)',
  )
  .option('--replay-buffer-size <n>', 'Events kept per connection for replay (default 1000)')
  .option('--replay-buffer-bytes <b>', 'Bytes of the events kept per connection for replay (default 4 MiB)')
  .option(
    '--retired-sessions <n>',
    'Sessions of closed connections whose events are kept for a reconnect (default 10000)',
  )
  .option('--retired-bytes <b>', 'Bytes of those kept events, over all sessions (default 64 MiB)')
  .option('--max-history-messages <n>', 'Messages kept in the history of a session (default 1000)')
  .option('--max-history-bytes <b>', 'Bytes of the history of a session (default 4 MiB)')
  .option('--max-state-bytes <b>', 'Bytes of the agent data of a session (default 1 MiB)')
  .option('--max-pending-runs <n>', 'Runs waiting for a worker (default 10000)')
  .option('--max-pending-bytes <b>', 'Bytes of the messages waiting for a worker (default 64 MiB)')
  .option(
    '--max-buffered-bytes <b>',
    'Outbound bytes queued per socket before a peer that stopped reading is dropped (default 16 MiB)',
  )
  .option('--max-sessions-per-connection <n>', 'Sessions one connection may hold (default 1000)')
  .action((agentFile: string, flags: Record<string, unknown>) => serve(agentFile, flags));
cli.option(
  '--check <agent-file>',
  'Load an agent module as the server would, then exit: 0 and a JSON line, or 1 and the coded reason',
);
cli.help();
// src/cli.ts and dist/cli.js both sit one folder below package.json.
cli.version(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);

try {
  const parsed = cli.parse(joinNegativeValues(process.argv), { run: false });
  if (!cli.matchedCommand && parsed.options.check !== undefined && !parsed.options.help) {
    if (typeof parsed.options.check !== 'string') fail(new Error('--check needs the path of an agent file'));
    const report = await checkAgentFile(parsed.options.check);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    // A module may leave timers or sockets running: the check is over once it is loaded.
    process.exit(0);
  }
  if (!cli.matchedCommand && !parsed.options.help && !parsed.options.version) {
    fail(
      new Error(`unknown command '${parsed.args[0] ?? ''}'; usage: myagent-ws server <agent-file> [options]`),
    );
  }
  await cli.runMatchedCommand();
} catch (error) {
  fail(error);
}
