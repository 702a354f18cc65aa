// JSON value helpers for the in-memory cluster: copying, comparing, freezing and measuring plain JSON data.
import { setOwn } from '../../domain/own-keys.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (u: unknown): u is JsonObject =>
  typeof u === 'object' && u !== null && !Array.isArray(u);

/** A deep copy of JSON data (objects, arrays, scalars); `undefined` members are dropped as JSON would. */
export const cloneJson = <A>(value: A): A => {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => cloneJson(v)) as A;
  // for-in over own plain-object keys: no per-object entry arrays, which matter at 100,000 objects.
  const source = value as JsonObject;
  const out: JsonObject = {};
  for (const k in source) {
    const v = source[k];
    if (v === undefined) continue;
    // A `__proto__` key (JSON.parse makes it an own key) must stay one: assignment would set the prototype. The
    // test is inline rather than a setOwn call: this copy runs for every key of every object the store writes.
    if (k === '__proto__') setOwn(out, k, cloneJson(v));
    else out[k] = cloneJson(v);
  }
  return out as A;
};

/** Structural equality of JSON data; an absent key equals an `undefined` member. */
export const jsonEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  let countA = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    countA++;
    // Of Object.prototype's members only `__proto__` reads as an object; the rest are functions and never equal.
    const bv = k === '__proto__' && !Object.hasOwn(bo, k) ? undefined : bo[k];
    if (!jsonEqual(ao[k], bv)) return false;
  }
  let countB = 0;
  for (const k in bo) if (bo[k] !== undefined) countB++;
  return countA === countB;
};

/** Freezes JSON data in place, all the way down, and returns it. */
export const deepFreeze = <A>(value: A): A => {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  const o = value as JsonObject;
  for (const k in o) deepFreeze(o[k]);
  return Object.freeze(value);
};

/** The length of the JSON text, in UTF-16 units. */
export const jsonSize = (value: unknown): number => JSON.stringify(value)?.length ?? 0;

// A lower bound of the JSON length (strings, keys and a little per value), cheap enough for every request.
const roughSize = (value: unknown, budget: number): number => {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 4;
  let n = 2;
  if (Array.isArray(value)) {
    for (const v of value) {
      n += roughSize(v, budget - n) + 1;
      if (n > budget) return n;
    }
    return n;
  }
  const o = value as JsonObject;
  for (const k in o) {
    n += k.length + 4 + roughSize(o[k], budget - n);
    if (n > budget) return n;
  }
  return n;
};

/** Whether the JSON text of `value` is longer than `limit`; serializes only when the cheap estimate gets close. */
export const exceedsJsonSize = (value: unknown, limit: number): boolean =>
  roughSize(value, limit / 2) > limit / 2 && jsonSize(value) > limit;
