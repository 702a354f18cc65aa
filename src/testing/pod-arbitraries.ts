// fast-check arbitraries for pods as the kubelet writes them, and for their status moving forward in time.
import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Duration, Instant } from '../domain/time.js';
import { lifecycleTimes, arbPodLifecycle, type PodLifecycle } from './pod-lifecycle.js';
import { MINUTE, SECOND } from './pod-parts.js';
import { podAt } from './pod-snapshot.js';

export { arbPodInstant, arbPodName, waitingReasons, type WaitingReason } from './pod-parts.js';
export {
  arbPodLifecycle,
  lifecycleTimes,
  type LifecycleTimes,
  type PodLifecycle,
  type PodOutcome,
  type StartupTrouble,
} from './pod-lifecycle.js';
export { podAt } from './pod-snapshot.js';
export { arbKubernetesEvent, type EventSubject } from './pod-events.js';

// -------------------------------------------------------------------------------------
// observations
// -------------------------------------------------------------------------------------

/** A pod as seen at `now` (every timestamp in it is at or before `now`). */
export interface PodObservation {
  readonly pod: Pod;
  readonly now: Instant;
}

/** The span of a lifecycle worth observing: from creation to a while after its last step. */
const horizon = (l: PodLifecycle): Duration => {
  const t = lifecycleTimes(l);
  const last = t.finalAt ?? t.runningAt ?? t.startsAt ?? t.scheduledAt ?? l.createdAt;
  return last - l.createdAt + 20 * MINUTE;
};

/** An observation time, in whole seconds after creation: anywhere, or close after one of the lifecycle's steps. */
const arbOffset = (l: PodLifecycle): fc.Arbitrary<number> => {
  const t = lifecycleTimes(l);
  const steps = [t.scheduledAt, t.initEndsAt, t.startsAt, t.runningAt, t.endsAt, t.finalAt]
    .filter((x): x is Instant => x !== undefined)
    .map((x) => Math.floor((x - l.createdAt) / SECOND));
  const max = Math.floor(horizon(l) / SECOND);
  const anywhere = fc.integer({ min: 0, max });
  return steps.length === 0
    ? anywhere
    : fc.oneof(
        anywhere,
        fc
          .tuple(fc.constantFrom(...steps), fc.integer({ min: -5, max: 600 }))
          .map(([s, d]) => Math.min(max, Math.max(0, s + d))),
      );
};

/**
 * Successive observations of one pod: times move forward, and so does its status. Plugin authors use this for
 * monotonicity laws (a terminal phase stays terminal, versions never decrease).
 *
 * @example
 * test.prop([arbPodObservations()])('versions never decrease', ({ observations }) => {
 *   let previous: PluginState | undefined;
 *   for (const { pod, now } of observations) {
 *     const pi = myPlugin.getTaskPhase({ now, config, ...(previous ? { previous } : {}) }, pod);
 *     if (previous?.phase === pi.phase) expect(pi.version).toBeGreaterThanOrEqual(previous.version);
 *     previous = pluginStateOf(pi);
 *   }
 * });
 */
export const arbPodObservations = (
  opts: { readonly minLength?: number; readonly maxLength?: number } = {},
): fc.Arbitrary<{ readonly lifecycle: PodLifecycle; readonly observations: ReadonlyArray<PodObservation> }> =>
  arbPodLifecycle.chain((lifecycle) =>
    fc
      .array(arbOffset(lifecycle), { minLength: opts.minLength ?? 2, maxLength: opts.maxLength ?? 12 })
      .map((offsets) => {
        const times = [...offsets].sort((a, b) => a - b).map((s) => lifecycle.createdAt + s * SECOND);
        return { lifecycle, observations: times.map((now) => ({ pod: podAt(lifecycle, now), now })) };
      }),
  );

/** One observation of a pod at any point of its life. */
export const arbPodObservation: fc.Arbitrary<PodObservation> = arbPodLifecycle.chain((l) =>
  arbOffset(l).map((s) => ({ pod: podAt(l, l.createdAt + s * SECOND), now: l.createdAt + s * SECOND })),
);

/**
 * A pending pod stuck on a waiting reason (ImagePullBackOff, CreateContainerConfigError, ...) of an init or main
 * container, observed while the trouble lasts; the part of a pod's life where grace periods matter.
 */
export const arbWaitingObservation: fc.Arbitrary<PodObservation> = arbPodLifecycle
  .filter((l) => l.trouble !== undefined && l.scheduleAfter !== undefined)
  .chain((l) => {
    const t = lifecycleTimes(l);
    const from =
      l.trouble?.on === 'init'
        ? (t.scheduledAt ?? l.createdAt) + SECOND
        : (t.startsAt ?? l.createdAt) + 2 * SECOND;
    const span = Math.floor((l.trouble?.duration ?? 60 * MINUTE) / SECOND) - 1;
    return fc
      .integer({ min: 0, max: Math.max(0, span) })
      .map((s) => ({ pod: podAt(l, from + s * SECOND), now: from + s * SECOND }));
  });

const inPhase =
  (phase: string) =>
  (o: PodObservation): boolean =>
    o.pod.status?.phase === phase;

/** Pending pods: unscheduled, initializing, pulling images, stuck on a waiting reason; with `now`. */
export const arbPendingObservation: fc.Arbitrary<PodObservation> = arbPodObservation.filter(
  inPhase('Pending'),
);
/** Running pods, with and without a primary container that already ended; with `now`. */
export const arbRunningObservation: fc.Arbitrary<PodObservation> = arbPodObservation.filter(
  inPhase('Running'),
);
/** Succeeded pods (some with an OOM-killed container that still exited 0 are in arbSucceededPod). */
export const arbSucceededObservation: fc.Arbitrary<PodObservation> = arbPodObservation.filter(
  inPhase('Succeeded'),
);
/** Failed pods: exit codes, OOMKilled, SIGKILL, evictions, DisruptionTarget, node shutdown, deadlines. */
export const arbFailedObservation: fc.Arbitrary<PodObservation> = arbPodObservation.filter(inPhase('Failed'));

/** A pending pod as `kubectl get pod -o json` shows it. */
export const arbPendingPod: fc.Arbitrary<Pod> = arbPendingObservation.map((o) => o.pod);
/** A running pod. */
export const arbRunningPod: fc.Arbitrary<Pod> = arbRunningObservation.map((o) => o.pod);
/** A failed pod. */
export const arbFailedPod: fc.Arbitrary<Pod> = arbFailedObservation.map((o) => o.pod);

/** A succeeded pod; sometimes a container was OOM-killed in a child process yet exited 0 (reason OOMKilled). */
export const arbSucceededPod: fc.Arbitrary<Pod> = fc
  .tuple(arbSucceededObservation, fc.boolean(), fc.nat())
  .map(([o, oom, which]) => {
    const statuses = o.pod.status?.containerStatuses ?? [];
    if (!oom || statuses.length === 0) return o.pod;
    const i = which % statuses.length;
    return {
      ...o.pod,
      status: {
        ...o.pod.status,
        containerStatuses: statuses.map((s, j) =>
          j === i && s.state?.terminated !== undefined
            ? { ...s, state: { terminated: { ...s.state.terminated, reason: 'OOMKilled' } } }
            : s,
        ),
      },
    };
  });

/** A pod whose node stopped reporting: phase Unknown, last known container states kept. */
export const arbUnknownPod: fc.Arbitrary<Pod> = arbRunningPod.map((p) => ({
  ...p,
  status: {
    ...p.status,
    phase: 'Unknown',
    reason: 'NodeLost',
    message: 'Node node-a which was running pod is unresponsive',
  },
}));

/** Any realistic pod. */
export const arbPod: fc.Arbitrary<Pod> = fc.oneof(
  arbPendingPod,
  arbRunningPod,
  arbSucceededPod,
  arbFailedPod,
  arbUnknownPod,
);

// -------------------------------------------------------------------------------------
// garbage
// -------------------------------------------------------------------------------------

const GARBAGE_PATHS: ReadonlyArray<ReadonlyArray<string | number>> = [
  [],
  ['kind'],
  ['metadata'],
  ['metadata', 'annotations'],
  ['metadata', 'annotations', 'primary_container_name'],
  ['metadata', 'creationTimestamp'],
  ['spec'],
  ['spec', 'containers'],
  ['status'],
  ['status', 'phase'],
  ['status', 'reason'],
  ['status', 'conditions'],
  ['status', 'conditions', 0],
  ['status', 'conditions', 0, 'lastTransitionTime'],
  ['status', 'conditions', 0, 'status'],
  ['status', 'containerStatuses'],
  ['status', 'containerStatuses', 0],
  ['status', 'containerStatuses', 0, 'state'],
  ['status', 'containerStatuses', 0, 'state', 'terminated'],
  ['status', 'containerStatuses', 0, 'state', 'terminated', 'exitCode'],
  ['status', 'containerStatuses', 0, 'state', 'waiting', 'reason'],
  ['status', 'initContainerStatuses'],
];

const setAt = (u: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown => {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(u) && typeof head === 'number') {
    const copy: unknown[] = [...(u as unknown[])];
    copy[head] = setAt(copy[head], rest, value);
    return copy;
  }
  const obj = typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : {};
  return { ...obj, [String(head)]: setAt(obj[String(head)], rest, value) };
};

/** Pod-shaped values with one part replaced by anything (wrong types, nulls, junk), and plain junk. */
export const arbGarbagePod: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(arbPod, fc.constantFrom(...GARBAGE_PATHS), fc.anything()).map(([p, path, v]) => setAt(p, path, v)),
  fc.tuple(arbPod, fc.constantFrom(...GARBAGE_PATHS)).map(([p, path]) => setAt(p, path, undefined)),
  fc.anything(),
  fc.jsonValue(),
);
