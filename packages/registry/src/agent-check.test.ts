import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../test/helpers.js';
import { checkAgentModule } from './agent-check.js';

const temp = tempDir();
afterAll(() => temp.remove());

describe('checkAgentModule (a dry load in a child process)', () => {
  it('accepts a default-export agent and reports its name', async () => {
    const result = await checkAgentModule(fixture('echo-agent.mjs'));
    expect(result).toEqual({
      path: fixture('echo-agent.mjs'),
      export: 'default',
      agent_name: 'fixture-echo',
    });
  });

  it('loads a TypeScript module with a createAgent factory', async () => {
    const result = await checkAgentModule(fixture('factory-agent.ts'));
    expect(result.export).toBe('createAgent');
  });

  it('finds the default export of a .ts file in a CommonJS project (tsx runs it as CommonJS there)', async () => {
    const result = await checkAgentModule(fixture('commonjs/default-agent.ts'));
    expect(result).toMatchObject({ export: 'default', agent_name: 'cjs-default' });
  });

  it('refuses a missing file', async () => {
    await expect(checkAgentModule(join(temp.dir, 'nope.mjs'))).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('file not found'),
    });
  });

  it('refuses a syntax error with a one-line reason', async () => {
    const file = join(temp.dir, 'broken.mjs');
    writeFileSync(file, 'export default {\n  name: "broken",\n');
    const error = await checkAgentModule(file).catch((thrown: Error) => thrown);
    expect(error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('cannot load the module'),
    });
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses a module that exports no agent', async () => {
    await expect(checkAgentModule(fixture('no-agent.mjs'))).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('exports no agent'),
    });
  });

  it('refuses a module that throws while loading, and one that never finishes loading', async () => {
    const throwing = join(temp.dir, 'throws.mjs');
    writeFileSync(throwing, 'throw new Error("no API key");\n');
    await expect(checkAgentModule(throwing)).rejects.toMatchObject({
      message: expect.stringContaining('no API key'),
    });
    const hanging = join(temp.dir, 'hangs.mjs');
    writeFileSync(hanging, 'await new Promise(() => setInterval(() => {}, 1000));\n');
    await expect(checkAgentModule(hanging, { timeoutMs: 1_500 })).rejects.toMatchObject({
      message: expect.stringContaining('longer than 1.5 s'),
    });
  });
});
