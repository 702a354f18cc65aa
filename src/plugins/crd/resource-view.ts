// A total reader of a custom resource's JSON: any value in, its identity, spec and status (or none) out.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import { arrayAt, instantAt, recordAt, stringAt } from '../../domain/json-read.js';
import type { Instant } from '../../domain/time.js';

type Json = Readonly<Record<string, unknown>>;

/** What kind of object a reader accepts. */
export interface ExpectedKind {
  readonly kind: string;
  /** The API group (`ray.io`, `batch`); any group when absent. */
  readonly group?: string;
}

/** A custom resource as getTaskPhase reads it: every field of a wrong type reads as absent (`''`, `{}`). */
export interface ResourceParts {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly creationTimestamp: Instant | undefined;
  readonly metadata: Json;
  readonly spec: Json;
  /** `status`, or `{}` when there is none yet (an operator writes it after the create). */
  readonly status: Json;
  /** Whether `status` is an object at all (some plugins tell "no status yet" from an empty one). */
  readonly hasStatus: boolean;
}

const groupOf = (apiVersion: string): string =>
  apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';

/**
 * Reads any value as a resource of the expected kind. None when it is not an object or names another kind or group;
 * an object read through a typed client or from a list may lack apiVersion and kind, so their absence is accepted.
 */
export const readResource = (u: unknown, expected: ExpectedKind): O.Option<ResourceParts> => {
  if (!isPlainObject(u)) return O.none;
  const kind = stringAt(u, 'kind');
  if (kind !== '' && kind !== expected.kind) return O.none;
  const apiVersion = stringAt(u, 'apiVersion');
  if (expected.group !== undefined && apiVersion !== '' && groupOf(apiVersion) !== expected.group)
    return O.none;
  const metadata = recordAt(u, 'metadata');
  return O.some({
    name: stringAt(metadata, 'name'),
    namespace: stringAt(metadata, 'namespace'),
    uid: stringAt(metadata, 'uid'),
    creationTimestamp: instantAt(metadata, 'creationTimestamp'),
    metadata,
    spec: recordAt(u, 'spec'),
    status: recordAt(u, 'status'),
    hasStatus: isPlainObject(u['status']),
  });
};

/** A reader of one kind: `readResource`, then the plugin's own view of the parts. */
export const resourceReader =
  <V>(expected: ExpectedKind, view: (parts: ResourceParts) => V) =>
  (u: unknown): O.Option<V> =>
    O.map(view)(readResource(u, expected));

/** One entry of `status.conditions` (metav1.Condition and the operators' look-alikes). */
export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: Instant | undefined;
  /** Position in the list; operators append, so a later position is a later transition. */
  readonly index: number;
}

/**
 * `status.conditions`, entries that are not objects left out. `orUpdateTime` reads `lastUpdateTime` when there is
 * no `lastTransitionTime` (the training operator writes both, older versions only the update time).
 */
export const readConditions = (status: unknown, options: { readonly orUpdateTime?: boolean } = {}) =>
  arrayAt(status, 'conditions').flatMap((c, index): ReadonlyArray<Condition> =>
    isPlainObject(c)
      ? [
          {
            type: stringAt(c, 'type'),
            status: stringAt(c, 'status'),
            reason: stringAt(c, 'reason'),
            message: stringAt(c, 'message'),
            lastTransitionTime:
              instantAt(c, 'lastTransitionTime') ??
              (options.orUpdateTime === true ? instantAt(c, 'lastUpdateTime') : undefined),
            index,
          },
        ]
      : [],
  );

/** The first time that is known, for a completion time: `O.none` when none is. */
export const firstKnown = (...times: ReadonlyArray<Instant | undefined>): O.Option<Instant> =>
  O.fromNullable(times.find((t) => t !== undefined));
