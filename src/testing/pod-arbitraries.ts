// fast-check arbitraries for pods as the kubelet writes them, and for their status moving forward in time.
import fc from 'fast-check';
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { formatInstant, type Duration, type Instant } from '../domain/time.js';

// -------------------------------------------------------------------------------------
// building blocks
// -------------------------------------------------------------------------------------

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** An instant between 2024 and 2027, on a whole second (Kubernetes timestamps have second precision). */
export const arbPodInstant: fc.Arbitrary<Instant> = fc
  .integer({ min: 1_704_067_200, max: 1_798_761_600 })
  .map((s) => s * SECOND);

const HEX = '0123456789abcdef'.split('');
const arbHex = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...HEX), { minLength: n, maxLength: n }).map((cs) => cs.join(''));

const arbUid: fc.Arbitrary<string> = fc
  .tuple(arbHex(8), arbHex(4), arbHex(4), arbHex(4), arbHex(12))
  .map((parts) => parts.join('-'));

/** A generated pod name like Flyte v2's `<run>-<action>-<attempt>`. */
export const arbPodName: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('r', 'run', 'f'),
    arbHex(6),
    fc.constantFrom('a0', 'train', 'n1', 'eval-step'),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([p, h, a, n]) => `${p}${h}-${a}-${n}`);

const arbNamespace = fc.constantFrom('default', 'flytesnacks-development', 'ml-team', 'kubetasks');
const arbImage = fc.constantFrom('python:3.12', 'ghcr.io/example/trainer:v1', 'busybox:1.36');

/** Kubelet waiting reasons, with messages shaped like the kubelet's. */
export const waitingReasons = [
  'ContainerCreating',
  'PodInitializing',
  'ErrImagePull',
  'ImagePullBackOff',
  'CreateContainerError',
  'CreateContainerConfigError',
  'InvalidImageName',
  'RunContainerError',
  'CrashLoopBackOff',
  'RegistryUnavailable',
] as const;
export type WaitingReason = (typeof waitingReasons)[number];

const waitingMessage = (reason: WaitingReason, image: string, rateLimited: boolean): string => {
  switch (reason) {
    case 'ContainerCreating':
    case 'PodInitializing':
      return '';
    case 'ErrImagePull':
      return `rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/${image}": not found`;
    case 'ImagePullBackOff':
      return rateLimited
        ? `Back-off pulling image "${image}": ErrImagePull: failed to pull and unpack image "docker.io/library/${image}": unexpected status from GET request: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.`
        : `Back-off pulling image "${image}"`;
    case 'CreateContainerError':
      return 'failed to reserve container name "app_pod_default_1_0": name "app_pod_default_1_0" is reserved for "4a3f"';
    case 'CreateContainerConfigError':
      return 'secret "db-credentials" not found';
    case 'InvalidImageName':
      return `Failed to apply default image tag "${image.toUpperCase()}": couldn't parse image name: invalid reference format: repository name must be lowercase`;
    case 'RunContainerError':
      return 'failed to create containerd task: failed to create shim task: OCI runtime create failed: exec: "pyhton": executable file not found in $PATH: unknown';
    case 'CrashLoopBackOff':
      return 'back-off 40s restarting failed container=app pod=p_default(uid)';
    case 'RegistryUnavailable':
      return 'rpc error: code = Unavailable desc = registry unavailable';
  }
};

const ts = (i: Instant): string => formatInstant(i);

const condition = (
  type: string,
  status: 'True' | 'False',
  at: Instant,
  reason?: string,
  message?: string,
): PodCondition => ({
  type,
  status,
  lastTransitionTime: ts(at),
  ...(reason === undefined ? {} : { reason }),
  ...(message === undefined ? {} : { message }),
});

const containerId = (name: string, at: Instant): string =>
  `containerd://${(name + String(at))
    .split('')
    .map((c) => c.charCodeAt(0).toString(16))
    .join('')
    .padEnd(64, '0')
    .slice(0, 64)}`;

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

const plus = (a: Instant | undefined, d: Duration | undefined): Instant | undefined =>
  a === undefined || d === undefined ? undefined : a + d;

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

// -------------------------------------------------------------------------------------
// snapshots
// -------------------------------------------------------------------------------------

const waitingStatus = (
  name: string,
  image: string,
  reason: WaitingReason,
  rateLimited: boolean,
): ContainerStatus => {
  const message = waitingMessage(reason, image, rateLimited);
  return {
    name,
    image,
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason, ...(message === '' ? {} : { message }) } },
  };
};

const runningStatus = (name: string, image: string, since: Instant, ready = true): ContainerStatus => ({
  name,
  image,
  imageID: `docker.io/library/${image}@sha256:${'a'.repeat(64)}`,
  containerID: containerId(name, since),
  ready,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: ts(since) } },
});

const terminatedStatus = (
  name: string,
  image: string,
  since: Instant,
  until: Instant,
  exitCode: number,
  reason: string,
  message?: string,
): ContainerStatus => ({
  name,
  image,
  imageID: `docker.io/library/${image}@sha256:${'a'.repeat(64)}`,
  containerID: containerId(name, since),
  ready: false,
  restartCount: 0,
  started: false,
  state: {
    terminated: {
      exitCode,
      reason,
      startedAt: ts(since),
      finishedAt: ts(until),
      containerID: containerId(name, since),
      ...(message === undefined ? {} : { message }),
    },
  },
});

/** Which container ends first (at `endsAt`); the others end with the pod (at `finalAt`). */
const endsFirst = (l: PodLifecycle, name: string): boolean => {
  const o = l.outcome;
  const who = o.kind === 'exit' || o.kind === 'oom' || o.kind === 'sigkill' ? o.who : 'primary';
  return who === 'primary' ? name === l.containers[0] : name === l.containers[1];
};

/** How a container's final state looks for an outcome. */
const finalStatus = (
  l: PodLifecycle,
  name: string,
  runningAt: Instant,
  endsAt: Instant,
  finalAt: Instant,
): ContainerStatus => {
  const o = l.outcome;
  const first = endsFirst(l, name);
  const at = first ? endsAt : finalAt;
  switch (o.kind) {
    case 'exit':
      return first
        ? terminatedStatus(name, l.image, runningAt, at, o.exitCode, 'Error')
        : terminatedStatus(name, l.image, runningAt, at, 0, 'Completed');
    case 'oom':
      return terminatedStatus(
        name,
        l.image,
        runningAt,
        at,
        first ? 137 : 0,
        first ? 'OOMKilled' : 'Completed',
      );
    case 'sigkill':
      return terminatedStatus(name, l.image, runningAt, at, first ? 137 : 0, first ? 'Error' : 'Completed');
    case 'evicted':
    case 'disruption':
    case 'node-shutdown':
    case 'deadline':
      return terminatedStatus(name, l.image, runningAt, finalAt, 137, 'Error');
    case 'success':
    case 'runs-forever':
      return terminatedStatus(name, l.image, runningAt, at, 0, 'Completed');
  }
};

/** Pod-level reason, message and extra conditions of a failed pod. */
const podLevel = (
  l: PodLifecycle,
  announcedAt: Instant,
): { reason?: string; message?: string; conditions: PodCondition[] } => {
  const o = l.outcome;
  switch (o.kind) {
    case 'evicted':
      return {
        reason: 'Evicted',
        message:
          'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi. Container primary was using 1530Mi, request is 1Gi, has larger consumption of memory. ',
        conditions: o.withDisruptionTarget
          ? [
              condition(
                'DisruptionTarget',
                'True',
                announcedAt,
                'TerminationByKubelet',
                'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi. ',
              ),
            ]
          : [],
      };
    case 'disruption':
      return { conditions: [condition('DisruptionTarget', 'True', announcedAt, o.reason, o.message)] };
    case 'node-shutdown':
      return {
        reason: o.reason,
        message: 'Pod was terminated in response to imminent node shutdown.',
        conditions: [
          condition(
            'DisruptionTarget',
            'True',
            announcedAt,
            'TerminationByKubelet',
            'Pod was terminated in response to imminent node shutdown.',
          ),
        ],
      };
    case 'deadline':
      return {
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
        conditions: [],
      };
    case 'success':
    case 'exit':
    case 'oom':
    case 'sigkill':
    case 'runs-forever':
      return { conditions: [] };
  }
};

/** Whether the outcome ends the pod as a whole (the kubelet or the control plane stops every container). */
const endsPodAtOnce = (o: PodOutcome): boolean =>
  o.kind === 'evicted' || o.kind === 'disruption' || o.kind === 'node-shutdown' || o.kind === 'deadline';

/**
 * The pod of a lifecycle as `kubectl get pod -o json` shows it at instant `at`. Statuses only move forward: for
 * `a <= b`, `podAt(l, b)` is what the pod of `podAt(l, a)` became.
 */
export const podAt = (l: PodLifecycle, at: Instant): Pod => {
  const times = lifecycleTimes(l);
  const primary = l.containers[0] ?? 'primary';
  const meta = {
    name: l.name,
    namespace: l.namespace,
    uid: l.uid,
    resourceVersion: String(Math.floor(at / SECOND) % 1_000_000),
    creationTimestamp: ts(l.createdAt),
    labels: { 'kubetasks.dev/managed': 'true' },
    annotations: {
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
      ...(l.annotatePrimary ? { primary_container_name: primary } : {}),
    },
  };
  const spec = {
    restartPolicy: 'Never',
    containers: l.containers.map((name) => ({ name, image: l.image })),
    ...(l.initContainers.length === 0
      ? {}
      : { initContainers: l.initContainers.map((name) => ({ name, image: l.image })) }),
    ...(times.scheduledAt !== undefined && at >= times.scheduledAt ? { nodeName: 'node-a' } : {}),
  };
  const pod = (status: NonNullable<Pod['status']>): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec,
    status,
  });

  // Not scheduled yet.
  if (times.scheduledAt === undefined || at < times.scheduledAt) {
    const triedAt = l.createdAt + SECOND;
    const unschedulable = (l.scheduleAfter === undefined || l.scheduleAfter >= 5 * SECOND) && at >= triedAt;
    return pod({
      phase: 'Pending',
      qosClass: 'Burstable',
      ...(unschedulable
        ? {
            conditions: [
              condition(
                'PodScheduled',
                'False',
                triedAt,
                'Unschedulable',
                '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
              ),
            ],
          }
        : {}),
    });
  }
  const scheduled = times.scheduledAt;
  const base = { hostIP: '10.0.0.7', podIP: '10.244.1.23', qosClass: 'Burstable', startTime: ts(scheduled) };
  const notReady = (since: Instant, initialized: boolean): PodCondition[] => [
    condition('PodReadyToStartContainers', 'True', scheduled),
    initialized
      ? condition('Initialized', 'True', times.initEndsAt ?? scheduled)
      : condition(
          'Initialized',
          'False',
          scheduled,
          'ContainersNotInitialized',
          `containers with incomplete status: [${l.initContainers.join(' ')}]`,
        ),
    condition(
      'Ready',
      'False',
      since,
      'ContainersNotReady',
      `containers with unready status: [${l.containers.join(' ')}]`,
    ),
    condition(
      'ContainersReady',
      'False',
      since,
      'ContainersNotReady',
      `containers with unready status: [${l.containers.join(' ')}]`,
    ),
    condition('PodScheduled', 'True', scheduled),
  ];
  const initDone = (until: Instant): ContainerStatus[] =>
    l.initContainers.map((name) =>
      terminatedStatus(name, l.image, scheduled + SECOND, until, 0, 'Completed'),
    );

  // Init containers.
  if (l.initContainers.length > 0 && (times.initEndsAt === undefined || at < times.initEndsAt + SECOND)) {
    const trouble = l.trouble?.on === 'init' ? l.trouble : undefined;
    const troubleEnds = plus(scheduled + SECOND, trouble?.duration);
    const initStatus = (name: string): ContainerStatus =>
      trouble !== undefined && (troubleEnds === undefined || at < troubleEnds) && at >= scheduled + SECOND
        ? waitingStatus(name, l.image, trouble.reason, trouble.rateLimited)
        : at < scheduled + SECOND
          ? waitingStatus(name, l.image, 'PodInitializing', false)
          : runningStatus(name, l.image, troubleEnds ?? scheduled + SECOND, false);
    return pod({
      ...base,
      phase: 'Pending',
      conditions: notReady(scheduled, false),
      initContainerStatuses: l.initContainers.map(initStatus),
      containerStatuses: l.containers.map((name) => waitingStatus(name, l.image, 'PodInitializing', false)),
    });
  }
  const initialized = l.initContainers.length > 0 ? initDone(times.initEndsAt ?? scheduled) : [];

  // Main containers starting.
  if (times.runningAt === undefined || at < times.runningAt) {
    const trouble = l.trouble?.on === 'main' ? l.trouble : undefined;
    const startsAt = times.startsAt ?? scheduled;
    const troubled = trouble !== undefined && at >= startsAt + 2 * SECOND;
    return pod({
      ...base,
      phase: 'Pending',
      conditions: notReady(scheduled, true),
      ...(initialized.length === 0 ? {} : { initContainerStatuses: initialized }),
      containerStatuses: l.containers.map((name, i) =>
        troubled && i === 0
          ? waitingStatus(name, l.image, trouble.reason, trouble.rateLimited)
          : waitingStatus(name, l.image, 'ContainerCreating', false),
      ),
    });
  }
  const runningAt = times.runningAt;
  const readyConditions = (): PodCondition[] => [
    condition('PodReadyToStartContainers', 'True', scheduled),
    condition('Initialized', 'True', times.initEndsAt ?? scheduled),
    condition('Ready', 'True', runningAt),
    condition('ContainersReady', 'True', runningAt),
    condition('PodScheduled', 'True', scheduled),
  ];
  const withInit = initialized.length === 0 ? {} : { initContainerStatuses: initialized };

  // Running.
  if (times.endsAt === undefined || at < times.endsAt) {
    return pod({
      ...base,
      phase: 'Running',
      conditions: readyConditions(),
      ...withInit,
      containerStatuses: l.containers.map((name) => runningStatus(name, l.image, runningAt)),
    });
  }
  const endsAt = times.endsAt;
  const finalAt = times.finalAt ?? endsAt;
  const o = l.outcome;

  // The pod is being stopped as a whole: a disruption is announced before the containers are killed.
  if (endsPodAtOnce(o) && at < finalAt) {
    return pod({
      ...base,
      phase: 'Running',
      conditions: [...readyConditions(), ...podLevel(l, endsAt).conditions],
      ...withInit,
      containerStatuses: l.containers.map((name) => runningStatus(name, l.image, runningAt)),
    });
  }

  // The primary (or a sidecar) ended; the others still run until the teardown is over.
  if (!endsPodAtOnce(o) && at < finalAt && l.containers.length > 1) {
    return pod({
      ...base,
      phase: 'Running',
      conditions: [
        condition('PodReadyToStartContainers', 'True', scheduled),
        condition('Initialized', 'True', times.initEndsAt ?? scheduled),
        condition(
          'Ready',
          'False',
          endsAt,
          'ContainersNotReady',
          `containers with unready status: [${primary}]`,
        ),
        condition(
          'ContainersReady',
          'False',
          endsAt,
          'ContainersNotReady',
          `containers with unready status: [${primary}]`,
        ),
        condition('PodScheduled', 'True', scheduled),
      ],
      ...withInit,
      containerStatuses: l.containers.map((name) =>
        endsFirst(l, name)
          ? finalStatus(l, name, runningAt, endsAt, finalAt)
          : runningStatus(name, l.image, runningAt),
      ),
    });
  }

  // Final.
  const statuses = l.containers.map((name) => finalStatus(l, name, runningAt, endsAt, finalAt));
  const failed = endsPodAtOnce(o) || statuses.some((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
  const level = podLevel(l, endsAt);
  const doneAt = l.containers.length > 1 || endsPodAtOnce(o) ? finalAt : endsAt;
  return pod({
    ...base,
    phase: failed ? 'Failed' : 'Succeeded',
    ...(level.reason === undefined ? {} : { reason: level.reason }),
    ...(level.message === undefined ? {} : { message: level.message }),
    conditions: [
      ...level.conditions,
      condition('PodReadyToStartContainers', 'False', doneAt),
      condition('Initialized', 'True', times.initEndsAt ?? scheduled),
      condition('Ready', 'False', doneAt, 'PodCompleted'),
      condition('ContainersReady', 'False', doneAt, 'PodCompleted'),
      condition('PodScheduled', 'True', scheduled),
    ],
    ...withInit,
    containerStatuses: statuses,
  });
};

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

// -------------------------------------------------------------------------------------
// events
// -------------------------------------------------------------------------------------

const EVENT_SHAPES = [
  {
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned {ns}/{pod} to node-a',
    source: 'default-scheduler',
  },
  {
    type: 'Warning',
    reason: 'FailedScheduling',
    message: '0/3 nodes are available: 3 Insufficient cpu.',
    source: 'default-scheduler',
  },
  { type: 'Normal', reason: 'Pulling', message: 'Pulling image "python:3.12"', source: 'kubelet' },
  {
    type: 'Normal',
    reason: 'Pulled',
    message: 'Successfully pulled image "python:3.12" in 2.1s',
    source: 'kubelet',
  },
  { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff', source: 'kubelet' },
  { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image "python:3.12"', source: 'kubelet' },
  { type: 'Normal', reason: 'Created', message: 'Created container primary', source: 'kubelet' },
  { type: 'Normal', reason: 'Started', message: 'Started container primary', source: 'kubelet' },
  { type: 'Normal', reason: 'Killing', message: 'Stopping container primary', source: 'kubelet' },
  { type: 'Warning', reason: 'Evicted', message: 'The node was low on resource: memory.', source: 'kubelet' },
  {
    type: 'Normal',
    reason: 'Preempted',
    message: 'Preempted by pod 1234 on node node-a',
    source: 'default-scheduler',
  },
] as const;

/** The object an event is about. */
export interface EventSubject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * A Kubernetes Event about `subject` (both the core/v1 and the events.k8s.io/v1 shape), observed between
 * `from` and `from + 1h`.
 */
export const arbKubernetesEvent = (
  subject: EventSubject,
  from: Instant,
): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      shape: fc.constantFrom(...EVENT_SHAPES),
      api: fc.constantFrom('core' as const, 'events' as const),
      offset: fc.integer({ min: 0, max: 3600 }),
      count: fc.integer({ min: 1, max: 20 }),
      suffix: arbHex(16),
    })
    .map(({ shape, api, offset, count, suffix }) => {
      const time = ts(from + offset * SECOND);
      const message = shape.message.replace('{ns}', subject.namespace).replace('{pod}', subject.name);
      const metadata = {
        name: `${subject.name}.${suffix}`,
        namespace: subject.namespace,
        creationTimestamp: time,
      };
      const ref = {
        kind: subject.kind,
        namespace: subject.namespace,
        name: subject.name,
        uid: subject.uid,
        apiVersion: 'v1',
      };
      return api === 'core'
        ? {
            apiVersion: 'v1',
            kind: 'Event',
            metadata,
            involvedObject: ref,
            type: shape.type,
            reason: shape.reason,
            message,
            source: { component: shape.source },
            count,
            firstTimestamp: time,
            lastTimestamp: time,
          }
        : {
            apiVersion: 'events.k8s.io/v1',
            kind: 'Event',
            metadata,
            regarding: ref,
            type: shape.type,
            reason: shape.reason,
            note: message,
            reportingController: shape.source,
            reportingInstance: `${shape.source}-node-a`,
            action: shape.reason,
            eventTime: `${time.replace('Z', '')}.000000Z`,
            ...(count > 1 ? { series: { count, lastObservedTime: `${time.replace('Z', '')}.000000Z` } } : {}),
          };
    });
