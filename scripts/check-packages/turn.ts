import { once } from 'node:events';
import { createServer } from 'node:http';
import WebSocket from 'ws';

// What the check says to a served agent: one session, one message, the events until the final answer;
// and the chat-completions endpoint that LLM agents are pointed at (OPENAI_BASE_URL) meanwhile.

/**
 * One turn over the agent protocol at `url`: resolves with the final answer's text, rejects with the
 * error event (or a timeout) otherwise.
 */
export function agentTurn(url: string, text: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const finish = (error: Error | undefined, answer = '') => {
      clearTimeout(timer);
      socket.terminate();
      if (error) reject(error);
      else resolve(answer);
    };
    const timer = setTimeout(
      () => finish(new Error(`no agent.final_answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('open', () => socket.send(JSON.stringify({ event: 'user.create_session' })));
    socket.on('error', (error) => finish(error));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { event: string; session_id?: string; content?: unknown };
      if (message.event === 'agent.session_created') {
        socket.send(JSON.stringify({ event: 'user.message', session_id: message.session_id, content: text }));
      } else if (message.event === 'agent.final_answer') {
        finish(undefined, String(message.content));
      } else if (message.event === 'agent.error' || message.event === 'system.error') {
        finish(new Error(`${message.event}: ${JSON.stringify(message.content)}`));
      }
    });
  });
}

/** The text every answer of the fake LLM carries. */
export const FAKE_LLM_ANSWER = 'Hello from the package check.';

/**
 * A chat-completions endpoint on 127.0.0.1 (port 0) that answers every request with one plain JSON reply
 * (the tool-calling agent reads a non-streamed answer as one delta).
 */
export async function startFakeLlm(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const body = {
        id: 'chatcmpl-check',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: 'check',
        choices: [
          { index: 0, message: { role: 'assistant', content: FAKE_LLM_ANSWER }, finish_reason: 'stop' },
        ],
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
