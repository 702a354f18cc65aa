// Total readers of untrusted JSON: a field of the wrong type reads as absent, so nothing that reads a resource throws.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from './codec.js';
import { parseInstant, type Instant } from './time.js';

const EMPTY: Readonly<Record<string, unknown>> = {};

export const recordAt = (u: unknown, key: string): Readonly<Record<string, unknown>> => {
  if (!isPlainObject(u)) return EMPTY;
  const v = u[key];
  return isPlainObject(v) ? v : EMPTY;
};

export const stringAt = (u: unknown, key: string): string => {
  if (!isPlainObject(u)) return '';
  const v = u[key];
  return typeof v === 'string' ? v : '';
};

export const numberAt = (u: unknown, key: string): number | undefined => {
  if (!isPlainObject(u)) return undefined;
  const v = u[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

export const arrayAt = (u: unknown, key: string): ReadonlyArray<unknown> => {
  if (!isPlainObject(u)) return [];
  const v = u[key];
  return Array.isArray(v) ? (v as ReadonlyArray<unknown>) : [];
};

export const instantAt = (u: unknown, key: string): Instant | undefined =>
  O.toUndefined(parseInstant(isPlainObject(u) ? u[key] : undefined));

/** What a value that should have been a resource is, for error messages: `null`, `an array`, `kind "Job"`, `a string`. */
export const describeJsonValue = (u: unknown): string => {
  if (u === null) return 'null';
  if (Array.isArray(u)) return 'an array';
  if (isPlainObject(u)) {
    const kind = u['kind'];
    return typeof kind === 'string' ? `kind ${JSON.stringify(kind)}` : 'an object';
  }
  return `a ${typeof u}`;
};
