import { AppError } from '@myagent/models';
import { readSseData } from './sse.js';

/** Where the LLM is: any OpenAI-compatible chat-completions endpoint. Unset fields come from the env. */
export interface LlmOptions {
  /** e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000`; env OPENAI_BASE_URL. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer`; env OPENAI_API_KEY. Optional for a local endpoint. */
  apiKey?: string;
  /** env OPENAI_MODEL; default `gpt-4o-mini`. */
  model?: string;
  /** Longest time one LLM request may take, streaming included. Default 120 s. */
  timeoutMs?: number;
  temperature?: number;
  /** Extra HTTP headers (e.g. for a gateway). */
  headers?: Record<string, string>;
  /**
   * Retries of a request answered 429 or 5xx (before any of the reply was read); 0 = none. Waits follow
   * the reply's Retry-After (seconds or an HTTP date) when it has one, else an exponential backoff.
   * @default 3
   */
  retries?: number;
  /** The first backoff wait; each retry doubles it (with jitter), up to `retryMaxDelayMs`. @default 500 */
  retryBaseDelayMs?: number;
  /** The longest backoff wait of our own (a server's Retry-After is honoured as long as the budget allows). @default 10_000 */
  retryMaxDelayMs?: number;
  /**
   * Total time all waits of one call may take; a Retry-After past what is left ends the call with the
   * server's error at once. @default 30_000
   */
  retryBudgetMs?: number;
}

/** How a call retries 429 and 5xx answers (see {@link LlmOptions}). */
export interface LlmRetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  budgetMs: number;
}

/** The retry defaults. */
export const DEFAULT_LLM_RETRY: LlmRetryPolicy = {
  retries: 3,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  budgetMs: 30_000,
};

/** A resolved LLM endpoint. */
export interface LlmConfig {
  /** The full URL of the chat-completions endpoint. */
  url: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  temperature?: number;
  headers: Record<string, string>;
  /** How 429 and 5xx answers are retried; {@link DEFAULT_LLM_RETRY} when unset. */
  retry?: LlmRetryPolicy;
}

/** The result of {@link resolveLlmConfig}: a config, or the env vars that are missing and why. */
export type LlmConfigResult =
  | { ok: true; config: LlmConfig }
  | { ok: false; missing: string[]; message: string };

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_MODEL = 'gpt-4o-mini';

/**
 * Resolves the LLM endpoint from options, then env (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL). It needs
 * a key (for api.openai.com) or a base URL (any compatible endpoint); otherwise it says which vars to set.
 */
export function resolveLlmConfig(
  options: LlmOptions = {},
  env: Record<string, string | undefined> = process.env,
): LlmConfigResult {
  const baseUrl = options.baseUrl ?? nonEmpty(env.OPENAI_BASE_URL);
  const apiKey = options.apiKey ?? nonEmpty(env.OPENAI_API_KEY);
  if (baseUrl === undefined && apiKey === undefined) {
    return {
      ok: false,
      missing: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
      message:
        'No LLM configured: OPENAI_API_KEY and OPENAI_BASE_URL are both unset. Set OPENAI_API_KEY to use ' +
        'api.openai.com, or OPENAI_BASE_URL (plus OPENAI_API_KEY if it needs one) for another ' +
        'OpenAI-compatible endpoint; OPENAI_MODEL picks the model.',
    };
  }
  let url: URL;
  try {
    url = new URL(baseUrl ?? DEFAULT_BASE_URL);
  } catch {
    return {
      ok: false,
      missing: [],
      message: `Invalid LLM base URL '${baseUrl}' (OPENAI_BASE_URL): expected e.g. https://api.openai.com/v1`,
    };
  }
  const path = url.pathname.replace(/\/+$/u, '');
  // A bare host gets the standard `/v1`; a base URL with a path (…/v1, …/api/v1) is used as given.
  url.pathname = `${path === '' ? '/v1' : path}/chat/completions`;
  const retry = retryPolicy(options);
  if (typeof retry === 'string') return { ok: false, missing: [], message: retry };
  const config: LlmConfig = {
    url: url.toString(),
    model: options.model ?? nonEmpty(env.OPENAI_MODEL) ?? DEFAULT_MODEL,
    timeoutMs: options.timeoutMs ?? 120_000,
    headers: options.headers ?? {},
    retry,
  };
  if (apiKey !== undefined) config.apiKey = apiKey;
  if (options.temperature !== undefined) config.temperature = options.temperature;
  return { ok: true, config };
}

function retryPolicy(options: LlmOptions): LlmRetryPolicy | string {
  const policy: LlmRetryPolicy = {
    retries: options.retries ?? DEFAULT_LLM_RETRY.retries,
    baseDelayMs: options.retryBaseDelayMs ?? DEFAULT_LLM_RETRY.baseDelayMs,
    maxDelayMs: options.retryMaxDelayMs ?? DEFAULT_LLM_RETRY.maxDelayMs,
    budgetMs: options.retryBudgetMs ?? DEFAULT_LLM_RETRY.budgetMs,
  };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0)
      return `Invalid LLM retry option ${name}: ${value} (a number >= 0)`;
  }
  policy.retries = Math.floor(policy.retries);
  return policy;
}

/** HTTP statuses worth another try: rate limited, or the server's own trouble. */
const RETRIABLE = (status: number) => status === 429 || (status >= 500 && status <= 599);

/**
 * The wait a Retry-After header asks for, in ms: delta-seconds or an HTTP date (RFC 9110 10.2.3);
 * undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/u.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Our own backoff before retry `attempt` (1-based): doubling from the base, capped, with jitter. */
function backoffMs(policy: LlmRetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits `ms`, or rejects at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** One piece of a streamed reply: text, reasoning text, or fragments of tool calls (merged by `index`). */
export interface ChatDelta {
  content?: string;
  reasoning?: string;
  toolCalls?: Array<{ index: number; id?: string; name?: string; arguments?: string }>;
  /** Token counts, when the endpoint reports them (the last chunk of a stream, or a JSON reply). */
  usage?: ChatUsage;
}

/** Token counts of one LLM call as the endpoint reported them. */
export interface ChatUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
}

/**
 * Calls the endpoint with `stream: true` and yields the deltas as they arrive; a server that answers with
 * plain JSON instead is read as one delta. HTTP and stream errors throw AppError AGENT_ERROR; an abort of
 * `signal` throws its reason; the request's own timeout throws AGENT_ERROR.
 */
export async function* streamChat(
  config: LlmConfig,
  body: Record<string, unknown>,
  signal: AbortSignal,
): AsyncGenerator<ChatDelta> {
  // A timer of our own rather than AbortSignal.timeout, so that it is cleared as soon as the call ends.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), config.timeoutMs);
  const combined = AbortSignal.any([signal, timeout.signal]);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'text/event-stream, application/json',
    ...config.headers,
  };
  if (config.apiKey !== undefined) headers.authorization = `Bearer ${config.apiKey}`;
  // include_usage asks for token counts in a last chunk (OpenAI and most compatible servers honour it).
  const request: Record<string, unknown> = {
    ...body,
    model: config.model,
    stream: true,
    stream_options: { include_usage: true },
  };
  if (config.temperature !== undefined) request.temperature = config.temperature;
  let answered = false;
  const policy = config.retry ?? DEFAULT_LLM_RETRY;
  let waited = 0;
  try {
    let response: Response;
    for (let attempt = 1; ; attempt++) {
      response = await fetch(config.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(request),
        signal: combined,
      });
      answered = true;
      if (response.ok) break;
      const detail = errorDetail(await response.text().catch(() => ''));
      const failure = new AppError(
        'AGENT_ERROR',
        `LLM request failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${config.url}${detail ? `: ${detail}` : ''}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`,
        { details: { status: response.status, attempts: attempt } },
      );
      if (!RETRIABLE(response.status) || attempt > policy.retries) throw failure;
      const asked = retryAfterMs(response.headers.get('retry-after'));
      const wait = asked ?? backoffMs(policy, attempt);
      // A server asking for longer than the budget leaves is not retried early against its word.
      if (waited + wait > policy.budgetMs) throw failure;
      waited += wait;
      answered = false;
      await sleep(wait, combined);
    }
    if (response.body === null) throw new AppError('AGENT_ERROR', `LLM reply from ${config.url} had no body`);
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('application/json')) {
      yield fromMessage(parseJson(await response.text(), config.url));
      return;
    }
    for await (const data of readSseData(response.body)) {
      if (data.trim() === '[DONE]') return;
      const chunk = parseJson(data, config.url);
      const error = (chunk as { error?: unknown }).error;
      if (error !== undefined) {
        throw new AppError('AGENT_ERROR', `LLM stream error from ${config.url}: ${describeError(error)}`);
      }
      const delta = fromDelta(chunk);
      if (delta !== undefined) yield delta;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (timeout.signal.aborted) {
      throw new AppError('AGENT_ERROR', `LLM request timed out after ${config.timeoutMs} ms (${config.url})`);
    }
    if (AppError.is(error)) throw error;
    const cause = (error as { cause?: { message?: string; code?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    const what = answered ? `the reply from ${config.url} broke off` : `cannot reach ${config.url}`;
    throw new AppError('AGENT_ERROR', `LLM request failed: ${what} (${reason})`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

interface WireToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

function fromDelta(chunk: unknown): ChatDelta | undefined {
  const choice = (chunk as { choices?: Array<{ delta?: Record<string, unknown> }> }).choices?.[0];
  const delta = choice?.delta;
  const usage = usageOf(chunk);
  if (delta === undefined || delta === null) return usage === undefined ? undefined : { usage };
  const out = toDelta(delta);
  if (usage !== undefined) out.usage = usage;
  return out;
}

const tokens = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

/** The `usage` of a chunk or reply (OpenAI's prompt/completion names, or input/output), when valid. */
function usageOf(reply: unknown): ChatUsage | undefined {
  const raw = (reply as { usage?: Record<string, unknown> | null }).usage;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const usage: ChatUsage = {};
  const input = tokens(raw.prompt_tokens ?? raw.input_tokens);
  const output = tokens(raw.completion_tokens ?? raw.output_tokens);
  const total = tokens(raw.total_tokens);
  if (input !== undefined) usage.input_tokens = input;
  if (output !== undefined) usage.output_tokens = output;
  if (total !== undefined) usage.total_tokens = total;
  return Object.keys(usage).length === 0 ? undefined : usage;
}

function fromMessage(reply: unknown): ChatDelta {
  const error = (reply as { error?: unknown }).error;
  if (error !== undefined) throw new AppError('AGENT_ERROR', `LLM error: ${describeError(error)}`);
  const message = (reply as { choices?: Array<{ message?: Record<string, unknown> }> }).choices?.[0]?.message;
  if (message === undefined) throw new AppError('AGENT_ERROR', 'LLM reply had no choices[0].message');
  const delta = toDelta(message);
  const usage = usageOf(reply);
  if (usage !== undefined) delta.usage = usage;
  return delta;
}

function toDelta(raw: Record<string, unknown>): ChatDelta {
  const delta: ChatDelta = {};
  if (typeof raw.content === 'string' && raw.content !== '') delta.content = raw.content;
  const reasoning = raw.reasoning_content ?? raw.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') delta.reasoning = reasoning;
  if (Array.isArray(raw.tool_calls)) {
    delta.toolCalls = (raw.tool_calls as WireToolCall[]).map((call, position) => {
      const piece: NonNullable<ChatDelta['toolCalls']>[number] = { index: call.index ?? position };
      if (call.id) piece.id = call.id;
      if (call.function?.name) piece.name = call.function.name;
      if (typeof call.function?.arguments === 'string') piece.arguments = call.function.arguments;
      return piece;
    });
  }
  return delta;
}

function parseJson(text: string, url: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // Reported below with the text itself.
  }
  throw new AppError('AGENT_ERROR', `LLM reply from ${url} is not valid JSON: ${text.slice(0, 200)}`);
}

function errorDetail(text: string): string {
  if (text === '') return '';
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (body.error !== undefined) return describeError(body.error);
  } catch {
    // Not JSON: show the start of the text.
  }
  return text.slice(0, 300);
}

function describeError(error: unknown): string {
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(error).slice(0, 300);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
