// Traces as a user gets them: the real daemon, the echo agent and a trace-forging agent in real myagent-ws
// children (worker mode), /ws/traces and the HTTP API on the manager's port, and a real OTLP/HTTP receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DaemonProcess, ECHO_AGENT, startDaemon, tempDir, until } from '@myagent/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Json } from './api-helpers.js';

const FORGER = fileURLToPath(new URL('./fixtures/trace-forger.mjs', import.meta.url));
const MAX_TRACES = 6;
const temp = tempDir();
let daemon: DaemonProcess;
let base: string;
let wsBase: string;
let echoId: string;
let forgerId: string;
let otlp: Server;
const exported: Json[] = [];

async function api(path: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${base}/api/v1${path}`);
  return { status: response.status, body: await response.json() };
}

/** A WebSocket client that records every frame. */
async function open(url: string) {
  const ws = new WebSocket(url);
  const frames: Json[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames };
}

/** One turn through the manager's /ws proxy in a session of our naming. */
async function turn(sessionId: string, text: string, service = 'echo-agent'): Promise<void> {
  const { ws, frames } = await open(`${wsBase}/ws?service=${service}`);
  ws.send(JSON.stringify({ event: 'user.create_session', session_id: sessionId }));
  await until(() => frames.some((f) => f.event === 'agent.session_created'), 'the session', 20_000);
  ws.send(JSON.stringify({ event: 'user.message', session_id: sessionId, content: text }));
  await until(() => frames.some((f) => f.event === 'agent.final_answer'), 'the final answer', 20_000);
  ws.close();
}

const types = (frames: Json[]) => frames.map((f) => f.event_type);

beforeAll(async () => {
  otlp = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      exported.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => otlp.listen(0, '127.0.0.1', resolve));
  const receiver = `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`;
  daemon = startDaemon(
    [
      '--db',
      join(temp.dir, 'manager.db'),
      '--port',
      '0',
      '--health-interval',
      '0.5',
      '--max-traces',
      String(MAX_TRACES),
      '--register',
      ECHO_AGENT,
      '--register',
      FORGER,
    ],
    { OTEL_EXPORTER_OTLP_ENDPOINT: receiver },
  );
  base = await daemon.url();
  wsBase = base.replace('http', 'ws');
  const services = await until(
    async () => {
      const { body } = await api('/services');
      const running = body.services?.filter((s: Json) => s.status === 'running') ?? [];
      return running.length === 2 && running;
    },
    'both agents to run',
    60_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n${daemon.output()}`);
  });
  echoId = services.find((s: Json) => s.name === 'echo-agent').service_id;
  forgerId = services.find((s: Json) => s.name === 'trace-forger').service_id;
}, 90_000);

afterAll(async () => {
  expect(await daemon?.stop()).toBe(0);
  await new Promise((resolve) => otlp?.close(resolve));
  temp.cleanup();
});

describe('traces of agent runs', () => {
  it('streams a run with a tool call live on /ws/traces, in order, with durations; the API serves it', async () => {
    expect(daemon.output()).toContain(`traces:  ${wsBase}/ws/traces`);
    const all = await open(`${wsBase}/ws/traces`);
    const mine = await open(`${wsBase}/ws/traces?session_id=s-live&service_id=${echoId}`);
    const other = await open(`${wsBase}/ws/traces?session_id=nobody`);
    await until(() => mine.frames.length > 0, 'connection_established', 5_000);
    expect(mine.frames[0]).toMatchObject({
      event_type: 'connection_established',
      data: { filters: { service_id: echoId, session_id: 's-live' } },
    });
    await turn('s-live', 'trace this');
    await until(() => types(mine.frames).includes('trace_completed'), 'trace_completed live', 20_000);
    const run = mine.frames.slice(1);
    expect(types(run)).toEqual(['trace_started', 'think_completed', 'tool_completed', 'trace_completed']);
    for (const frame of run) {
      expect(frame).toMatchObject({
        session_id: 's-live',
        service_id: echoId,
        message_id: expect.any(String),
      });
      expect(Date.parse(frame.timestamp)).not.toBeNaN();
    }
    expect(run[0].data).toMatchObject({
      trace_name: 'echo_agent_execution',
      request: 'trace this',
      agent_name: 'echo_agent',
    });
    expect(run[1].data.duration_ms).toBeGreaterThanOrEqual(0);
    expect(run[2].data).toMatchObject({ name: 'echo', args: { text: 'trace this' }, status: 'success' });
    expect(run[2].data.duration_ms).toBeGreaterThanOrEqual(0);
    expect(run[3].data).toMatchObject({ status: 'completed', steps: 1, tool_calls: 1 });
    expect(run[3].data.final_answer_chars).toBeGreaterThan(0);
    expect(types(all.frames)).toContain('trace_completed');
    expect(types(other.frames)).toEqual(['connection_established']);
    for (const client of [all, mine, other]) client.ws.close();

    const traceId = run[0].data.trace_id;
    const list = await api('/traces?session_id=s-live');
    expect(list.body).toMatchObject({
      total: 1,
      traces: [
        { trace_id: traceId, service_id: echoId, status: 'completed', tool_calls: 1, request: 'trace this' },
      ],
    });
    expect(
      (await api(`/traces?service_id=echo-agent&status=completed`)).body.traces.map((t: Json) => t.trace_id),
    ).toContain(traceId);
    const detail = await api(`/traces/${traceId}`);
    expect(detail.body.events.map((e: Json) => e.event_type)).toEqual(types(run));
    expect(detail.body.spans.map((s: Json) => [s.kind, s.name])).toEqual([
      ['trace', 'invoke_agent echo_agent'],
      ['think', 'think step 1'],
      ['tool', 'execute_tool echo'],
    ]);
    expect((await api('/traces/no-such-trace')).body.error.code).toBe('NOT_FOUND');
    expect((await api('/traces?status=exploded')).body.error.code).toBe('INVALID_REQUEST');
    // Trace lines are the traces', not the logs'.
    const logs = await api(`/logs/services/${echoId}?limit=1000`);
    expect(logs.body.lines.length).toBeGreaterThan(0);
    expect(logs.body.lines.some((l: Json) => l.message === 'trace')).toBe(false);
  });

  it("runs seed 004's start_agent on /ws/traces/{session_id} and streams that run", async () => {
    const client = await open(`${wsBase}/ws/traces/seed-004-session`);
    client.ws.send(
      JSON.stringify({ action: 'start_agent', question: '显示用户表的10条用户数据', service: 'echo-agent' }),
    );
    await until(() => types(client.frames).includes('trace_completed'), 'the run', 20_000);
    const started = client.frames.find((f) => f.event_type === 'trace_started');
    expect(started).toMatchObject({
      session_id: 'seed-004-session',
      data: { request: '显示用户表的10条用户数据', agent_name: 'echo_agent', trace_id: expect.any(String) },
    });
    expect(types(client.frames)).toEqual(
      expect.arrayContaining([
        'connection_established',
        'status_update',
        'think_completed',
        'tool_completed',
      ]),
    );
    await until(
      () =>
        client.frames.some((f) => f.data?.status === 'final_answer' && f.data.message.includes('显示用户表')),
      'the answer',
      10_000,
    );
    // The same session goes on with the next question; a bad message is answered with a coded error.
    client.ws.send(JSON.stringify({ action: 'start_agent', question: 'second' }));
    await until(
      () => types(client.frames).filter((t) => t === 'trace_completed').length === 2,
      'run 2',
      20_000,
    );
    client.ws.send(JSON.stringify({ action: 'drop_tables' }));
    client.ws.send('not json');
    await until(
      () => client.frames.filter((f) => f.event_type === 'run_error').length === 2,
      'errors',
      5_000,
    );
    expect(client.frames.filter((f) => f.event_type === 'run_error').map((f) => f.data.code)).toEqual([
      'INVALID_REQUEST',
      'INVALID_JSON',
    ]);
    client.ws.close();
    // A client of /ws/traces (no session) cannot start runs.
    const streamOnly = await open(`${wsBase}/ws/traces`);
    streamOnly.ws.send(JSON.stringify({ action: 'start_agent', question: 'x' }));
    await until(() => streamOnly.frames.some((f) => f.event_type === 'run_error'), 'refusal', 5_000);
    streamOnly.ws.close();
  });

  it('refuses the forged and broken trace lines of a hostile agent, and keeps serving', async () => {
    await turn('s-forger', 'forge', 'trace-forger');
    await until(
      async () => (await api(`/traces?session_id=s-forger&status=completed`)).body.total === 1,
      "the forger's real run",
      20_000,
    );
    // Its one well-formed forgery is taken as its own, never as another service's.
    const forged = await until(
      async () => (await api(`/traces?session_id=forged-session`)).body.traces,
      'the forged run',
      10_000,
    );
    expect(forged.map((t: Json) => [t.trace_id, t.service_id, t.status])).toEqual([
      ['forged-own', forgerId, 'running'],
    ]);
    for (const id of ['never-started', 'huge', 'x']) expect((await api(`/traces/${id}`)).status).toBe(404);
    expect((await api('/traces?service_id=someone-else')).body.total).toBe(0);
    // The manager goes on: the echo agent still traces.
    await turn('s-after', 'still fine');
    await until(
      async () => (await api('/traces?session_id=s-after')).body.total === 1,
      'a later run',
      20_000,
    );
  });

  it('keeps at most --max-traces runs', async () => {
    for (let i = 0; i < MAX_TRACES + 2; i++) await turn(`s-keep-${i}`, `run ${i}`);
    await until(
      async () =>
        (await api(`/traces?session_id=s-keep-${MAX_TRACES + 1}&status=completed`)).body.total === 1,
      'the newest run',
      20_000,
    );
    await until(async () => (await api('/traces?limit=100')).body.total <= MAX_TRACES, 'the prune', 20_000);
    expect((await api('/traces?session_id=s-live')).body.total).toBe(0);
  });

  it('exports runs to an OTLP/HTTP receiver with GenAI attributes', async () => {
    const body = await until(
      () =>
        exported.find((e) =>
          e.body.resourceSpans?.some((r: Json) =>
            r.scopeSpans[0].spans.some((s: Json) => s.name === 'execute_tool echo'),
          ),
        ),
      'an export with a tool span',
      20_000,
    );
    expect(body.path).toBe('/v1/traces');
    expect(body.type).toBe('application/json');
    const resource = body.body.resourceSpans.find((r: Json) =>
      r.resource.attributes.some((a: Json) => a.value.stringValue === 'echo_agent'),
    );
    const spans = resource.scopeSpans[0].spans;
    const root = spans.find((s: Json) => s.name === 'invoke_agent echo_agent');
    const tool = spans.find((s: Json) => s.name === 'execute_tool echo');
    expect(root.traceId).toMatch(/^[0-9a-f]{32}$/u);
    expect(tool).toMatchObject({ traceId: root.traceId, parentSpanId: root.spanId, status: { code: 1 } });
    const attr = (span: Json, key: string) => span.attributes.find((a: Json) => a.key === key)?.value;
    expect(attr(root, 'gen_ai.operation.name')).toEqual({ stringValue: 'invoke_agent' });
    expect(attr(tool, 'gen_ai.tool.name')).toEqual({ stringValue: 'echo' });
    expect(BigInt(tool.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(tool.startTimeUnixNano));
  });
});
