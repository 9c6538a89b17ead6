/**
 * JSON text of an object or array, remembered per value when it is frozen (so it cannot change): a host
 * that hands out the same frozen list until it changes (the manager does) pays for serialising it once,
 * not on every request.
 */
export function memoizedJson(): (value: object) => string {
  const memo = new WeakMap<object, string>();
  return (value) => {
    let text = memo.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      if (Object.isFrozen(value)) memo.set(value, text);
    }
    return text;
  };
}
