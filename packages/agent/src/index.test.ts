import { describe, expect, it } from 'vitest';
import * as mod from './index.js';

describe('@myagent/agent public surface', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(mod).sort()).toMatchInlineSnapshot(`
      [
        "DEFAULT_LLM_RETRY",
        "TOOL_CANCELLED_MESSAGE",
        "chunkText",
        "createToolCallAgent",
        "defineAgent",
        "defineTool",
        "finalPartialAnswer",
        "partialAnswer",
        "resolveLlmConfig",
        "runTool",
        "streamAnswer",
        "toolStepId",
        "v",
      ]
    `);
  });
});
