import type { ResolvedProxyOptions } from './options.js';
import type { ProxyConnectionInfo } from './types.js';

// Calls the host's connection hooks and onError: a hook that throws or rejects is reported, never thrown.

/** The host's hooks and `onError`, called safely. */
export function createHookCaller(options: ResolvedProxyOptions) {
  const hooks = options.hooks;
  const report = (error: unknown) => {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    if (options.onError) options.onError(wrapped);
    else console.warn(`[proxy] ${wrapped.message}`);
  };
  const callHook = (name: 'open' | 'update' | 'close', info: ProxyConnectionInfo) => {
    const hook = hooks[name];
    if (!hook) return;
    try {
      const result = hook.call(hooks, info);
      if (result && typeof (result as Promise<void>).catch === 'function')
        (result as Promise<void>).catch(report);
    } catch (error) {
      report(error);
    }
  };
  return { report, callHook };
}
