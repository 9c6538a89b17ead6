import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_AGENT_MODULE, TEST_AGENT } from '@myagent/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentModule, resolveAgent } from './index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
const temp = mkdtempSync(join(tmpdir(), 'ws-runtime-loader-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('loadAgentModule', () => {
  it('loads a .ts createAgent() factory: a fresh agent per session', async () => {
    const loaded = await loadAgentModule(TEST_AGENT);
    expect(loaded.name).toBe('fixture');
    const a = await loaded.create();
    const b = await loaded.create();
    expect(a).not.toBe(b);
  });

  it('loads a .js default export and a .mjs agent export (shared agents)', async () => {
    const byDefault = await loadAgentModule(fixture('default-agent.js'));
    expect(byDefault.name).toBe('default-js');
    const named = await loadAgentModule(fixture('shared-agent.mjs'));
    expect(named.name).toBe('shared-js');
    expect(await named.create()).toBe(await named.create());
  });

  it('loads the default export of a .ts file in a CommonJS project (tsx runs it as CommonJS there)', async () => {
    const loaded = await loadAgentModule(fixture('commonjs/default-agent.ts'));
    expect(loaded.name).toBe('cjs-default');
  });

  it('loads CommonJS agents (module.exports = { agent }), which node lists only as a default export', async () => {
    const literal = join(temp, 'literal.cjs');
    writeFileSync(literal, "module.exports = { agent: { name: 'cjs-literal', run() {} } };\n");
    expect(await loadAgentModule(literal)).toMatchObject({ name: 'cjs-literal', export: 'agent' });
    const factory = join(temp, 'factory.cjs');
    writeFileSync(
      factory,
      "const out = {};\nout.createAgent = () => ({ name: 'cjs-made', run() {} });\nmodule.exports = out;\n",
    );
    expect(await loadAgentModule(factory)).toMatchObject({ name: 'cjs-made', export: 'createAgent' });
  });

  it('refuses a default-exported plain function: it makes no agent when called', async () => {
    const plain = join(temp, 'plain.mjs');
    writeFileSync(plain, 'export default function (input) {\n  return "hi " + input;\n}\n');
    await expect(loadAgentModule(plain)).rejects.toMatchObject({
      code: 'AGENT_ERROR',
      message: expect.stringContaining('did not return an agent'),
    });
  });

  it('fails with one clear line for a missing file, a module without agent, a syntax error', async () => {
    await expect(loadAgentModule(join(temp, 'missing.ts'))).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^Agent file not found: .*missing\.ts$/),
    });
    await expect(loadAgentModule(NO_AGENT_MODULE)).rejects.toMatchObject({
      code: 'AGENT_ERROR',
      message: expect.stringMatching(/exports no agent/),
    });
    const broken = join(temp, 'broken.ts');
    writeFileSync(broken, 'export const broken = {;\n');
    const error = await loadAgentModule(broken).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'AGENT_ERROR' });
    expect((error as Error).message).toMatch(/broken\.ts/);
    expect((error as Error).message).not.toContain('\n');
    const text = join(temp, 'agent.txt');
    writeFileSync(text, 'hello');
    await expect(loadAgentModule(text)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('refuses a factory that returns no agent', async () => {
    await expect(resolveAgent({ createAgent: () => ({}) as never })).rejects.toMatchObject({
      code: 'AGENT_ERROR',
    });
  });
});
