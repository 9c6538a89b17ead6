import { readFileSync } from 'node:fs';

// README snippets: every ```ts / ```js fence of a checked README carries a marker, an HTML comment on the
// line before it (invisible on GitHub), saying how the check runs it:
//   <!-- check: run -->           run to completion (exit 0): ts under tsx, js under plain node
//   <!-- check: agent -->         an agent module: served by the installed `myagent-ws server` from an ES
//                                 module project and a CommonJS one, with one turn over WebSocket each,
//                                 and registered with `myagent-manager-daemon`; no LLM is configured
//   <!-- check: agent llm -->     the same, with OPENAI_BASE_URL set to a fake chat-completions endpoint
//   <!-- check: server -->        a server listening on process.env.PORT: it must accept a connection,
//                                 then SIGTERM must end it
//   <!-- check: server agent -->  the same, and the server speaks the agent protocol: one turn
// TypeScript snippets are also type-checked (strict, nodenext, skipLibCheck false).

/** How a snippet is checked. */
export type SnippetKind = 'run' | 'agent' | 'agent llm' | 'server' | 'server agent';

const KINDS: readonly string[] = ['run', 'agent', 'agent llm', 'server', 'server agent'];
const MARKER = /^<!--\s*check:\s*(.*?)\s*-->$/;
const CODE_LANGS: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'console']);

/** One marked snippet of a README. */
export interface Snippet {
  /** `README.md:42`, for messages. */
  where: string;
  kind: SnippetKind;
  lang: 'ts' | 'js';
  code: string;
}

/** What one README holds: its marked snippets, the packages its install lines name, and its problems. */
export interface ReadmeSnippets {
  snippets: Snippet[];
  installs: Set<string>;
  problems: string[];
}

/** Reads the fences of a README (`label` names it in messages). */
export function readSnippets(file: string, label: string): ReadmeSnippets {
  const lines = readFileSync(file, 'utf8').split('\n');
  const result: ReadmeSnippets = { snippets: [], installs: new Set(), problems: [] };
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i] as string);
    if (!open) continue;
    const lang = (open[1] ?? '').toLowerCase();
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).startsWith('```'); i++) body.push(lines[i] as string);
    const where = `${label}:${start + 1}`;
    if (SHELL_LANGS.has(lang)) {
      for (const name of installedNames(body)) result.installs.add(name);
      continue;
    }
    const codeLang = CODE_LANGS[lang];
    if (!codeLang) continue;
    const marker = MARKER.exec(previousLine(lines, start));
    if (!marker) {
      result.problems.push(`${where}: a ${lang} fence without a <!-- check: ... --> marker`);
      continue;
    }
    const kind = marker[1] as string;
    if (!KINDS.includes(kind)) {
      result.problems.push(`${where}: unknown marker "check: ${kind}" (one of: ${KINDS.join(', ')})`);
      continue;
    }
    result.snippets.push({ where, kind: kind as SnippetKind, lang: codeLang, code: `${body.join('\n')}\n` });
  }
  return result;
}

function previousLine(lines: readonly string[], index: number): string {
  for (let i = index - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    if (line !== '') return line;
  }
  return '';
}

/** The @myagent/* packages that `npm install` / `pnpm add` lines name. */
function installedNames(body: readonly string[]): string[] {
  const names: string[] = [];
  for (const line of body) {
    const command = /\b(?:npm (?:install|i|add)|pnpm add|yarn add)\b(.*)/.exec(line.split('#')[0] as string);
    if (command) names.push(...((command[1] ?? '').match(/@myagent\/[\w.-]+/g) ?? []));
  }
  return names;
}

/**
 * The packages a README's snippets need installed: what they import, and the package of a binary they
 * name (`bins` maps a binary to its package).
 */
export function neededPackages(snippets: readonly Snippet[], bins: ReadonlyMap<string, string>): Set<string> {
  const needed = new Set<string>();
  for (const { code } of snippets) {
    for (const match of code.matchAll(/\bfrom\s+['"](@myagent\/[\w.-]+)['"]/g))
      needed.add(match[1] as string);
    // A binary as a command: `myagent` must not match the scope of `@myagent/...` or `myagent-ws`.
    for (const [bin, pkg] of bins)
      if (new RegExp(`(?<![@\\w/.-])${bin}(?![\\w/.-])`).test(code)) needed.add(pkg);
  }
  return needed;
}
