// Shared by the API suites: a real manager on a temp SQLite file, its HTTP app in process, and a reader of
// Server-Sent Events.
import { join } from 'node:path';
import { tempDir, until } from '@myagent/test-support';
import type { Hono } from 'hono';
import { AgentManager, type AgentManagerOptions, createManagerApp } from '../src/index.js';

/** Parsed JSON that each test reads as it expects it to be. */
// biome-ignore lint/suspicious/noExplicitAny: the tests assert the shape instead
export type Json = any;

/** A started manager on a fresh database, with quick health checks and manual metric samples. */
export async function startManager(options: AgentManagerOptions = {}, dir = tempDir()) {
  const manager = new AgentManager({
    dbPath: join(dir.dir, 'manager.db'),
    serverArgs: ['--in-process'],
    stopGraceMs: 2000,
    healthThresholds: { rise: 1, fall: 2 },
    metrics: { intervalMs: 0 },
    ...options,
  });
  await manager.start({ healthCheckInterval: 0.5 });
  return { manager, dir };
}

/** The manager's app as the daemon serves it, called in process. */
export function appOf(manager: AgentManager, options: Parameters<typeof createManagerApp>[1] = {}) {
  return createManagerApp(manager, options);
}

/** A JSON call on an app: status and parsed body. */
export async function call(
  app: Hono<never> | { request: Hono['request'] },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await app.request(path, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (the docs page, metrics): the text as is.
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Reads SSE events from a response body until `done` says stop, the stream ends, or the deadline passes. */
export async function readEvents(
  response: Response,
  done: (events: { event: string; data: Json }[]) => boolean,
  timeoutMs = 15_000,
): Promise<{ event: string; data: Json }[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: Json }[] = [];
  let ended = false;
  let failure: unknown;
  // Reads in the background while `until` watches what it parsed; the cancel below ends it.
  const reading = (async () => {
    let buffer = '';
    while (!done(events)) {
      const next = await reader.read();
      if (next.done) break;
      buffer += decoder.decode(next.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/mu.exec(block)?.[1];
        const data = /^data: (.*)$/mu.exec(block)?.[1];
        if (event && data !== undefined) events.push({ event, data: JSON.parse(data) });
        end = buffer.indexOf('\n\n');
      }
    }
  })()
    .catch((error: unknown) => {
      failure = error;
    })
    .finally(() => {
      ended = true;
    });
  try {
    await until(() => ended || done(events), 'the events', timeoutMs).catch(() => {
      throw new Error(`timed out; events so far: ${events.map((e) => e.event).join(', ')}`);
    });
    if (failure) throw failure;
    return events;
  } finally {
    await reader.cancel().catch(() => {});
    await reading;
  }
}
