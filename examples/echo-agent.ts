// An agent that needs no LLM: it shows every event of a turn (thinking, a tool call and its result,
// streamed partial answers, the final answer). A message starting with "reverse " uses the `reverse` tool,
// which asks the user to confirm first (agent.user_confirm); any other message uses `echo`.
// Serve it with: pnpm exec myagent-ws server examples/echo-agent.ts --port 8081
import type { Agent } from '@myagent/agent';
import { chunkText, defineAgent, defineTool, runTool, streamAnswer, toolStepId, v } from '@myagent/agent';

const echo = defineTool({
  name: 'echo',
  description: 'Returns the text it is given',
  parameters: v.object({ text: v.pipe(v.string(), v.description('The text to echo')) }),
  execute: ({ text }) => text,
});

// What a session keeps: its last 20 messages, each cut to 2 KiB (the echo never reads them back; they show
// what a history looks like in an exported state). The runtime bounds every session's history as well.
const MAX_HISTORY = 20;
const MAX_KEPT_CHARS = 2048;
const kept = (text: string) =>
  text.length > MAX_KEPT_CHARS ? `${text.slice(0, MAX_KEPT_CHARS)}... (${text.length} characters)` : text;

const reverse = defineTool({
  name: 'reverse',
  description: 'Returns the text reversed, character by character',
  parameters: v.object({ text: v.pipe(v.string(), v.description('The text to reverse')) }),
  userConfirm: true,
  execute: ({ text }) => Array.from(text).reverse().join(''),
});

/** A fresh echo agent (one per session; it keeps its history in the session's state). */
export function createAgent(): Agent {
  return defineAgent({
    name: 'echo_agent',
    description: 'Echoes every message through a tool and streams the answer; needs no LLM',
    async *run(input, context) {
      const { state } = context;
      state.messages.push({ role: 'user', content: kept(input) });
      const turns = ((state.data.turns as number | undefined) ?? 0) + 1;
      state.data.turns = turns;
      const step = ++state.current_step;
      const wantsReverse = input.startsWith('reverse ');
      const tool = wantsReverse ? reverse : echo;
      const text = wantsReverse ? input.slice('reverse '.length) : input;
      yield {
        event: 'agent.thinking',
        content: `Using the ${tool.name} tool on your message`,
        metadata: { step },
      };
      const outcome = yield* runTool(tool, { text }, { context, stepId: toolStepId(step, tool.name) });
      const answer =
        outcome.status === 'success'
          ? `${wantsReverse ? 'Reversed' : 'Echo'}: ${outcome.output}`
          : `The ${tool.name} tool failed: ${outcome.error}`;
      const final = yield* streamAnswer(chunkText(`${answer} (message ${turns} of this session)`));
      state.messages.push({ role: 'assistant', content: kept(final) });
      if (state.messages.length > MAX_HISTORY) state.messages.splice(0, state.messages.length - MAX_HISTORY);
    },
  });
}

/** The echo agent, for loaders that take a module's default export. */
const agent: Agent = createAgent();
export default agent;
