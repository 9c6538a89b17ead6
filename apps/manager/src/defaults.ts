/**
 * An options object with each option left undefined (or null) filled in from `defaults`, as the options'
 * `@default`s say; keys the defaults do not name are left out, so the result holds the options a part reads.
 * @example
 * this.#o = withDefaults(options, { attempts: 5, backoffMs: 1000 });
 */
export function withDefaults<T extends object>(options: Partial<T>, defaults: Required<T>): Required<T> {
  const filled = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof T)[]) filled[key] = options[key] ?? defaults[key];
  return filled;
}
