// Snapshots of a pod's life: the pod of a lifecycle as `kubectl get pod -o json` shows it at an instant.
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Instant } from '../domain/time.js';
import { lifecycleTimes, plus, type PodLifecycle, type PodOutcome } from './pod-lifecycle.js';
import { SECOND, condition, runningStatus, terminatedStatus, ts, waitingStatus } from './pod-parts.js';

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
