import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP server on 127.0.0.1 (port 0) that speaks the chat-completions API and answers from a script:
//   const llm = await startFakeOpenAI([{ toolCalls: [{ name: 'echo', arguments: { text: 'hi' } }] }, { content: 'Done.' }]);
//   createToolCallAgent({ name: 'a', llm: { baseUrl: llm.url, apiKey: 'test' }, tools: [echo] });
//   ...; expect(llm.requests[1].body.messages.at(-1).role).toBe('tool'); await llm.close();

/** One scripted answer to one `POST /v1/chat/completions`. */
export type FakeReply =
  /** A text answer, streamed in `chunks` (default: a few word-sized chunks) when the client streams. */
  | { content: string; chunks?: string[]; reasoning?: string; json?: boolean }
  /** Tool calls (arguments as an object or raw text), optionally with text before them. */
  | { toolCalls: Array<{ name: string; arguments: unknown; id?: string }>; content?: string; json?: boolean }
  /** An HTTP error with an OpenAI-shaped error body (and extra headers, e.g. Retry-After). */
  | { status: number; message?: string; headers?: Record<string, string> }
  /** Never answers; with `after`, sends the headers and that text as a first chunk, then stalls. */
  | { hang: true; after?: string }
  /** Sends this body as is (for malformed streams). */
  | { raw: string; contentType?: string };

/** A script: the replies in order, or a function choosing one per request (0-based index). */
export type FakeScript = FakeReply[] | ((request: FakeRequest, index: number) => FakeReply);

/** A request the fake server received. */
export interface FakeRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary fields of the chat request.
  body: any;
  /** True once the client went away before the reply ended (an abort reached the HTTP call). */
  aborted: boolean;
  /** performance.now() when the request arrived. */
  receivedAt: number;
}

/** A running fake endpoint. `url` is the base URL (no `/v1`), as OPENAI_BASE_URL takes it. */
export interface FakeOpenAI {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/** Starts the fake chat-completions server. Past the end of a list script it answers HTTP 500. */
export async function startFakeOpenAI(script: FakeScript): Promise<FakeOpenAI> {
  const requests: FakeRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error.message));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += chunk;
    const record: FakeRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: text === '' ? undefined : JSON.parse(text),
      aborted: false,
      receivedAt: performance.now(),
    };
    const index = requests.length;
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    if (req.method !== 'POST' || record.path !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: `No route ${req.method} ${record.path}` } });
    }
    const reply =
      typeof script === 'function'
        ? script(record, index)
        : (script[index] ?? {
            status: 500,
            message: `fake server: no scripted reply for request ${index + 1}`,
          });
    if ('status' in reply) {
      return sendJson(
        res,
        reply.status,
        { error: { message: reply.message ?? `scripted HTTP ${reply.status}`, type: 'fake_error' } },
        reply.headers,
      );
    }
    if ('hang' in reply) {
      if (reply.after !== undefined) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(sse(chunk({ role: 'assistant', content: reply.after })));
      }
      return; // Left open until the client aborts or close() ends it.
    }
    if ('raw' in reply) {
      res.writeHead(200, { 'content-type': reply.contentType ?? 'text/event-stream' });
      res.end(reply.raw);
      return;
    }
    const streaming = record.body?.stream === true && reply.json !== true;
    const toolCalls =
      'toolCalls' in reply
        ? reply.toolCalls.map((call, i) => ({
            id: call.id ?? `call_fake_${index}_${i}`,
            name: call.name,
            arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
          }))
        : [];
    const content = reply.content ?? '';
    // Token counts as a real server reports them: 10 per message in, one per character out.
    const out = content.length + toolCalls.reduce((sum, call) => sum + call.arguments.length, 0);
    const inTokens = 10 * (record.body?.messages?.length ?? 0);
    const usage = { prompt_tokens: inTokens, completion_tokens: out, total_tokens: inTokens + out };
    if (!streaming) {
      const message: Record<string, unknown> = {
        role: 'assistant',
        content: content === '' ? null : content,
      };
      if (toolCalls.length > 0) {
        message.tool_calls = toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      return sendJson(res, 200, {
        id: `chatcmpl-fake-${index}`,
        object: 'chat.completion',
        model: record.body?.model,
        choices: [{ index: 0, message, finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop' }],
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if ('reasoning' in reply && reply.reasoning)
      res.write(sse(chunk({ reasoning_content: reply.reasoning })));
    const pieces = 'chunks' in reply && reply.chunks ? reply.chunks : (content.match(/\S+\s*/gu) ?? []);
    for (const piece of pieces) res.write(sse(chunk({ content: piece })));
    toolCalls.forEach((call, i) => {
      // Split the arguments in two, as real servers stream them in fragments.
      const half = Math.ceil(call.arguments.length / 2);
      const first = { index: i, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
      res.write(sse(chunk({ tool_calls: [first] })));
      res.write(
        sse(chunk({ tool_calls: [{ index: i, function: { arguments: call.arguments.slice(0, half) } }] })),
      );
      res.write(
        sse(chunk({ tool_calls: [{ index: i, function: { arguments: call.arguments.slice(half) } }] })),
      );
    });
    res.write(sse(chunk({}, toolCalls.length > 0 ? 'tool_calls' : 'stop')));
    if (record.body?.stream_options?.include_usage === true) {
      res.write(sse({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', choices: [], usage }));
    }
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function chunk(delta: Record<string, unknown>, finish: string | null = null) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
