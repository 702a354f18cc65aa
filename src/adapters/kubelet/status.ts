// The simulated kubelet's view of a pod, and the PodStatus it writes from it, shaped like a real kubelet's.
import type { ContainerStateTerminated } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus, Pod, PodCondition, PodStatus } from '../../domain/kubernetes.js';
import { fnv1a64Hex } from '../../domain/names.js';
import { formatInstant, type Instant } from '../../domain/time.js';

export type ContainerState =
  | { readonly waiting: { readonly reason: string; readonly message?: string } }
  | { readonly running: { readonly startedAt: string } }
  | { readonly terminated: ContainerStateTerminated };

/** One container as the kubelet tracks it. */
export interface ContainerSim {
  readonly name: string;
  readonly image: string;
  state: ContainerState;
  lastState: ContainerState | undefined;
  ready: boolean;
  started: boolean;
  restartCount: number;
  containerID: string | undefined;
  imageID: string;
  /** A native sidecar (init container with restartPolicy Always). */
  readonly sidecar: boolean;
}

export interface ConditionSim {
  status: 'True' | 'False';
  reason: string | undefined;
  message: string | undefined;
  lastTransitionTime: string;
}

/** The whole pod as the kubelet tracks it; `toStatus` renders it. */
export interface PodSim {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  reason: string | undefined;
  message: string | undefined;
  startTime: string | undefined;
  hostIP: string;
  podIP: string | undefined;
  readonly conditions: Map<string, ConditionSim>;
  readonly init: ContainerSim[];
  readonly containers: ContainerSim[];
}

/** The image reference as the container runtime reports it: registry and tag made explicit. */
export const normalizeImage = (image: string): string => {
  const firstSlash = image.indexOf('/');
  const first = firstSlash < 0 ? '' : image.slice(0, firstSlash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const repoAndTag = hasRegistry
    ? image
    : firstSlash < 0
      ? `docker.io/library/${image}`
      : `docker.io/${image}`;
  if (repoAndTag.includes('@')) return repoAndTag;
  const lastSlash = repoAndTag.lastIndexOf('/');
  return repoAndTag.indexOf(':', lastSlash + 1) < 0 ? `${repoAndTag}:latest` : repoAndTag;
};

// 64 hex digits from FNV-1a: deterministic, good enough to look like a digest or container ID.
const hex64 = (seed: string): string =>
  fnv1a64Hex(`0:${seed}`) + fnv1a64Hex(`1:${seed}`) + fnv1a64Hex(`2:${seed}`) + fnv1a64Hex(`3:${seed}`);

/** `docker.io/library/busybox@sha256:...` for a pulled image. */
export const imageIdOf = (image: string): string => {
  const ref = normalizeImage(image);
  const lastSlash = ref.lastIndexOf('/');
  const tagAt = ref.indexOf(':', lastSlash + 1);
  const repo = tagAt < 0 ? (ref.split('@')[0] ?? ref) : ref.slice(0, tagAt);
  return `${repo}@sha256:${hex64(ref)}`;
};

/** A container ID that changes with every restart. */
export const containerIdOf = (podUid: string, container: string, restart: number): string =>
  `containerd://${hex64(`${podUid}/${container}/${restart}`)}`;

/** Sets a condition; lastTransitionTime moves only when the status changes, as the kubelet does. */
export const setCondition = (
  sim: PodSim,
  type: string,
  status: 'True' | 'False',
  now: Instant,
  reason?: string,
  message?: string,
): void => {
  const prev = sim.conditions.get(type);
  sim.conditions.set(type, {
    status,
    reason,
    message,
    lastTransitionTime:
      prev !== undefined && prev.status === status ? prev.lastTransitionTime : formatInstant(now),
  });
};

const names = (cs: ReadonlyArray<ContainerSim>): string => `[${cs.map((c) => c.name).join(' ')}]`;

/** Recomputes Initialized, ContainersReady and Ready from the containers, as the kubelet's status manager does. */
export const deriveConditions = (sim: PodSim, now: Instant): void => {
  const incompleteInit = sim.init.filter((c) =>
    c.sidecar ? !c.started : !('terminated' in c.state && c.state.terminated.exitCode === 0),
  );
  if (incompleteInit.length === 0) setCondition(sim, 'Initialized', 'True', now);
  else
    setCondition(
      sim,
      'Initialized',
      'False',
      now,
      'ContainersNotInitialized',
      `containers with incomplete status: ${names(incompleteInit)}`,
    );
  const unready = [...sim.init.filter((c) => c.sidecar), ...sim.containers].filter((c) => !c.ready);
  // A terminal pod is never ready, whatever its containers say: the kubelet's reason is the phase's (PodCompleted,
  // PodFailed), not ContainersNotReady (pkg/kubelet/status/generate.go; KWOK's side-by-side test showed it).
  if (sim.phase === 'Succeeded' || sim.phase === 'Failed') {
    const reason = sim.phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed';
    setCondition(sim, 'ContainersReady', 'False', now, reason);
    setCondition(sim, 'Ready', 'False', now, reason);
  } else if (unready.length === 0) {
    setCondition(sim, 'ContainersReady', 'True', now);
    setCondition(sim, 'Ready', 'True', now);
  } else {
    const message = `containers with unready status: ${names(unready)}`;
    setCondition(sim, 'ContainersReady', 'False', now, 'ContainersNotReady', message);
    setCondition(sim, 'Ready', 'False', now, 'ContainersNotReady', message);
  }
};

const CONDITION_ORDER = [
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
  'DisruptionTarget',
];

const toContainerStatus = (c: ContainerSim): ContainerStatus => ({
  name: c.name,
  state: c.state,
  ...(c.lastState === undefined ? { lastState: {} } : { lastState: c.lastState }),
  ready: c.ready,
  restartCount: c.restartCount,
  image: normalizeImage(c.image),
  imageID: c.imageID,
  ...(c.containerID === undefined ? {} : { containerID: c.containerID }),
  started: c.started,
});

/**
 * The status as a strategic merge patch body: conditions merge by type, so a reason or message a condition no
 * longer has is sent as null (deleted), as the kubelet's two-way patch does; otherwise a condition turned True
 * kept its old False reason.
 */
export const toStatusPatch = (sim: PodSim): unknown => {
  const status = toStatus(sim);
  return {
    ...status,
    conditions: (status.conditions ?? []).map((c) => ({ reason: null, message: null, ...c })),
  };
};

/** The PodStatus the kubelet writes (a full status: conditions merge by type, container statuses replace). */
export const toStatus = (sim: PodSim): PodStatus => {
  const conditions: PodCondition[] = [...sim.conditions.entries()]
    .sort(([a], [b]) => CONDITION_ORDER.indexOf(a) - CONDITION_ORDER.indexOf(b))
    .map(([type, c]) => ({
      type,
      status: c.status,
      lastTransitionTime: c.lastTransitionTime,
      ...(c.reason === undefined ? {} : { reason: c.reason }),
      ...(c.message === undefined ? {} : { message: c.message }),
    }));
  return {
    phase: sim.phase,
    ...(sim.reason === undefined ? {} : { reason: sim.reason }),
    ...(sim.message === undefined ? {} : { message: sim.message }),
    conditions,
    hostIP: sim.hostIP,
    hostIPs: [{ ip: sim.hostIP }],
    ...(sim.podIP === undefined ? {} : { podIP: sim.podIP, podIPs: [{ ip: sim.podIP }] }),
    ...(sim.startTime === undefined ? {} : { startTime: sim.startTime }),
    ...(sim.init.length === 0 ? {} : { initContainerStatuses: sim.init.map(toContainerStatus) }),
    containerStatuses: sim.containers.map(toContainerStatus),
  };
};

/** A fresh simulation of a pod the kubelet just got: everything waiting. */
export const initialSim = (pod: Pod, hostIP: string): PodSim => {
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const container =
    (sidecar: boolean, waitingReason: string) =>
    (c: { name: string; image?: string }): ContainerSim => ({
      name: c.name,
      image: c.image ?? '',
      state: { waiting: { reason: waitingReason } },
      lastState: undefined,
      ready: false,
      started: false,
      restartCount: 0,
      containerID: undefined,
      imageID: '',
      sidecar,
    });
  return {
    phase: 'Pending',
    reason: undefined,
    message: undefined,
    startTime: undefined,
    hostIP,
    podIP: undefined,
    // Conditions others wrote (PodScheduled from the binding) are kept, with their transition times.
    conditions: new Map(
      (pod.status?.conditions ?? [])
        .flatMap((c) => (c.lastTransitionTime === undefined ? [] : [c]))
        .map((c) => [
          c.type,
          {
            status: c.status === 'True' ? 'True' : 'False',
            reason: c.reason,
            message: c.message,
            lastTransitionTime: c.lastTransitionTime ?? '',
          },
        ]),
    ),
    init: (pod.spec?.initContainers ?? []).map((c) =>
      container(c.restartPolicy === 'Always', 'PodInitializing')(c),
    ),
    containers: (pod.spec?.containers ?? []).map(
      container(false, hasInit ? 'PodInitializing' : 'ContainerCreating'),
    ),
  };
};
