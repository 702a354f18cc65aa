// Writing untrusted keys into plain objects as own data properties, `__proto__` included.

/**
 * `target[key] = value`, except that a `__proto__` key becomes an own property instead of replacing the
 * prototype. JSON.parse and YAML parsers make `"__proto__"` an ordinary own key, the Kubernetes API server
 * treats it as an ordinary field, and so must every copy and merge here: plain assignment would drop it and
 * graft the value's fields onto the result as inherited ones.
 */
export const setOwn = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else target[key] = value;
};

/** `Object.assign` for untrusted keys: every own enumerable key of each source, through `setOwn`. */
export const assignOwn = (
  target: Record<string, unknown>,
  ...sources: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>
): Record<string, unknown> => {
  for (const s of sources) if (s !== undefined) for (const k of Object.keys(s)) setOwn(target, k, s[k]);
  return target;
};

/** `table[key]` for a key that must be the table's own: `"constructor"` or `"toString"` never reads Object's. */
export const ownValue = <V>(table: Readonly<Record<string, V>>, key: string): V | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;
