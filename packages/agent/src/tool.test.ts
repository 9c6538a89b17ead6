import { AppError } from '@myagent/models';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { collect, createTestContext } from '../test/context.js';
import { defineTool, runTool, TOOL_CANCELLED_MESSAGE, type ToolParameters, toolStepId } from './tool.js';

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers',
  parameters: v.object({
    a: v.pipe(v.number(), v.description('first')),
    b: v.optional(v.number(), 1),
  }),
  execute: ({ a, b }) => ({ sum: a + b }),
});

async function runAdd(args: unknown, context = createTestContext()) {
  const generator = runTool(add, args, { context, stepId: toolStepId(3, 'add') });
  const events = [];
  let next = await generator.next();
  while (!next.done) {
    events.push(next.value);
    next = await generator.next();
  }
  return { events, outcome: next.value };
}

describe('defineTool', () => {
  it('turns the parameters into JSON Schema of the input type, without $schema', () => {
    expect(add.jsonSchema).toEqual({
      type: 'object',
      properties: { a: { type: 'number', description: 'first' }, b: { type: 'number', default: 1 } },
      required: ['a'],
    });
    expect(add.userConfirm).toBe(false);
  });

  it('refuses a bad name, a non-object schema and a schema JSON Schema cannot express', () => {
    const base = { description: 'x', execute: () => '' };
    expect(() => defineTool({ ...base, name: 'has space', parameters: v.object({}) })).toThrow(AppError);
    expect(() =>
      defineTool({ ...base, name: 'n', parameters: v.string() as unknown as ToolParameters }),
    ).toThrow(/must be an object schema/);
    expect(() =>
      defineTool({
        ...base,
        name: 'n',
        parameters: v.object({ when: v.instance(Date) }),
      }),
    ).toThrow(/cannot be expressed as JSON Schema/);
  });
});

describe('runTool', () => {
  it('yields the call and the result with one step id and returns the outcome', async () => {
    const { events, outcome } = await runAdd({ a: 2 });
    expect(events).toEqual([
      {
        event: 'agent.tool_call',
        step_id: 'step_3_add',
        content: 'Calling tool: add',
        metadata: { tool: 'add', args: { a: 2 }, status: 'running' },
      },
      {
        event: 'agent.tool_result',
        step_id: 'step_3_add',
        content: '{"sum":3}',
        metadata: { tool: 'add', status: 'success', data: { sum: 3 } },
      },
    ]);
    expect(outcome).toEqual({ status: 'success', output: '{"sum":3}', data: { sum: 3 } });
  });

  it('gives invalid arguments a failed result instead of running the tool', async () => {
    const { events, outcome } = await runAdd({ a: 'two' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/^Invalid arguments for tool 'add': a: Invalid type/);
    expect(events[1]?.metadata).toMatchObject({ status: 'failed', error: outcome.error });
    const { outcome: notAnObject } = await runAdd('oops');
    expect(notAnObject.status).toBe('failed');
  });

  it('asks for confirmation and reports a denial as the cancelled message', async () => {
    let ran = 0;
    const guarded = defineTool({
      name: 'delete_all',
      description: 'Deletes everything',
      parameters: v.object({ really: v.boolean() }),
      userConfirm: true,
      execute: () => {
        ran++;
        return 'deleted';
      },
    });
    const denied = createTestContext({ confirm: () => false });
    const events = await collect(
      runTool(guarded, { really: true }, { context: denied, stepId: 'step_1_delete_all' }),
    );
    expect(denied.confirmations).toEqual([
      { tool_name: 'delete_all', tool_description: 'Deletes everything', tool_args: { really: true } },
    ]);
    expect(events[1]).toMatchObject({
      content: `Error: ${TOOL_CANCELLED_MESSAGE}`,
      metadata: { status: 'failed' },
    });
    expect(ran).toBe(0);
    const allowed = createTestContext({ confirm: () => true });
    const ok = await collect(
      runTool(guarded, { really: true }, { context: allowed, stepId: 'step_2_delete_all' }),
    );
    expect(ok[1]).toMatchObject({ content: 'deleted', metadata: { status: 'success' } });
    expect(ran).toBe(1);
  });

  it('turns a throwing tool into a failed result, but stops an aborted run', async () => {
    const boom = defineTool({
      name: 'boom',
      description: 'Throws',
      parameters: v.object({}),
      execute: () => {
        throw new Error('disk on fire');
      },
    });
    const events = await collect(runTool(boom, {}, { context: createTestContext(), stepId: 'step_1_boom' }));
    expect(events[1]).toMatchObject({
      metadata: { status: 'failed', error: "Tool 'boom' failed: disk on fire" },
    });

    const controller = new AbortController();
    const slow = defineTool({
      name: 'slow',
      description: 'Waits for the signal',
      parameters: v.object({}),
      execute: (_args, { signal }) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const context = createTestContext({ signal: controller.signal });
    const run = collect(runTool(slow, {}, { context, stepId: 'step_1_slow' }));
    controller.abort(new Error('cancelled'));
    await expect(run).rejects.toThrow('cancelled');
  });
});
