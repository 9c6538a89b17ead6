import { createRequire } from 'node:module';
import { hexId, type TraceDetailResponse, type TraceSpan } from '@myagent/models';

// OpenTelemetry export of finished runs: OTLP/HTTP with the JSON encoding, spans named and attributed per
// the GenAI semantic conventions (invoke_agent / chat / execute_tool, gen_ai.* attributes), so Jaeger,
// Langfuse or Phoenix show them. Plain fetch rather than the OTel SDK: we already hold complete spans (a
// run is exported once it ended), so the SDK's context propagation, processors and exporters would add
// six packages to do one POST; the JSON encoding is a stable part of the OTLP spec.

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Options of {@link createOtlpExporter}. Times in ms. */
export interface OtlpExporterOptions {
  /**
   * The OTLP/HTTP base URL (`/v1/traces` is appended), as OTEL_EXPORTER_OTLP_ENDPOINT has it; or the full
   * traces URL as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT has it. Default: from those variables.
   */
  endpoint?: string;
  tracesEndpoint?: string;
  /** Extra headers (an API key); default OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`). */
  headers?: Record<string, string>;
  /** Runs sent per request at most. @default 50 */
  maxBatch?: number;
  /** How long finished runs wait to be sent together. @default 1000 */
  flushIntervalMs?: number;
  /** Runs waiting at most; past it the oldest are dropped (and counted). @default 1000 */
  maxQueue?: number;
  /** One request's time limit. @default 10000 */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  onError?: (error: Error) => void;
}

/** A running exporter. */
export interface OtlpExporter {
  readonly url: string;
  readonly counters: { exported: number; failed: number; dropped: number };
  export(detail: TraceDetailResponse): void;
  /** Sends what is queued. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean };

function anyValue(value: string | number | boolean): AnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

function attributes(record: Record<string, string | number | boolean>) {
  return Object.entries(record).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function nanos(iso: string): string {
  return `${BigInt(Date.parse(iso)) * 1_000_000n}`;
}

/** A 32-hex OTLP trace id: the run's UUID without dashes, else a hash of it. */
export function otlpTraceId(traceId: string): string {
  const bare = traceId.replace(/-/gu, '').toLowerCase();
  return /^[0-9a-f]{32}$/u.test(bare) ? bare : hexId(traceId) + hexId(`${traceId}#`);
}

const KIND_CLIENT = 3;
const KIND_INTERNAL = 1;

function otlpSpan(traceId: string, span: TraceSpan) {
  return {
    traceId,
    spanId: span.span_id,
    ...(span.parent_span_id === null ? {} : { parentSpanId: span.parent_span_id }),
    name: span.name,
    kind: span.kind === 'llm' ? KIND_CLIENT : KIND_INTERNAL,
    startTimeUnixNano: nanos(span.start_time),
    endTimeUnixNano: nanos(span.end_time ?? span.start_time),
    attributes: attributes(span.attributes),
    status: { code: span.status === 'ok' ? 1 : span.status === 'error' ? 2 : 0 },
  };
}

/** The OTLP/HTTP JSON body of some runs: one resource per agent, one scope, their spans. */
export function otlpBody(details: readonly TraceDetailResponse[]) {
  const byAgent = new Map<string, ReturnType<typeof otlpSpan>[]>();
  for (const { trace, spans } of details) {
    const traceId = otlpTraceId(trace.trace_id);
    const list = byAgent.get(trace.agent_name) ?? [];
    for (const span of spans) list.push(otlpSpan(traceId, span));
    byAgent.set(trace.agent_name, list);
  }
  return {
    resourceSpans: [...byAgent].map(([agent, spans]) => ({
      resource: { attributes: attributes({ 'service.name': agent, 'gen_ai.agent.name': agent }) },
      scopeSpans: [{ scope: { name: '@myagent/manager', version }, spans }],
    })),
  };
}

function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    headers[decodeURIComponent(part.slice(0, at).trim())] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return headers;
}

/** The exporter when an endpoint is configured (options or OTEL_EXPORTER_OTLP_*), else undefined. */
export function createOtlpExporter(options: OtlpExporterOptions = {}): OtlpExporter | undefined {
  const env = options.env ?? process.env;
  const full = options.tracesEndpoint ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = options.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = full || (base ? `${base.replace(/\/+$/u, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  const headers = {
    'content-type': 'application/json',
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...options.headers,
  };
  const maxBatch = options.maxBatch ?? 50;
  const maxQueue = options.maxQueue ?? 1000;
  const onError = options.onError ?? (() => {});
  const counters = { exported: 0, failed: 0, dropped: 0 };
  let queue: TraceDetailResponse[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();

  async function send(batch: TraceDetailResponse[]): Promise<void> {
    try {
      const response = await fetch(url as string, {
        method: 'POST',
        headers,
        body: JSON.stringify(otlpBody(batch)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel().catch(() => {});
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      counters.exported += batch.length;
    } catch (error) {
      counters.failed += batch.length;
      onError(new Error(`OTLP export to ${url} failed: ${(error as Error).message}`));
    }
  }

  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
      chain = chain.then(() => send(batch));
    }
    return chain;
  }

  return {
    url,
    counters,
    export(detail) {
      queue.push(detail);
      if (queue.length > maxQueue) {
        counters.dropped += queue.length - maxQueue;
        queue = queue.slice(-maxQueue);
      }
      if (queue.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), options.flushIntervalMs ?? 1000);
    },
    flush,
    close: flush,
  };
}
