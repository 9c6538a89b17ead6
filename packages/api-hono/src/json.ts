const encoder = new TextEncoder();

/**
 * The UTF-8 bytes of `prefix + JSON(value) + suffix`, remembered per value when it is frozen (so it cannot
 * change), with the last prefix and suffix asked for: a host that hands out the same frozen list until it
 * changes (the manager does) pays for serialising and encoding it once, and each request writes the same
 * bytes, as a handler answering from memory does (no 100 KB string built and encoded per request).
 */
export function memoizedJsonBytes(): (
  value: object,
  prefix: string,
  suffix: string,
) => Uint8Array<ArrayBuffer> {
  const memo = new WeakMap<object, { prefix: string; suffix: string; bytes: Uint8Array<ArrayBuffer> }>();
  return (value, prefix, suffix) => {
    const known = memo.get(value);
    if (known && known.prefix === prefix && known.suffix === suffix) return known.bytes;
    const bytes = encoder.encode(`${prefix}${JSON.stringify(value)}${suffix}`);
    if (Object.isFrozen(value)) memo.set(value, { prefix, suffix, bytes });
    return bytes;
  };
}
