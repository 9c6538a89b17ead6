import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Consumer, provideExamples, writeJson } from './consumer.js';
import type { Outcome } from './installed.js';
import {
  cleanEnv,
  freePort,
  run,
  type Started,
  start,
  stop,
  waitForOutput,
  waitForPort,
} from './processes.js';
import type { Snippet } from './snippets.js';
import { agentTurn, startFakeLlm } from './turn.js';

// Runs the README snippets in the consumer, each in a folder of its own (an ES module project holding the
// repository's examples/), as the marker of each says (see snippets.ts).

const RUN_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;

/** Where a snippet was written, for the type check and its run. */
export interface Placed {
  snippet: Snippet;
  dir: string;
  file: string;
  /** An agent snippet's copies in the ES module and the CommonJS project. */
  agentFiles: Array<{ project: 'ESM' | 'CommonJS'; dir: string; file: string }>;
}

/** Writes each snippet into a folder of its own (an ES module project with the repository's examples/). */
export function placeSnippets(
  consumer: Consumer,
  snippets: readonly Snippet[],
  workspaceRoot: string,
): Placed[] {
  return snippets.map((snippet, i) => place(consumer, snippet, i, workspaceRoot));
}

/** Runs every snippet as its marker says. */
export async function runSnippets(consumer: Consumer, placed: readonly Placed[], workspaceRoot: string) {
  const outcomes: Outcome[] = [];
  const llm = await startFakeLlm();
  try {
    // No snippet reaches a real LLM: `agent llm` ones get the fake endpoint, the others none at all (so
    // an agent that needs one where the README promises none fails, "No LLM configured").
    const plain = cleanEnv(workspaceRoot);
    const withLlm = { ...plain, OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'check', OPENAI_MODEL: 'check' };
    for (const item of placed) {
      const started = Date.now();
      const problem = await runOne(consumer, item, item.snippet.kind === 'agent llm' ? withLlm : plain);
      const label = `${item.snippet.where} (${item.snippet.kind}, ${Date.now() - started} ms)`;
      outcomes.push({ label, problem });
    }
  } finally {
    await llm.close();
  }
  return outcomes;
}

function place(consumer: Consumer, snippet: Snippet, index: number, workspaceRoot: string): Placed {
  const slug = snippet.where.replace(/[^\w]+/g, '-').replace(/^-|-$/g, '');
  const dir = join(consumer.snippets, `${String(index + 1).padStart(2, '0')}-${slug}`);
  writeJson(join(dir, 'package.json'), { type: 'module' });
  provideExamples(workspaceRoot, dir);
  const ext = snippet.lang === 'ts' ? 'ts' : 'mjs';
  const file = join(dir, `snippet.${ext}`);
  writeFileSync(file, snippet.code);
  // As users serve an agent: from an ES module project, and from an `npm init -y` (CommonJS) one.
  const agentFiles = snippet.kind.startsWith('agent')
    ? (
        [
          ['ESM', consumer.esm],
          ['CommonJS', consumer.cjs],
        ] as const
      ).map(([project, projectDir]) => ({
        project,
        dir: projectDir,
        file: join(projectDir, `${slug}.${ext}`),
      }))
    : [];
  for (const copy of agentFiles) writeFileSync(copy.file, snippet.code);
  return { snippet, dir, file, agentFiles };
}

/** The TypeScript files among the placed snippets (the agents' copies included). */
export function typeScriptFiles(placed: readonly Placed[]): string[] {
  return placed
    .filter((p) => p.snippet.lang === 'ts')
    .flatMap((p) => [p.file, ...p.agentFiles.map((copy) => copy.file)]);
}

/** Runs one snippet as its marker says; the problem, if any. */
async function runOne(consumer: Consumer, item: Placed, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { snippet } = item;
  if (snippet.kind === 'run') {
    const result = await run(...command(consumer, item.file), {
      cwd: item.dir,
      env,
      timeoutMs: RUN_TIMEOUT_MS,
    });
    return result.ok ? undefined : `exit ${result.status}\n${result.output}`;
  }
  if (snippet.kind.startsWith('agent')) {
    const problems: string[] = [];
    for (const { project, dir, file } of item.agentFiles) {
      const served = await serveAgent(consumer, file, dir, env);
      if (served) problems.push(`served from the ${project} project: ${served}`);
    }
    // The manager's path too (the registry's dry load, then myagent-ws), where loading is hardest.
    const cjs = item.agentFiles.find((copy) => copy.project === 'CommonJS');
    const managed = cjs && (await manageAgent(consumer, cjs.file, cjs.dir, env));
    if (managed) problems.push(`registered with the manager daemon in the CommonJS project: ${managed}`);
    return problems.length ? problems.join('\n') : undefined;
  }
  return serveSnippet(consumer, item, env, snippet.kind === 'server agent');
}

function command(consumer: Consumer, file: string): [string, string[]] {
  if (file.endsWith('.ts')) return [join(consumer.root, 'node_modules', '.bin', 'tsx'), [file]];
  return [process.execPath, [file]];
}

/** `myagent-ws server <file> --port 0`, one turn, SIGTERM, exit 0. */
async function serveAgent(consumer: Consumer, file: string, cwd: string, env: NodeJS.ProcessEnv) {
  const myagentWs = join(consumer.root, 'node_modules', '.bin', 'myagent-ws');
  const server = start(myagentWs, ['server', file, '--port', '0', '--workers', '1'], { cwd, env });
  return withServer(server, async () => {
    const listening = await waitForOutput(server, /"msg":"listening".*?"url":"(ws:[^"]+)"/, READY_TIMEOUT_MS);
    if (!listening) return 'it did not start listening';
    await agentTurn(listening[1] as string, 'Ada');
    return undefined;
  });
}

/** `myagent-manager-daemon --register <file>`: the service must reach running; SIGTERM stops it all. */
async function manageAgent(consumer: Consumer, file: string, cwd: string, env: NodeJS.ProcessEnv) {
  const daemon = join(consumer.root, 'node_modules', '.bin', 'myagent-manager-daemon');
  if (!existsSync(daemon)) return undefined;
  const db = file.replace(/\.\w+$/, '.db');
  const manager = start(daemon, ['--db', db, '--port', '0', '--register', file], { cwd, env });
  return withServer(manager, async () => {
    const running = await waitForOutput(manager, /: starting -> running/, 2 * READY_TIMEOUT_MS);
    return running ? undefined : 'the service did not reach running';
  });
}

/** The snippet as a server on a free port (PORT): it accepts connections (and a turn), and SIGTERM ends it. */
async function serveSnippet(consumer: Consumer, item: Placed, env: NodeJS.ProcessEnv, turn: boolean) {
  const port = await freePort();
  const server = start(...command(consumer, item.file), {
    cwd: item.dir,
    env: { ...env, PORT: String(port) },
  });
  return withServer(server, async () => {
    if (!(await waitForPort(port, server, READY_TIMEOUT_MS))) return `nothing listened on PORT=${port}`;
    if (turn) await agentTurn(`ws://127.0.0.1:${port}`, 'Ada');
    return undefined;
  });
}

/** Runs `body` against a started server, then stops it; a problem of either, with the server's output. */
async function withServer(
  server: Started,
  body: () => Promise<string | undefined>,
): Promise<string | undefined> {
  let problem: string | undefined;
  try {
    problem = await body();
  } catch (error) {
    problem = (error as Error).message;
  }
  const { status, graceful } = await stop(server, STOP_GRACE_MS);
  if (!problem && !graceful) problem = `SIGTERM did not end it within ${STOP_GRACE_MS} ms`;
  // 143: the tsx launcher reports its child's SIGTERM as 128 + 15.
  if (!problem && ![0, 143, 'SIGTERM'].includes(status)) problem = `it exited with ${status} on SIGTERM`;
  return problem && `${problem}\n--- its output:\n${server.output()}`;
}
