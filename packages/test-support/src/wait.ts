import { vi } from 'vitest';

type Truthy<T> = Exclude<T, false | undefined | null | 0 | ''>;

/**
 * Polls `check` with `vi.waitFor` until it returns something truthy, and returns that. A throw counts as
 * not yet; at the deadline the error names `what` and the last value or error seen.
 * @example const url = await until(() => /listening on (\S+)/u.exec(output())?.[1], 'the listening line');
 */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<Truthy<Awaited<T>>> {
  let last: unknown;
  try {
    return await vi.waitFor(
      async () => {
        try {
          last = await check();
        } catch (error) {
          last = error;
          throw error;
        }
        if (!last) throw new Error(`still waiting for ${what}`);
        return last as Truthy<Awaited<T>>;
      },
      { timeout: timeoutMs, interval: 25 },
    );
  } catch {
    const seen = last instanceof Error ? last.message : JSON.stringify(last);
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${seen}`);
  }
}
