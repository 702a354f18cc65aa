// A total reader of pod JSON: any value in, a typed view of the fields phase mapping reads (or none) out.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../../domain/codec.js';
import { arrayAt, instantAt, numberAt, recordAt, stringAt } from '../../../domain/json-read.js';
import type { Instant } from '../../../domain/time.js';

export { arrayAt, instantAt, numberAt, recordAt, stringAt };

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A container's `state.terminated` (or `lastState.terminated`). A missing exit code reads as 0, as Go decodes it. */
export interface Termination {
  readonly exitCode: number;
  readonly reason: string;
  readonly message: string;
  readonly startedAt: Instant | undefined;
  readonly finishedAt: Instant | undefined;
}

export interface Waiting {
  readonly reason: string;
  readonly message: string;
}

/** One of `state` / `lastState`; Kubernetes sets at most one member, garbage may set several. */
export interface ContainerState {
  readonly waiting: Waiting | undefined;
  readonly running: { readonly startedAt: Instant | undefined } | undefined;
  readonly terminated: Termination | undefined;
}

export interface ContainerStatusView {
  readonly name: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly containerID: string;
  readonly state: ContainerState;
  readonly lastState: ContainerState;
}

export interface ConditionView {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: Instant | undefined;
}

export interface PodView {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly creationTimestamp: Instant | undefined;
  readonly deletionTimestamp: Instant | undefined;
  readonly specContainers: ReadonlyArray<string>;
  readonly specInitContainers: ReadonlyArray<string>;
  readonly hostname: string;
  readonly nodeName: string;
  /** `status.phase`, or undefined when the pod has no status or no phase yet. */
  readonly phase: string | undefined;
  readonly reason: string;
  readonly message: string;
  readonly startTime: Instant | undefined;
  readonly conditions: ReadonlyArray<ConditionView>;
  readonly initContainerStatuses: ReadonlyArray<ContainerStatusView>;
  readonly containerStatuses: ReadonlyArray<ContainerStatusView>;
  readonly ephemeralContainerStatuses: ReadonlyArray<ContainerStatusView>;
}

// -------------------------------------------------------------------------------------
// field readers: a wrong type reads as absent
// -------------------------------------------------------------------------------------

const stringMapAt = (u: unknown, key: string): Readonly<Record<string, string>> => {
  const r = recordAt(u, key);
  const out: Record<string, string> = {};
  for (const k in r) {
    if (!Object.prototype.hasOwnProperty.call(r, k)) continue;
    const v = r[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
};

/** Reads every element of an array field with `read`, dropping what it rejects (a loop: this runs per event). */
const readAll = <A>(u: unknown, key: string, read: (x: unknown) => A | undefined): ReadonlyArray<A> => {
  const xs = arrayAt(u, key);
  const out: A[] = [];
  for (const x of xs) {
    const a = read(x);
    if (a !== undefined) out.push(a);
  }
  return out;
};

const readTermination = (u: unknown): Termination | undefined =>
  isPlainObject(u)
    ? {
        exitCode: numberAt(u, 'exitCode') ?? 0,
        reason: stringAt(u, 'reason'),
        message: stringAt(u, 'message'),
        startedAt: instantAt(u, 'startedAt'),
        finishedAt: instantAt(u, 'finishedAt'),
      }
    : undefined;

/** Most states have one member and `lastState` is usually `{}`: share one empty state rather than allocate it. */
const NO_STATE: ContainerState = { waiting: undefined, running: undefined, terminated: undefined };

const readState = (u: unknown): ContainerState => {
  if (!isPlainObject(u)) return NO_STATE;
  const waiting = u['waiting'];
  const running = u['running'];
  const terminated = u['terminated'];
  if (waiting === undefined && running === undefined && terminated === undefined) return NO_STATE;
  return {
    waiting: isPlainObject(waiting)
      ? { reason: stringAt(waiting, 'reason'), message: stringAt(waiting, 'message') }
      : undefined,
    running: isPlainObject(running) ? { startedAt: instantAt(running, 'startedAt') } : undefined,
    terminated: readTermination(terminated),
  };
};

const readContainerStatus = (u: unknown): ContainerStatusView | undefined =>
  isPlainObject(u)
    ? {
        name: stringAt(u, 'name'),
        ready: u['ready'] === true,
        restartCount: numberAt(u, 'restartCount') ?? 0,
        containerID: stringAt(u, 'containerID'),
        state: readState(u['state']),
        lastState: readState(u['lastState']),
      }
    : undefined;

const readCondition = (u: unknown): ConditionView | undefined =>
  isPlainObject(u)
    ? {
        type: stringAt(u, 'type'),
        status: stringAt(u, 'status'),
        reason: stringAt(u, 'reason'),
        message: stringAt(u, 'message'),
        lastTransitionTime: instantAt(u, 'lastTransitionTime'),
      }
    : undefined;

const containerName = (c: unknown): string | undefined => {
  const n = stringAt(c, 'name');
  return n === '' ? undefined : n;
};

// -------------------------------------------------------------------------------------
// the reader
// -------------------------------------------------------------------------------------

/**
 * Reads any value as a pod. None when the value is not an object or names another kind; a pod read from a typed
 * client may lack apiVersion and kind, so their absence is accepted.
 */
export const readPod = (u: unknown): O.Option<PodView> => {
  if (!isPlainObject(u)) return O.none;
  const kind = stringAt(u, 'kind');
  if (kind !== '' && kind !== 'Pod') return O.none;
  const metadata = recordAt(u, 'metadata');
  const spec = recordAt(u, 'spec');
  const status = recordAt(u, 'status');
  const phase = status['phase'];
  return O.some({
    apiVersion: stringAt(u, 'apiVersion'),
    kind,
    name: stringAt(metadata, 'name'),
    namespace: stringAt(metadata, 'namespace'),
    uid: stringAt(metadata, 'uid'),
    annotations: stringMapAt(metadata, 'annotations'),
    creationTimestamp: instantAt(metadata, 'creationTimestamp'),
    deletionTimestamp: instantAt(metadata, 'deletionTimestamp'),
    specContainers: readAll(spec, 'containers', containerName),
    specInitContainers: readAll(spec, 'initContainers', containerName),
    hostname: stringAt(spec, 'hostname'),
    nodeName: stringAt(spec, 'nodeName'),
    phase: typeof phase === 'string' && phase !== '' ? phase : undefined,
    reason: stringAt(status, 'reason'),
    message: stringAt(status, 'message'),
    startTime: instantAt(status, 'startTime'),
    conditions: readAll(status, 'conditions', readCondition),
    initContainerStatuses: readAll(status, 'initContainerStatuses', readContainerStatus),
    containerStatuses: readAll(status, 'containerStatuses', readContainerStatus),
    ephemeralContainerStatuses: readAll(status, 'ephemeralContainerStatuses', readContainerStatus),
  });
};

// -------------------------------------------------------------------------------------
// derived reads
// -------------------------------------------------------------------------------------

export const conditionOf = (pod: PodView, type: string): ConditionView | undefined =>
  pod.conditions.find((c) => c.type === type);

/** Every status: init, regular, then ephemeral containers (the order Flyte scans them in). */
export const allStatuses = (pod: PodView): ReadonlyArray<ContainerStatusView> => [
  ...pod.initContainerStatuses,
  ...pod.containerStatuses,
  ...pod.ephemeralContainerStatuses,
];

/**
 * How a container ended, if it did. `state.terminated` is the current truth; in a terminal pod, a container that was
 * restarted may carry its last termination in `lastState` only.
 */
export const terminationOf = (c: ContainerStatusView, podTerminal: boolean): Termination | undefined =>
  c.state.terminated ?? (podTerminal ? c.lastState.terminated : undefined);

export const latest = (xs: ReadonlyArray<Instant | undefined>): Instant | undefined =>
  xs.reduce<Instant | undefined>(
    (acc, x) => (x === undefined ? acc : acc === undefined ? x : Math.max(acc, x)),
    undefined,
  );
