// Plain JSON values for pod construction: guards, canonical equality, null stripping and keyed list unions.
import { setOwn } from '../../../domain/own-keys.js';

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json };
export type JsonRecord = Readonly<Record<string, unknown>>;

export const isRecord = (u: unknown): u is JsonRecord =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

/** A key that is equal for equal JSON values whatever the order of their object keys. */
export const canonicalKey = (u: unknown): string => {
  if (Array.isArray(u)) return `[${u.map(canonicalKey).join(',')}]`;
  if (isRecord(u)) {
    return `{${Object.keys(u)
      .filter((k) => u[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalKey(u[k])}`)
      .join(',')}}`;
  }
  return u === undefined ? 'undefined' : JSON.stringify(u);
};

export const jsonEqual = (a: unknown, b: unknown): boolean => canonicalKey(a) === canonicalKey(b);

/**
 * Drops null and undefined object values at every depth: Kubernetes reads an explicit null as "not set", and
 * the merge rules below treat a missing key the same way.
 */
export const stripNulls = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(stripNulls);
  if (isRecord(u)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) setOwn(out, k, stripNulls(v));
    return out;
  }
  return u;
};

/** The first occurrence of each value, compared canonically. */
export const dedupe = <A>(xs: ReadonlyArray<A>): ReadonlyArray<A> => {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = canonicalKey(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

/**
 * Union of two lists keyed by `keyOf`: the lower list's items whose key the higher list does not use, in their
 * order, then the higher list's items. Idempotent: unionBy(l, unionBy(l, h)) equals unionBy(l, h).
 */
export const unionBy = <A>(
  lower: ReadonlyArray<A>,
  higher: ReadonlyArray<A>,
  keyOf: (a: A) => string,
): ReadonlyArray<A> => {
  const higherKeys = new Set(higher.map(keyOf));
  return [...lower.filter((a) => !higherKeys.has(keyOf(a))), ...higher];
};

/** Sets `key` when `value` is defined and removes it otherwise, keeping exactOptionalPropertyTypes happy. */
export const setOptional = <T extends object, K extends keyof T>(
  obj: T,
  key: K,
  value: T[K] | undefined,
): T => {
  if (value === undefined) {
    if (!Object.hasOwn(obj, key)) return obj;
    return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key)) as T;
  }
  return { ...obj, [key]: value };
};

/** Entries of a string map sorted by key: maps carry no order, so output built from them is sorted. */
export const sortedEntries = (
  m: Readonly<Record<string, string>> | undefined,
): ReadonlyArray<[string, string]> =>
  Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Union of string maps, later maps winning; undefined when the union is empty. */
export const unionMaps = (
  ...maps: ReadonlyArray<Readonly<Record<string, string>> | undefined>
): Readonly<Record<string, string>> | undefined => {
  const out: Record<string, string> = {};
  for (const m of maps) if (m !== undefined) for (const [k, v] of Object.entries(m)) out[k] = v;
  return Object.keys(out).length === 0 ? undefined : out;
};
