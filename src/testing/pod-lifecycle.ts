// A pod's life as data for the pod arbitraries: its shape, when each step happens, and how it ends.
import fc from 'fast-check';
import type { Duration, Instant } from '../domain/time.js';
import {
  SECOND,
  arbImage,
  arbNamespace,
  arbPodInstant,
  arbPodName,
  arbUid,
  waitingReasons,
  type WaitingReason,
} from './pod-parts.js';

// -------------------------------------------------------------------------------------
// a pod's life as data: what happens, and when
// -------------------------------------------------------------------------------------

/** How a pod that started running ends. `who: 'sidecar'` applies to the first non-primary container. */
export type PodOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'exit'; readonly who: 'primary' | 'sidecar'; readonly exitCode: number }
  | { readonly kind: 'oom'; readonly who: 'primary' | 'sidecar' }
  | { readonly kind: 'sigkill'; readonly who: 'primary' | 'sidecar' }
  | { readonly kind: 'evicted'; readonly withDisruptionTarget: boolean }
  | { readonly kind: 'disruption'; readonly reason: string; readonly message: string }
  | { readonly kind: 'node-shutdown'; readonly reason: 'Shutdown' | 'Terminated' | 'NodeShutdown' }
  | { readonly kind: 'deadline' }
  | { readonly kind: 'runs-forever' };

/** A trouble while the containers start: a waiting reason shown for a while, or for ever. */
export interface StartupTrouble {
  readonly reason: WaitingReason;
  readonly rateLimited: boolean;
  readonly on: 'init' | 'main';
  /** How long it lasts; undefined: for ever. */
  readonly duration: Duration | undefined;
}

/** A pod's whole life: its identity and shape, when each step happens, and how it ends. */
export interface PodLifecycle {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly image: string;
  readonly createdAt: Instant;
  /** The first is the primary. */
  readonly containers: ReadonlyArray<string>;
  readonly initContainers: ReadonlyArray<string>;
  /** Whether the pod carries the `primary_container_name` annotation. */
  readonly annotatePrimary: boolean;
  /** Time from creation to scheduling; undefined: never scheduled. */
  readonly scheduleAfter: Duration | undefined;
  readonly initDuration: Duration;
  readonly trouble: StartupTrouble | undefined;
  readonly runDuration: Duration;
  /** Time between the primary's end and the end of the other containers. */
  readonly teardown: Duration;
  readonly outcome: PodOutcome;
}

const arbOutcome: fc.Arbitrary<PodOutcome> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'success' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('exit' as const),
      who: fc.constantFrom('primary' as const, 'sidecar' as const),
      exitCode: fc.constantFrom(1, 2, 127, 143, 255),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('oom' as const),
      who: fc.constantFrom('primary' as const, 'sidecar' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('sigkill' as const),
      who: fc.constantFrom('primary' as const, 'sidecar' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('evicted' as const), withDisruptionTarget: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      {
        kind: 'disruption' as const,
        reason: 'PreemptionByScheduler',
        message: 'default-scheduler: preempting to accommodate a higher priority pod',
      },
      { kind: 'disruption' as const, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' },
      {
        kind: 'disruption' as const,
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
      },
      { kind: 'disruption' as const, reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('node-shutdown' as const),
      reason: fc.constantFrom('Shutdown' as const, 'Terminated' as const, 'NodeShutdown' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'deadline' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'runs-forever' as const }) },
);

const arbTrouble: fc.Arbitrary<StartupTrouble> = fc.record({
  reason: fc.constantFrom(
    ...waitingReasons.filter((r) => r !== 'ContainerCreating' && r !== 'PodInitializing'),
  ),
  rateLimited: fc.boolean(),
  on: fc.constantFrom('init' as const, 'main' as const),
  duration: fc.option(
    fc.integer({ min: 5, max: 900 }).map((s) => s * SECOND),
    { nil: undefined },
  ),
});

/**
 * A pod's life: a task pod (restartPolicy Never) with a primary container, maybe sidecars and an init container,
 * scheduled after a while (or never), maybe troubled while starting, ending in one of the outcomes Kubernetes
 * produces. Turn it into pods with {@link podAt}.
 */
export const arbPodLifecycle: fc.Arbitrary<PodLifecycle> = fc
  .record({
    name: arbPodName,
    namespace: arbNamespace,
    uid: arbUid,
    image: arbImage,
    createdAt: arbPodInstant,
    sidecars: fc.integer({ min: 0, max: 2 }),
    init: fc.boolean(),
    annotatePrimary: fc.boolean(),
    scheduleAfter: fc.option(
      fc
        .oneof(
          { weight: 3, arbitrary: fc.integer({ min: 0, max: 30 }) },
          { weight: 1, arbitrary: fc.integer({ min: 31, max: 1200 }) },
        )
        .map((s) => s * SECOND),
      { nil: undefined, freq: 8 },
    ),
    initDuration: fc.integer({ min: 1, max: 120 }).map((s) => s * SECOND),
    trouble: fc.option(arbTrouble, { nil: undefined, freq: 2 }),
    runDuration: fc.integer({ min: 1, max: 7200 }).map((s) => s * SECOND),
    teardown: fc.integer({ min: 1, max: 60 }).map((s) => s * SECOND),
    outcome: arbOutcome,
  })
  .map((r): PodLifecycle => ({
    name: r.name,
    namespace: r.namespace,
    uid: r.uid,
    image: r.image,
    createdAt: r.createdAt,
    containers: ['primary', 'sidecar', 'proxy'].slice(0, 1 + r.sidecars),
    initContainers: r.init ? ['fetch-inputs'] : [],
    annotatePrimary: r.annotatePrimary,
    scheduleAfter: r.scheduleAfter,
    initDuration: r.initDuration,
    trouble: r.trouble === undefined || (r.trouble.on === 'init' && !r.init) ? undefined : r.trouble,
    runDuration: r.runDuration,
    teardown: r.teardown,
    // A sidecar outcome needs a sidecar; without one, the primary is the container it happens to.
    outcome:
      r.sidecars === 0 && 'who' in r.outcome && r.outcome.who === 'sidecar'
        ? { ...r.outcome, who: 'primary' as const }
        : r.outcome,
  }));

/** The moments of a life; undefined when the step never comes. */
export interface LifecycleTimes {
  readonly scheduledAt: Instant | undefined;
  readonly initEndsAt: Instant | undefined;
  readonly startsAt: Instant | undefined;
  readonly runningAt: Instant | undefined;
  readonly endsAt: Instant | undefined;
  readonly finalAt: Instant | undefined;
}

/** `a + d`, or undefined when either is. */
export const plus = (a: Instant | undefined, d: Duration | undefined): Instant | undefined =>
  a === undefined || d === undefined ? undefined : a + d;

/**
 * When each step of a generated pod life happens (epoch milliseconds), so a test can observe the pod before,
 * at and after each one.
 */
export const lifecycleTimes = (l: PodLifecycle): LifecycleTimes => {
  const scheduledAt = plus(l.createdAt, l.scheduleAfter);
  const initTrouble = l.trouble?.on === 'init' ? l.trouble : undefined;
  const mainTrouble = l.trouble?.on === 'main' ? l.trouble : undefined;
  const initStarts = plus(scheduledAt, SECOND);
  const initEndsAt =
    l.initContainers.length === 0
      ? scheduledAt
      : plus(plus(initStarts, initTrouble === undefined ? 0 : initTrouble.duration), l.initDuration);
  const startsAt = plus(initEndsAt, SECOND);
  const runningAt = plus(
    startsAt,
    mainTrouble === undefined ? 2 * SECOND : plus(2 * SECOND, mainTrouble.duration),
  );
  const endsAt = l.outcome.kind === 'runs-forever' ? undefined : plus(runningAt, l.runDuration);
  const finalAt = plus(endsAt, l.teardown);
  return { scheduledAt, initEndsAt, startsAt, runningAt, endsAt, finalAt };
};
