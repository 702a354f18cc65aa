// A typed view of a pod for plugins and models that hold a whole one, read with pod-json.ts's accessors.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../../domain/codec.js';
import { arrayAt, instantAt, numberAt, recordAt, stringAt } from '../../../domain/json-read.js';
import type { Instant } from '../../../domain/time.js';
import {
  asList,
  asText,
  conditionStatus,
  conditionType,
  conditionsOf,
  containerStatusesOf,
  creationOf,
  deletionOf,
  ephemeralContainerStatusesOf,
  exitCodeOf,
  finishedAtOf,
  initContainerStatusesOf,
  isReady,
  lastStateOf,
  messageOf,
  namespaceOf,
  nameOf,
  podJson,
  podMessageOf,
  podNameOf,
  podReasonOf,
  reasonOf,
  restartCountOf,
  runningIn,
  startTimeOf,
  startedAtOf,
  stateOf,
  terminatedIn,
  transitionOf,
  waitingIn,
  type Json,
  type PodJson,
} from './pod-json.js';

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

/**
 * A pod read once into plain typed fields, every one present (missing values are empty strings, empty lists or
 * `undefined` instants), so code that inspects a whole pod needs no checks of its own.
 */
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
// the reader: built from pod-json.ts's accessors, so the rules for reading a field exist once
// -------------------------------------------------------------------------------------

const stringMap = (r: Json): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const k in r) {
    if (!Object.prototype.hasOwnProperty.call(r, k)) continue;
    const v = r[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
};

/** Reads every object element of a list with `read`, skipping the rest (a loop: this runs per event). */
const readAll = <A>(xs: ReadonlyArray<unknown>, read: (x: Json) => A | undefined): ReadonlyArray<A> => {
  const out: A[] = [];
  for (const x of xs) {
    if (!isPlainObject(x)) continue;
    const a = read(x);
    if (a !== undefined) out.push(a);
  }
  return out;
};

const readTermination = (t: Json): Termination => ({
  exitCode: exitCodeOf(t),
  reason: reasonOf(t),
  message: messageOf(t),
  startedAt: startedAtOf(t),
  finishedAt: finishedAtOf(t),
});

/** Most states have one member and `lastState` is usually `{}`: share one empty state rather than allocate it. */
const NO_STATE: ContainerState = { waiting: undefined, running: undefined, terminated: undefined };

const readState = (state: Json): ContainerState => {
  const waiting = waitingIn(state);
  const running = runningIn(state);
  const terminated = terminatedIn(state);
  if (waiting === undefined && running === undefined && terminated === undefined) return NO_STATE;
  return {
    waiting: waiting === undefined ? undefined : { reason: reasonOf(waiting), message: messageOf(waiting) },
    running: running === undefined ? undefined : { startedAt: startedAtOf(running) },
    terminated: terminated === undefined ? undefined : readTermination(terminated),
  };
};

const readContainerStatus = (c: Json): ContainerStatusView => ({
  name: nameOf(c),
  ready: isReady(c),
  restartCount: restartCountOf(c),
  containerID: asText(c['containerID']),
  state: readState(stateOf(c)),
  lastState: readState(lastStateOf(c)),
});

const readCondition = (c: Json): ConditionView => ({
  type: conditionType(c),
  status: conditionStatus(c),
  reason: reasonOf(c),
  message: messageOf(c),
  lastTransitionTime: transitionOf(c),
});

const containerName = (c: Json): string | undefined => {
  const n = nameOf(c);
  return n === '' ? undefined : n;
};

/**
 * Reads any value as a pod. None when the value is not an object or names another kind; a pod read from a typed
 * client may lack apiVersion and kind, so their absence is accepted. The typed view of podJson (pod-json.ts), for
 * plugins and models that hold a whole pod; the phase mapping itself reads the JSON lazily.
 */
export const readPod = (u: unknown): O.Option<PodView> => {
  const pod = podJson(u);
  if (pod === undefined) return O.none;
  const raw = u as Json;
  return O.some({
    apiVersion: asText(raw['apiVersion']),
    kind: asText(raw['kind']),
    name: podNameOf(pod),
    namespace: namespaceOf(pod),
    uid: asText(pod.metadata['uid']),
    annotations: stringMap(pod.annotations),
    creationTimestamp: creationOf(pod),
    deletionTimestamp: deletionOf(pod),
    specContainers: readAll(asList(pod.spec['containers']), containerName),
    specInitContainers: readAll(asList(pod.spec['initContainers']), containerName),
    hostname: asText(pod.spec['hostname']),
    nodeName: asText(pod.spec['nodeName']),
    phase: pod.phase,
    reason: podReasonOf(pod),
    message: podMessageOf(pod),
    startTime: startTimeOf(pod),
    conditions: readAll(conditionsOf(pod), readCondition),
    initContainerStatuses: readAll(initContainerStatusesOf(pod), readContainerStatus),
    containerStatuses: readAll(containerStatusesOf(pod), readContainerStatus),
    ephemeralContainerStatuses: readAll(ephemeralContainerStatusesOf(pod), readContainerStatus),
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

/**
 * The view as pod JSON again, carrying the fields the pod-json rules read (names, annotations, conditions, readiness
 * and states): a rule written once over pod-json.ts (primary.ts, classify.ts) then also answers for a view.
 */
export const viewAsJson = (pod: PodView): PodJson => {
  const member = (s: ContainerState): Json => ({
    ...(s.waiting === undefined ? {} : { waiting: s.waiting }),
    ...(s.running === undefined ? {} : { running: {} }),
    ...(s.terminated === undefined
      ? {}
      : {
          terminated: {
            exitCode: s.terminated.exitCode,
            reason: s.terminated.reason,
            message: s.terminated.message,
          },
        }),
  });
  const status = (c: ContainerStatusView): Json => ({
    name: c.name,
    ready: c.ready,
    restartCount: c.restartCount,
    state: member(c.state),
    lastState: member(c.lastState),
  });
  return {
    metadata: { name: pod.name, namespace: pod.namespace },
    annotations: pod.annotations,
    spec: { containers: pod.specContainers.map((name) => ({ name })) },
    status: {
      conditions: pod.conditions.map((c) => ({
        type: c.type,
        status: c.status,
        reason: c.reason,
        message: c.message,
      })),
      containerStatuses: pod.containerStatuses.map(status),
      initContainerStatuses: pod.initContainerStatuses.map(status),
    },
    phase: pod.phase,
  };
};
