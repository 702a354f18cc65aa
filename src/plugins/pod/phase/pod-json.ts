// The lazy pod reader: total accessors over a pod's own JSON that read only the fields a decision asks for.
import { isPlainObject } from '../../../domain/codec.js';
import type { Instant } from '../../../domain/time.js';
import { instantOf } from './timestamp.js';

// readPod (pod-view.ts) copies every field into a typed view before anything is decided: some forty small objects per
// watch event, most never looked at. These accessors read the untrusted value where it lies, with the same rules (a
// field of the wrong type reads as absent, a list element that is not an object is skipped), so the phase mapping
// touches only what it needs and allocates nothing to read it. They return `undefined` rather than Option for the
// same reason. Laws: test/plugins/pod/phase/lazy-reader.test.ts holds them to readPod on arbitrary values.
//
// Each accessor names its field (`c['name']`), rather than going through one `(object, key)` helper: V8 caches a
// property lookup per place in the code, and a single helper reading every field of every object of a pod makes that
// cache useless (measured on the benchmark's pods: the task info's conditions loop took about 0.45 µs per call
// through a shared helper, about 0.2 µs with per-field accessors). The `as*` helpers only check the type of a value
// already read. Loops are indexed: a `for...of` iterator per loop is garbage on every watch event.

/** A JSON object as parsed: any key may hold anything. */
export type Json = Readonly<Record<string, unknown>>;

const NO_FIELDS: Json = Object.freeze({});
const NO_ITEMS: ReadonlyArray<unknown> = Object.freeze([]);

/** An object, or an empty one. */
export const asObject = (v: unknown): Json => (isPlainObject(v) ? v : NO_FIELDS);
/** An object, or undefined (a state member is present only when it is an object). */
export const asMember = (v: unknown): Json | undefined => (isPlainObject(v) ? v : undefined);
/** An array, or an empty one; callers skip elements that are not objects. */
export const asList = (v: unknown): ReadonlyArray<unknown> =>
  Array.isArray(v) ? (v as ReadonlyArray<unknown>) : NO_ITEMS;
export const asText = (v: unknown): string => (typeof v === 'string' ? v : '');

// -------------------------------------------------------------------------------------
// the pod
// -------------------------------------------------------------------------------------

/** The parts of a pod every decision starts from, and its phase. */
export interface PodJson {
  readonly metadata: Json;
  readonly annotations: Json;
  readonly spec: Json;
  readonly status: Json;
  /** `status.phase`, or undefined when the pod has no status or no phase yet. */
  readonly phase: string | undefined;
}

/**
 * Reads any value as a pod: undefined when it is not an object or names another kind (as readPod's none; a pod read
 * from a typed client may lack apiVersion and kind).
 */
export const podJson = (u: unknown): PodJson | undefined => {
  if (!isPlainObject(u)) return undefined;
  const kind = asText(u['kind']);
  if (kind !== '' && kind !== 'Pod') return undefined;
  const metadata = asObject(u['metadata']);
  const status = asObject(u['status']);
  const phase = status['phase'];
  return {
    metadata,
    annotations: asObject(metadata['annotations']),
    spec: asObject(u['spec']),
    status,
    phase: typeof phase === 'string' && phase !== '' ? phase : undefined,
  };
};

/** An annotation's value when it is a string (an own one: readPod copies own keys only); else undefined. */
export const annotationOf = (pod: PodJson, key: string): string | undefined => {
  const v = pod.annotations[key];
  // The ownership check runs only for a string found, which is rare enough to cost nothing.
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(pod.annotations, key) ? v : undefined;
};

export const podNameOf = (pod: PodJson): string => asText(pod.metadata['name']);
export const namespaceOf = (pod: PodJson): string => asText(pod.metadata['namespace']);
export const creationOf = (pod: PodJson): Instant | undefined => instantOf(pod.metadata['creationTimestamp']);
export const deletionOf = (pod: PodJson): Instant | undefined => instantOf(pod.metadata['deletionTimestamp']);
export const startTimeOf = (pod: PodJson): Instant | undefined => instantOf(pod.status['startTime']);
export const podReasonOf = (pod: PodJson): string => asText(pod.status['reason']);
export const podMessageOf = (pod: PodJson): string => asText(pod.status['message']);

/**
 * The container named `name` if the spec lists it, else the first spec container with a non-empty name, else ""
 * (readPod's `specContainers.includes(name) ? name : specContainers[0]`, in one pass; "" never matches a name).
 */
export const containerNamedOrFirst = (pod: PodJson, name: string): string => {
  let first = '';
  const containers = asList(pod.spec['containers']);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    if (!isPlainObject(c)) continue;
    const n = asText(c['name']);
    if (n === '') continue;
    if (n === name) return n;
    if (first === '') first = n;
  }
  return first;
};

/** Whether the spec lists a container of this name ("" never matches: nameless containers are not listed). */
export const specHasContainer = (pod: PodJson, name: string): boolean =>
  name !== '' && containerNamedOrFirst(pod, name) === name;

// -------------------------------------------------------------------------------------
// conditions (the object elements of status.conditions)
// -------------------------------------------------------------------------------------

export const conditionsOf = (pod: PodJson): ReadonlyArray<unknown> => asList(pod.status['conditions']);
export const conditionType = (c: Json): string => asText(c['type']);
export const conditionStatus = (c: Json): string => asText(c['status']);
export const transitionOf = (c: Json): Instant | undefined => instantOf(c['lastTransitionTime']);

/** The first condition of this type, as readPod's conditionOf. */
export const conditionOf = (pod: PodJson, type: string): Json | undefined => {
  const conditions = conditionsOf(pod);
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    if (isPlainObject(c) && conditionType(c) === type) return c;
  }
  return undefined;
};

/** `reason` and `message` of a condition, a state member or a termination. */
export const reasonOf = (x: Json): string => asText(x['reason']);
export const messageOf = (x: Json): string => asText(x['message']);

// -------------------------------------------------------------------------------------
// container statuses (the object elements of a status list)
// -------------------------------------------------------------------------------------

export const containerStatusesOf = (pod: PodJson): ReadonlyArray<unknown> =>
  asList(pod.status['containerStatuses']);
export const initContainerStatusesOf = (pod: PodJson): ReadonlyArray<unknown> =>
  asList(pod.status['initContainerStatuses']);
export const ephemeralContainerStatusesOf = (pod: PodJson): ReadonlyArray<unknown> =>
  asList(pod.status['ephemeralContainerStatuses']);

/** The status lists by position, in the order Flyte scans them: init, regular, ephemeral. */
export const STATUS_LISTS = 3;
export const statusListAt = (pod: PodJson, i: number): ReadonlyArray<unknown> =>
  i === 0
    ? initContainerStatusesOf(pod)
    : i === 1
      ? containerStatusesOf(pod)
      : ephemeralContainerStatusesOf(pod);

export const nameOf = (c: Json): string => asText(c['name']);
/** A status's restart count; a missing or non-numeric one reads as 0. */
export const restartCountOf = (c: Json): number => {
  const v = c['restartCount'];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};
export const isReady = (c: Json): boolean => c['ready'] === true;
export const stateOf = (c: Json): Json => asObject(c['state']);
export const lastStateOf = (c: Json): Json => asObject(c['lastState']);

/** The members of a state (`state` or `lastState`); each is present only when it is an object. */
export const waitingIn = (state: Json): Json | undefined => asMember(state['waiting']);
export const runningIn = (state: Json): Json | undefined => asMember(state['running']);
export const terminatedIn = (state: Json): Json | undefined => asMember(state['terminated']);

/**
 * How a container ended, if it did. `state.terminated` is the current truth; in a terminal pod, a container that was
 * restarted may carry its last termination in `lastState` only.
 */
export const terminationOf = (c: Json, podTerminal: boolean): Json | undefined =>
  terminatedIn(stateOf(c)) ?? (podTerminal ? terminatedIn(lastStateOf(c)) : undefined);

/** A termination's exit code; a missing (or non-finite) one reads as 0, as Go decodes it. */
export const exitCodeOf = (t: Json): number => {
  const v = t['exitCode'];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};

/** `startedAt` of a running or terminated member, `finishedAt` of a terminated one. */
export const startedAtOf = (x: Json): Instant | undefined => instantOf(x['startedAt']);
export const finishedAtOf = (t: Json): Instant | undefined => instantOf(t['finishedAt']);
