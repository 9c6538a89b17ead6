import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How to start the `myagent-ws` binary as a child process. */
export interface AgentServerCommand {
  command: string;
  args: string[];
}

/**
 * The node executable and arguments that start `myagent-ws` (append `server <file> --port ...`): the built
 * dist/cli.js when it exists, otherwise the TypeScript source through tsx.
 * @example const { command, args } = agentServerCommand(); spawn(command, [...args, 'server', 'agent.ts']);
 */
export function agentServerCommand(): AgentServerCommand {
  const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  if (existsSync(built)) return { command: process.execPath, args: [built] };
  const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  // An absolute loader URL, so the child finds tsx whatever its working directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { command: process.execPath, args: ['--conditions=@myagent/source', '--import', tsx, source] };
}
