// Pods from the corners a task pod's ordinary life does not reach, and a pass that perturbs any generated pod.
import fc from 'fast-check';
import type { ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Instant } from '../domain/time.js';
import { arbPodLifecycle, lifecycleTimes } from './pod-lifecycle.js';
import { SECOND, condition, runningStatus, terminatedStatus, ts, waitingStatus } from './pod-parts.js';
import { podAt } from './pod-snapshot.js';

/** A pod as seen at `now`. */
interface Observation {
  readonly pod: Pod;
  readonly now: Instant;
}

// -------------------------------------------------------------------------------------
// editing a pod
// -------------------------------------------------------------------------------------

const withStatus = (pod: Pod, f: (s: PodStatus) => PodStatus): Pod => ({
  ...pod,
  status: f(pod.status ?? {}),
});

type StatusList = 'containerStatuses' | 'initContainerStatuses' | 'ephemeralContainerStatuses';

const mapList = (pod: Pod, list: StatusList, f: (c: ContainerStatus, i: number) => ContainerStatus): Pod =>
  withStatus(pod, (s) => (s[list] === undefined ? s : { ...s, [list]: s[list].map(f) }));

const withConditions = (pod: Pod, f: (cs: ReadonlyArray<PodCondition>) => PodCondition[]): Pod =>
  withStatus(pod, (s) => ({ ...s, conditions: f(s.conditions ?? []) }));

const withRestartPolicy = (pod: Pod, policy: string): Pod => ({
  ...pod,
  spec: { containers: [], ...pod.spec, restartPolicy: policy },
});

const primaryOf = (pod: Pod): string => pod.spec?.containers[0]?.name ?? 'primary';

/** A termination as the kubelet records it, exit code and reason as given (reason `undefined`: none at all). */
const ended = (at: Instant, exitCode: number, reason: string | undefined) => ({
  exitCode,
  ...(reason === undefined ? {} : { reason }),
  startedAt: ts(at - 30 * SECOND),
  finishedAt: ts(at),
});

const arbExit = fc.constantFrom(
  { exitCode: 1, reason: 'Error' },
  { exitCode: 2, reason: 'Error' },
  { exitCode: 137, reason: undefined },
  { exitCode: 137, reason: '' },
  { exitCode: 137, reason: 'OOMKilled' },
  { exitCode: 247, reason: 'Error' },
  { exitCode: 143, reason: 'Error' },
);

const arbObserved: fc.Arbitrary<Observation> = arbPodLifecycle.chain((l) => {
  const t = lifecycleTimes(l);
  const last = t.finalAt ?? t.runningAt ?? t.startsAt ?? t.scheduledAt ?? l.createdAt;
  return fc
    .integer({ min: 0, max: Math.floor((last - l.createdAt) / SECOND) + 600 })
    .map((s) => ({ pod: podAt(l, l.createdAt + s * SECOND), now: l.createdAt + s * SECOND }));
});

const inPhase = (phases: ReadonlyArray<string>) => (o: Observation) =>
  phases.includes(o.pod.status?.phase ?? '');

// -------------------------------------------------------------------------------------
// regions
// -------------------------------------------------------------------------------------

/** An init container that exited non-zero: the pod Failed (restartPolicy Never) or backing off to restart it. */
const arbInitFailure: fc.Arbitrary<Observation> = fc
  .tuple(
    arbObserved.filter((o) => (o.pod.status?.initContainerStatuses ?? []).length > 0),
    arbExit,
    fc.constantFrom('Never', 'OnFailure', 'Always'),
    fc.integer({ min: 1, max: 9 }),
  )
  .map(([o, exit, policy, restarts]) => {
    const at = o.now - SECOND;
    const pod = mapList(withRestartPolicy(o.pod, policy), 'initContainerStatuses', (c, i) =>
      i > 0
        ? c
        : policy === 'Never'
          ? { ...c, ready: false, state: { terminated: ended(at, exit.exitCode, exit.reason) } }
          : {
              ...waitingStatus(c.name, c.image, 'CrashLoopBackOff', false),
              restartCount: restarts,
              lastState: { terminated: ended(at, exit.exitCode, exit.reason) },
            },
    );
    return {
      now: o.now,
      pod: withStatus(pod, (s) => ({ ...s, phase: policy === 'Never' ? 'Failed' : 'Pending' })),
    };
  });

/** A container restarted by its restart policy: restarts and lastState, running again or in CrashLoopBackOff. */
const arbRestarted: fc.Arbitrary<Observation> = fc
  .tuple(
    arbObserved.filter(inPhase(['Running', 'Failed', 'Succeeded'])),
    arbExit,
    fc.constantFrom('OnFailure', 'Always'),
    fc.integer({ min: 1, max: 12 }),
    fc.boolean(),
    fc.nat(),
  )
  .map(([o, exit, policy, restarts, crashLooping, which]) => {
    const n = (o.pod.status?.containerStatuses ?? []).length;
    const target = n === 0 ? -1 : which % n;
    const last = { terminated: ended(o.now - 40 * SECOND, exit.exitCode, exit.reason) };
    const pod = mapList(withRestartPolicy(o.pod, policy), 'containerStatuses', (c, i) => {
      if (i !== target) return c;
      if (crashLooping && o.pod.status?.phase === 'Running') {
        return {
          ...waitingStatus(c.name, c.image, 'CrashLoopBackOff', false),
          restartCount: restarts,
          lastState: last,
        };
      }
      return { ...c, restartCount: restarts, lastState: last };
    });
    return { now: o.now, pod };
  });

/** Exit codes the lifecycle does not write: 247 (a wrapped SIGKILL), 137 without a reason, 143. */
const arbOddExitCodes: fc.Arbitrary<Observation> = fc
  .tuple(arbObserved.filter(inPhase(['Running', 'Failed', 'Succeeded'])), arbExit)
  .map(([o, exit]) => ({
    now: o.now,
    pod: mapList(o.pod, 'containerStatuses', (c) => {
      const t = c.state?.terminated;
      if (t === undefined || t.exitCode === 0) return c;
      const { reason: _dropped, ...rest } = t;
      return {
        ...c,
        state: {
          terminated: {
            ...rest,
            exitCode: exit.exitCode,
            ...(exit.reason === undefined ? {} : { reason: exit.reason }),
          },
        },
      };
    }),
  }));

/** A native sidecar (an init container with restartPolicy Always, Kubernetes 1.29+) beside the main containers. */
const arbNativeSidecar: fc.Arbitrary<Observation> = fc
  .tuple(
    arbObserved.filter(inPhase(['Running', 'Succeeded', 'Failed'])),
    fc.constantFrom('running', 'main-done', 'stopped'),
    fc.constantFrom(0, 137, 143),
  )
  .map(([o, stage, exitCode]) => {
    const startedAt = o.now - 60 * SECOND;
    const sidecar =
      stage === 'stopped'
        ? terminatedStatus(
            'proxy',
            'envoy:v1',
            startedAt,
            o.now - SECOND,
            exitCode,
            exitCode === 0 ? 'Completed' : 'Error',
          )
        : runningStatus('proxy', 'envoy:v1', startedAt);
    const spec = {
      containers: [],
      ...o.pod.spec,
      initContainers: [{ name: 'proxy', image: 'envoy:v1', restartPolicy: 'Always' }],
    };
    let pod: Pod = { ...o.pod, spec };
    pod = withStatus(pod, (s) => ({ ...s, initContainerStatuses: [sidecar] }));
    if (stage === 'main-done') {
      // Every main container exited 0 and the kubelet has not stopped the sidecar yet: the pod is still Running.
      pod = mapList(pod, 'containerStatuses', (c) => ({
        ...c,
        ready: false,
        state: { terminated: ended(o.now - 2 * SECOND, 0, 'Completed') },
      }));
      pod = withStatus(pod, (s) => ({ ...s, phase: 'Running' }));
    }
    return { now: o.now, pod };
  });

/** An ephemeral debug container, running or ended. */
const arbEphemeral: fc.Arbitrary<Observation> = fc
  .tuple(
    arbObserved.filter(inPhase(['Running', 'Failed', 'Succeeded'])),
    fc.option(arbExit, { nil: undefined }),
  )
  .map(([o, exit]) => {
    const status =
      exit === undefined
        ? runningStatus('debugger', 'busybox:1.36', o.now - 30 * SECOND)
        : {
            ...runningStatus('debugger', 'busybox:1.36', o.now - 30 * SECOND),
            state: { terminated: ended(o.now - SECOND, exit.exitCode, exit.reason) },
          };
    return {
      now: o.now,
      pod: withStatus(
        {
          ...o.pod,
          spec: {
            containers: [],
            ...o.pod.spec,
            ephemeralContainers: [{ name: 'debugger', image: 'busybox:1.36' }],
          },
        },
        (s) => ({ ...s, ephemeralContainerStatuses: [status] }),
      ),
    };
  });

/** Small marks on any pod: being deleted, a cleared DisruptionTarget, a lost node, the primary somewhere else. */
const arbMarked: fc.Arbitrary<Observation> = fc
  .tuple(
    arbObserved,
    fc.constantFrom(
      'deleting',
      'disruption-false',
      'unknown',
      'primary-not-first',
      'ghost-primary',
      'no-statuses',
    ),
  )
  .map(([o, mark]) => {
    const pod = o.pod;
    switch (mark) {
      case 'deleting':
        return {
          now: o.now,
          pod: {
            ...pod,
            metadata: {
              ...pod.metadata,
              deletionTimestamp: ts(o.now - 5 * SECOND),
              deletionGracePeriodSeconds: 30,
            },
          },
        };
      case 'disruption-false':
        return {
          now: o.now,
          pod: withConditions(pod, (cs) => [
            ...cs,
            condition(
              'DisruptionTarget',
              'False',
              o.now - 10 * SECOND,
              'PreemptionByScheduler',
              'preemption cancelled',
            ),
          ]),
        };
      case 'unknown':
        return {
          now: o.now,
          pod: withStatus(pod, (s) => ({
            ...s,
            phase: 'Unknown',
            reason: 'NodeLost',
            message: 'Node node-a is unresponsive',
          })),
        };
      case 'primary-not-first': {
        const spec = pod.spec;
        const primary = primaryOf(pod);
        return {
          now: o.now,
          pod: withStatus(
            {
              ...pod,
              metadata: {
                ...pod.metadata,
                annotations: { ...pod.metadata?.annotations, primary_container_name: primary },
              },
              ...(spec === undefined
                ? {}
                : { spec: { ...spec, containers: [...spec.containers].reverse() } }),
            },
            (s) =>
              s.containerStatuses === undefined
                ? s
                : { ...s, containerStatuses: [...s.containerStatuses].reverse() },
          ),
        };
      }
      case 'ghost-primary':
        return {
          now: o.now,
          pod: {
            ...pod,
            metadata: {
              ...pod.metadata,
              annotations: { ...pod.metadata?.annotations, primary_container_name: 'ghost' },
            },
          },
        };
      case 'no-statuses':
        return {
          now: o.now,
          pod: withStatus(
            {
              ...pod,
              metadata: {
                ...pod.metadata,
                annotations: { ...pod.metadata?.annotations, primary_container_name: primaryOf(pod) },
              },
            },
            (s) => {
              const { containerStatuses: _dropped, ...rest } = s;
              return rest;
            },
          ),
        };
    }
  });

/** Phases and conditions outside a pod's ordinary life: none yet, the legacy Unschedulable ones, nonsense. */
const arbOddPhase: fc.Arbitrary<Observation> = fc
  .tuple(
    arbObserved,
    fc.constantFrom('none', 'no-status', 'Unschedulable', 'Bogus', 'unschedulable-condition'),
  )
  .map(([o, odd]) => {
    switch (odd) {
      case 'none':
        return {
          now: o.now,
          pod: withStatus(o.pod, (s) => {
            const { phase: _dropped, ...rest } = s;
            return rest;
          }),
        };
      case 'no-status': {
        const { status: _dropped, ...rest } = o.pod;
        return { now: o.now, pod: rest };
      }
      case 'unschedulable-condition':
        return {
          now: o.now,
          pod: withConditions(o.pod, (cs) => [
            condition(
              'Unschedulable',
              'True',
              o.now - 30 * SECOND,
              'Unschedulable',
              '0/3 nodes are available',
            ),
            ...cs,
          ]),
        };
      default:
        return { now: o.now, pod: withStatus(o.pod, (s) => ({ ...s, phase: odd })) };
    }
  });

/** Conditions without lastTransitionTime (written by other controllers, or by hand). */
const arbUntimedConditions: fc.Arbitrary<Observation> = fc
  .tuple(arbObserved, fc.boolean())
  .map(([o, all]) => ({
    now: o.now,
    pod: withConditions(o.pod, (cs) =>
      cs.map((c, i) => {
        if (!all && i !== cs.length - 1 && c.type !== 'Ready') return c;
        const { lastTransitionTime: _dropped, ...rest } = c;
        return rest;
      }),
    ),
  }));

/** Values that are not pods but look like one (Flyte's plugin gets these as a wrong type). */
const arbNotAPod: fc.Arbitrary<Observation> = fc
  .tuple(arbObserved, fc.constantFrom('ConfigMap', 'Job', 'Deployment'))
  .map(([o, kind]) => ({ now: o.now, pod: { ...o.pod, kind } as unknown as Pod }));

// -------------------------------------------------------------------------------------
// the perturbation pass
// -------------------------------------------------------------------------------------

type Perturbation = (o: Observation, n: number) => Pod;

const pick = <A>(xs: ReadonlyArray<A>, n: number): A | undefined =>
  xs.length === 0 ? undefined : xs[n % xs.length];

const LISTS: ReadonlyArray<StatusList> = ['containerStatuses', 'initContainerStatuses'];

const perturbations: ReadonlyArray<Perturbation> = [
  // drop a field
  ({ pod }) =>
    withStatus(pod, (s) => {
      const { reason: _dropped, ...rest } = s;
      return rest;
    }),
  ({ pod }, n) => withConditions(pod, (cs) => cs.filter((_c, i) => i !== n % Math.max(1, cs.length))),
  ({ pod }, n) => {
    const list = pick(LISTS, n) ?? 'containerStatuses';
    return withStatus(pod, (s) =>
      s[list] === undefined
        ? s
        : { ...s, [list]: s[list].filter((_c, i) => i !== n % Math.max(1, s[list]?.length ?? 1)) },
    );
  },
  ({ pod }, n) =>
    mapList(pod, pick(LISTS, n) ?? 'containerStatuses', (c, i) => (i === 0 ? { ...c, state: {} } : c)),
  ({ pod }) =>
    mapList(pod, 'containerStatuses', (c) => {
      const t = c.state?.terminated;
      if (t === undefined) return c;
      const { reason: _dropped, ...rest } = t;
      return { ...c, state: { terminated: rest } };
    }),
  // swap a state
  ({ pod }, n) =>
    mapList(pod, pick(LISTS, n) ?? 'containerStatuses', (c, i) =>
      i === n % 2 ? { ...c, state: c.lastState ?? {}, lastState: c.state ?? {} } : c,
    ),
  ({ pod, now }, n) =>
    mapList(pod, 'containerStatuses', (c, i) =>
      i !== n % 3
        ? c
        : {
            ...c,
            state:
              c.state?.running !== undefined
                ? {
                    terminated: ended(now - SECOND, n % 2 === 0 ? 0 : 1, n % 2 === 0 ? 'Completed' : 'Error'),
                  }
                : c.state?.terminated !== undefined
                  ? { running: { startedAt: ts(now - 10 * SECOND) } }
                  : {
                      waiting: {
                        reason: pick(['ContainerCreating', 'CrashLoopBackOff', 'ImagePullBackOff'], n) ?? '',
                      },
                    },
          },
    ),
  // shift a timestamp
  ({ pod }, n) =>
    withConditions(pod, (cs) =>
      cs.map((c, i) => {
        const at = c.lastTransitionTime === undefined ? undefined : Date.parse(c.lastTransitionTime);
        return i !== n % Math.max(1, cs.length) || at === undefined
          ? c
          : { ...c, lastTransitionTime: ts(at + ((n % 1801) - 900) * SECOND) };
      }),
    ),
  // reorder containers
  ({ pod }) => ({
    ...withStatus(pod, (s) =>
      s.containerStatuses === undefined ? s : { ...s, containerStatuses: [...s.containerStatuses].reverse() },
    ),
  }),
];

/** One to three perturbations of a generated pod: a field dropped, a state swapped, a time shifted, an order changed. */
export const perturbed = (base: fc.Arbitrary<Observation>): fc.Arbitrary<Observation> =>
  fc
    .tuple(
      base,
      fc.array(fc.tuple(fc.nat({ max: perturbations.length - 1 }), fc.nat()), { minLength: 1, maxLength: 3 }),
    )
    .map(([o, steps]) =>
      steps.reduce<Observation>((acc, [which, n]) => {
        const p = perturbations[which];
        return p === undefined ? acc : { now: acc.now, pod: p(acc, n) };
      }, o),
    );

/**
 * Pods from the regions an ordinary task pod's life does not reach: init containers that exit non-zero, restart
 * policies other than Never with restarts and lastState, exit codes 247 and 137 without a reason, native sidecars,
 * ephemeral containers, deletion, DisruptionTarget=False, Unknown from any phase, the primary not first or missing,
 * no phase or odd phases, conditions without lastTransitionTime, and values of another kind; with `now`.
 */
export const arbPodCorner: fc.Arbitrary<Observation> = fc.oneof(
  arbInitFailure,
  arbRestarted,
  arbOddExitCodes,
  arbNativeSidecar,
  arbEphemeral,
  arbMarked,
  arbOddPhase,
  arbUntimedConditions,
  { weight: 1, arbitrary: arbNotAPod },
);

/** Any pod worth comparing: an ordinary life, a corner, or either perturbed. */
export const arbWidePodObservation = (ordinary: fc.Arbitrary<Observation>): fc.Arbitrary<Observation> =>
  fc.oneof(
    { weight: 5, arbitrary: ordinary },
    { weight: 3, arbitrary: arbPodCorner },
    { weight: 2, arbitrary: perturbed(fc.oneof(ordinary, arbPodCorner)) },
  );
