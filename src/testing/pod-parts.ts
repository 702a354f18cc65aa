// Building blocks of generated pods: instants, names, kubelet waiting reasons, conditions and container statuses.
import fc from 'fast-check';
import type { ContainerStatus, PodCondition } from 'kubernetes-types/core/v1.js';
import { formatInstant, type Instant } from '../domain/time.js';

// -------------------------------------------------------------------------------------
// building blocks
// -------------------------------------------------------------------------------------

/** One second and one minute in milliseconds. */
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

/** An instant between 2024 and 2027, on a whole second (Kubernetes timestamps have second precision). */
export const arbPodInstant: fc.Arbitrary<Instant> = fc
  .integer({ min: 1_704_067_200, max: 1_798_761_600 })
  .map((s) => s * SECOND);

const HEX = '0123456789abcdef'.split('');
/** `n` lowercase hex digits. */
export const arbHex = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...HEX), { minLength: n, maxLength: n }).map((cs) => cs.join(''));

/** A Kubernetes uid. */
export const arbUid: fc.Arbitrary<string> = fc
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

/** A namespace name. */
export const arbNamespace = fc.constantFrom('default', 'flytesnacks-development', 'ml-team', 'kubetasks');
/** A container image reference. */
export const arbImage = fc.constantFrom('python:3.12', 'ghcr.io/example/trainer:v1', 'busybox:1.36');

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
/** A reason the kubelet gives for a waiting container, among those generated pods use. */
export type WaitingReason = (typeof waitingReasons)[number];

/** The message the kubelet writes with a waiting reason. */
export const waitingMessage = (reason: WaitingReason, image: string, rateLimited: boolean): string => {
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

/** A Kubernetes timestamp (RFC 3339, whole seconds). */
export const ts = (i: Instant): string => formatInstant(i);

/** A pod condition as the kubelet writes it. */
export const condition = (
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

/** A containerd container id derived from the name and start time. */
export const containerId = (name: string, at: Instant): string =>
  `containerd://${(name + String(at))
    .split('')
    .map((c) => c.charCodeAt(0).toString(16))
    .join('')
    .padEnd(64, '0')
    .slice(0, 64)}`;

// -------------------------------------------------------------------------------------
// container statuses
// -------------------------------------------------------------------------------------

/** A container status waiting with a reason. */
export const waitingStatus = (
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

/** A running container status. */
export const runningStatus = (
  name: string,
  image: string,
  since: Instant,
  ready = true,
): ContainerStatus => ({
  name,
  image,
  imageID: `docker.io/library/${image}@sha256:${'a'.repeat(64)}`,
  containerID: containerId(name, since),
  ready,
  restartCount: 0,
  started: true,
  state: { running: { startedAt: ts(since) } },
});

/** A terminated container status. */
export const terminatedStatus = (
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
