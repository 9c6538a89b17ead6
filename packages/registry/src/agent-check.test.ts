import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentServerCommand } from '@myagent/agent-server';
import { tempDir } from '@myagent/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../test/helpers.js';
import { checkAgentModule } from './agent-check.js';

const temp = tempDir('myagent-registry-');
afterAll(() => temp.cleanup());
const command = agentServerCommand();
const check = (path: string, timeoutMs?: number) =>
  checkAgentModule(path, { command, ...(timeoutMs && { timeoutMs }) });

function write(name: string, text: string): string {
  const file = join(temp.dir, name);
  writeFileSync(file, text);
  return file;
}

describe("checkAgentModule (the agent server's own --check, in a child process)", () => {
  it('accepts a default-export agent and reports its name', async () => {
    expect(await check(fixture('echo-agent.mjs'))).toEqual({
      path: fixture('echo-agent.mjs'),
      export: 'default',
      agent_name: 'fixture-echo',
    });
  });

  it('loads a TypeScript module with a createAgent factory, and learns the name by calling it', async () => {
    const result = await check(fixture('factory-agent.ts'));
    expect(result.export).toBe('createAgent');
    expect(result.agent_name).toEqual(expect.any(String));
  });

  it('finds the default export of a .ts file in a CommonJS project (tsx runs it as CommonJS there)', async () => {
    expect(await check(fixture('commonjs/default-agent.ts'))).toMatchObject({
      export: 'default',
      agent_name: 'cjs-default',
    });
  });

  it('accepts CommonJS agents: module.exports = { agent } in every spelling, and exports.createAgent', async () => {
    const spellings = {
      'shorthand.cjs': "const agent = { name: 'cjs-a', run() {} };\nmodule.exports = { agent };\n",
      'literal.cjs': "module.exports = { agent: { name: 'cjs-b', run() {} } };\n",
      'built.cjs': "const out = {};\nout.agent = { name: 'cjs-c', run() {} };\nmodule.exports = out;\n",
      'factory.cjs': "exports.createAgent = () => ({ name: 'cjs-d', run() {} });\n",
      'whole.cjs': "module.exports = { name: 'cjs-e', run() {} };\n",
    };
    for (const [name, text] of Object.entries(spellings)) {
      const result = await check(write(name, text));
      expect(result.agent_name).toMatch(/^cjs-[a-e]$/u);
    }
  });

  it('refuses a default-exported plain function, which the server could not start', async () => {
    const file = write('plain.mjs', 'export default function (input) {\n  return "hi " + input;\n}\n');
    await expect(check(file)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('The default export did not return an agent'),
      details: expect.objectContaining({ agent_error_code: 'AGENT_ERROR' }),
    });
  });

  it('refuses a missing file', async () => {
    await expect(check(join(temp.dir, 'nope.mjs'))).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('file not found'),
    });
  });

  it('refuses a syntax error with a one-line reason naming file:line:column', async () => {
    const file = write(
      'broken.ts',
      'export const agent = {\n  name: "broken",\n  run() { return 1 +; },\n};\n',
    );
    const error = await check(file).catch((thrown: Error) => thrown);
    expect(error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: `Agent file '${file}': Syntax error in agent file ${file}:3:20: Unexpected ";"`,
    });
  });

  it('refuses a module that exports no agent', async () => {
    await expect(check(fixture('no-agent.mjs'))).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('exports no agent'),
    });
  });

  it('refuses a module that throws while loading, and one that never finishes loading', async () => {
    const throwing = write('throws.mjs', 'throw new Error("no API key");\n');
    await expect(check(throwing)).rejects.toMatchObject({
      message: expect.stringContaining('no API key'),
    });
    const hanging = write('hangs.mjs', 'await new Promise(() => setInterval(() => {}, 1000));\n');
    await expect(check(hanging, 1_500)).rejects.toMatchObject({
      message: expect.stringContaining('longer than 1.5 s'),
    });
  });
});
