import { describe, expect, it } from 'vitest';
import { resolveLlmConfig } from './llm.js';

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
