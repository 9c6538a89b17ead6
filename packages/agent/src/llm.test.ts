import { type FakeOpenAI, type FakeScript, startFakeOpenAI } from '@myagent/test-support';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LLM_RETRY, type LlmOptions, resolveLlmConfig, retryAfterMs, streamChat } from './llm.js';

describe('resolveLlmConfig', () => {
  it('names the missing env vars when neither a key nor a base URL is set', () => {
    const result = resolveLlmConfig({}, { OPENAI_API_KEY: ' ', OPENAI_MODEL: 'm' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.missing).toEqual(['OPENAI_API_KEY', 'OPENAI_BASE_URL']);
    expect(result.message).toContain('OPENAI_API_KEY and OPENAI_BASE_URL are both unset');
  });

  it('builds the endpoint URL from a bare host or a base URL with a path', () => {
    const url = (baseUrl: string) => {
      const result = resolveLlmConfig({ baseUrl }, {});
      return result.ok ? result.config.url : result.message;
    };
    expect(url('http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000/v1/chat/completions');
    expect(url('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1/chat/completions');
    expect(url('https://openrouter.ai/api/v1')).toBe('https://openrouter.ai/api/v1/chat/completions');
    expect(url('not a url')).toMatch(/^Invalid LLM base URL 'not a url'/);
  });

  it('takes options first, then env, then defaults', () => {
    const fromEnv = resolveLlmConfig({}, { OPENAI_API_KEY: 'k', OPENAI_MODEL: 'env-model' });
    expect(fromEnv).toEqual({
      ok: true,
      config: {
        url: 'https://api.openai.com/v1/chat/completions',
        apiKey: 'k',
        model: 'env-model',
        timeoutMs: 120_000,
        headers: {},
        retry: DEFAULT_LLM_RETRY,
      },
    });
    const fromOptions = resolveLlmConfig(
      { baseUrl: 'http://localhost:1', model: 'opt', timeoutMs: 5 },
      { OPENAI_API_KEY: 'k', OPENAI_MODEL: 'env-model' },
    );
    expect(fromOptions.ok && fromOptions.config).toMatchObject({ model: 'opt', apiKey: 'k', timeoutMs: 5 });
    const local = resolveLlmConfig({}, { OPENAI_BASE_URL: 'http://localhost:1' });
    expect(local.ok && local.config.apiKey).toBeUndefined();
    expect(local.ok && local.config.model).toBe('gpt-4o-mini');
  });
});

describe('streamChat retries 429 and 5xx against a real chat-completions server', () => {
  let llm: FakeOpenAI | undefined;
  afterEach(async () => {
    await llm?.close();
    llm = undefined;
  });

  async function call(script: FakeScript, options: LlmOptions = {}, signal = new AbortController().signal) {
    llm = await startFakeOpenAI(script);
    const resolved = resolveLlmConfig({ baseUrl: llm.url, retryBaseDelayMs: 10, ...options }, {});
    if (!resolved.ok) throw new Error(resolved.message);
    let text = '';
    for await (const delta of streamChat(resolved.config, { messages: [] }, signal))
      text += delta.content ?? '';
    return text;
  }
  const gap = (fake: FakeOpenAI, i: number) =>
    (fake.requests[i]?.receivedAt ?? 0) - (fake.requests[i - 1]?.receivedAt ?? 0);

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2000);
    expect(retryAfterMs('0.5', now)).toBe(500);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('retries 503s with backoff until an answer comes', async () => {
    const text = await call([{ status: 503 }, { status: 502 }, { status: 500 }, { content: 'at last' }]);
    expect(text).toBe('at last');
    expect(llm?.requests).toHaveLength(4);
  });

  it('waits what a 429 Retry-After asks, in seconds and as an HTTP date', async () => {
    // The date is made as the reply is sent: whole seconds, so 1-2 s ahead.
    const text = await call((_request, index) =>
      index === 0
        ? { status: 429, headers: { 'retry-after': '1' } }
        : index === 1
          ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() } }
          : { content: 'ok' },
    );
    expect(text).toBe('ok');
    const fake = llm as FakeOpenAI;
    expect(fake.requests).toHaveLength(3);
    // Lower bounds only: a timer never fires early by more than a clock tick.
    expect(gap(fake, 1)).toBeGreaterThanOrEqual(990);
    expect(gap(fake, 2)).toBeGreaterThanOrEqual(990);
  });

  it('gives up after `retries` retries, with the status and the count of attempts', async () => {
    await expect(call(() => ({ status: 500, message: 'down' }), { retries: 2 })).rejects.toMatchObject({
      code: 'AGENT_ERROR',
      message: expect.stringMatching(/HTTP 500 .*: down \(after 3 attempts\)$/u),
      details: { status: 500, attempts: 3 },
    });
    expect(llm?.requests).toHaveLength(3);
  });

  it('fails at once when a Retry-After goes past the retry budget, and never retries a 400', async () => {
    await expect(
      call([{ status: 429, headers: { 'retry-after': '120' } }, { content: 'too late' }], {
        retryBudgetMs: 5_000,
      }),
    ).rejects.toMatchObject({ details: { status: 429, attempts: 1 } });
    expect(llm?.requests).toHaveLength(1);
    await llm?.close();
    await expect(call([{ status: 400, message: 'bad' }, { content: 'never' }])).rejects.toMatchObject({
      details: { status: 400 },
    });
    expect(llm?.requests).toHaveLength(1);
  });

  it('aborts at once when cancelled during a backoff wait', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    const pending = call(
      [{ status: 503, headers: { 'retry-after': '60' } }, { content: 'never' }],
      { retryBudgetMs: 120_000, timeoutMs: 300_000 },
      controller.signal,
    );
    const outcome = pending.catch((error: unknown) => error);
    await vi.waitFor(() => expect(llm?.requests).toHaveLength(1));
    controller.abort(reason);
    // The wait was 60 s: only an abort that reaches it ends the call within the test's timeout.
    expect(await outcome).toBe(reason);
    expect(llm?.requests).toHaveLength(1);
  });
});
