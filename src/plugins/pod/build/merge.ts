// The one merge rule of pod construction: a higher-precedence pod spec, container or object over a lower one.
import { assignOwn, ownValue, setOwn } from '../../../domain/own-keys.js';
import { canonicalKey, isRecord, unionBy, type JsonRecord } from './json.js';

const byName = (u: unknown): string =>
  isRecord(u) && typeof u['name'] === 'string' ? u['name'] : canonicalKey(u);
const byMountPath = (u: unknown): string =>
  isRecord(u) && typeof u['mountPath'] === 'string' ? u['mountPath'] : canonicalKey(u);

/**
 * Lists merged as sets keyed by an identity; every other list is atomic (the higher list replaces the lower one).
 * Within a keyed list an item of the higher side replaces the lower item with the same key as a whole.
 */
export const KEYED_LISTS: Readonly<Record<string, (item: unknown) => string>> = {
  containers: byName,
  initContainers: byName,
  ephemeralContainers: byName,
  volumes: byName,
  imagePullSecrets: byName,
  resourceClaims: byName,
  schedulingGates: byName,
  env: byName,
  volumeMounts: byMountPath,
  tolerations: canonicalKey,
  envFrom: canonicalKey,
};

const resourceNames = (r: JsonRecord): ReadonlySet<string> =>
  new Set([
    ...Object.keys(isRecord(r['requests']) ? r['requests'] : {}),
    ...Object.keys(isRecord(r['limits']) ? r['limits'] : {}),
  ]);

// A resource's request and limit always come from one side: the higher side wins every resource it mentions,
// so a request from one source can never be paired with a smaller limit from another.
const mergeResources = (lower: JsonRecord, higher: JsonRecord): JsonRecord => {
  const taken = resourceNames(higher);
  const side = (key: 'requests' | 'limits'): Record<string, unknown> | undefined => {
    const out: Record<string, unknown> = {};
    const lo = lower[key];
    const hi = higher[key];
    if (isRecord(lo)) for (const [k, v] of Object.entries(lo)) if (!taken.has(k)) setOwn(out, k, v);
    if (isRecord(hi)) assignOwn(out, hi);
    return Object.keys(out).length === 0 ? undefined : out;
  };
  const { requests: _r, limits: _l, ...rest } = mergeObject(lower, higher);
  const requests = side('requests');
  const limits = side('limits');
  return {
    ...rest,
    ...(limits === undefined ? {} : { limits }),
    ...(requests === undefined ? {} : { requests }),
  };
};

const mergeObject = (lower: JsonRecord, higher: JsonRecord): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(lower)) setOwn(out, k, mergeValue(lower[k], ownValue(higher, k), k));
  for (const k of Object.keys(higher)) if (!Object.hasOwn(lower, k)) setOwn(out, k, higher[k]);
  return out;
};

/**
 * `higher` over `lower`: a value the higher side sets wins, a value it leaves unset is kept; objects merge field by
 * field at every depth; the lists in KEYED_LISTS merge by key; other lists and scalars are replaced whole. Explicit
 * `false`, `0` and `""` count as set (unlike Go's zero values). Idempotent: merge(l, merge(l, h)) = merge(l, h).
 */
export const mergeValue = (lower: unknown, higher: unknown, field?: string): unknown => {
  if (higher === undefined) return lower;
  if (lower === undefined) return higher;
  if (field === 'resources' && isRecord(lower) && isRecord(higher)) return mergeResources(lower, higher);
  if (isRecord(lower) && isRecord(higher)) return mergeObject(lower, higher);
  const keyOf = field === undefined ? undefined : ownValue(KEYED_LISTS, field);
  if (keyOf !== undefined && Array.isArray(lower) && Array.isArray(higher)) {
    return unionBy(lower as ReadonlyArray<unknown>, higher as ReadonlyArray<unknown>, keyOf);
  }
  return higher;
};

/** `mergeValue` for two objects of one type. */
export const merge = <A extends object>(lower: A | undefined, higher: A | undefined): A | undefined =>
  mergeValue(lower, higher) as A | undefined;
