// The differences for pods not started yet (Pending, or no phase): kubetasks' pending answer against Flyte's.
import type { PlatformConfig } from '../../../domain/platform-config.js';
import type { Instant } from '../../../domain/time.js';
import {
  flytePending,
  flyteStarted,
  outcome,
  type DifferentialInput,
  type ExpectedOutcome,
} from './flyte-model.js';
import { onPod, podOf, type Expectation } from './difference-model.js';
import type { PodView } from './pod-view.js';

// kubetasks' answer as docs/phase-mapping.md describes it, against the catalogue's (flytePending).

const RATE_LIMITED = '429 Too Many Requests';

const graceOf = (config: PlatformConfig, waitingReason: string): number => {
  const k8s = config.plugins.k8s;
  if (waitingReason === 'CreateContainerError') return k8s['create-container-error-grace-period'];
  if (waitingReason === 'CreateContainerConfigError')
    return k8s['create-container-config-error-grace-period'];
  return k8s['image-pull-backoff-grace-period'];
};

/** The condition that explains a pending pod, scanned as kubetasks and the catalogue do (init containers first). */
const waitingOn = (pod: PodView) => {
  for (const c of pod.conditions) {
    if ((c.type === 'PodScheduled' && c.status === 'False') || c.type === 'Unschedulable') return undefined;
    if (c.type !== 'Ready' || c.status !== 'False') continue;
    const w =
      pod.initContainerStatuses.find((s) => s.state.waiting !== undefined) ??
      pod.containerStatuses.find((s) => !s.ready && s.state.waiting !== undefined);
    if (w?.state.waiting !== undefined) return { ready: c, waiting: w.state.waiting };
  }
  return undefined;
};

const timedOut = outcome('RetryableFailure', 'PodPendingTimeout', 'SYSTEM', true);

const latestTransition = (pod: PodView): Instant | undefined =>
  pod.conditions.reduce<Instant | undefined>((acc, c) => {
    const t = c.lastTransitionTime;
    return t === undefined ? acc : acc === undefined ? t : Math.max(acc, t);
  }, undefined);

/** A grace period is over when it is 0, or when `now` is that long after the Ready transition (none: never). */
const graceOver = (input: DifferentialInput, since: Instant | undefined, grace: number): boolean =>
  grace <= 0 || (since !== undefined && input.now - since >= grace);

/**
 * kubetasks' answer for a pod with phase Pending or none (docs/phase-mapping.md, the Pending rows): the first
 * unschedulable condition or Ready=False condition with a waiting container decides, grace periods count from the
 * Ready transition and never expire without one, and the pod pending timeout counts from the deciding condition,
 * else the latest transition, else creation.
 */
export const kubetasksPending = (input: DifferentialInput, pod: PodView): ExpectedOutcome => {
  let answer = outcome('Queued');
  let anchor: Instant | undefined = latestTransition(pod);
  for (const c of pod.conditions) {
    if ((c.type === 'PodScheduled' && c.status === 'False') || c.type === 'Unschedulable') {
      anchor = c.lastTransitionTime;
      break;
    }
    if (c.type !== 'Ready' || c.status !== 'False') continue;
    const w = waitingOn(pod);
    if (w === undefined) continue;
    anchor = c.lastTransitionTime;
    const code = `${c.reason}|${w.waiting.reason}`;
    const expired = graceOver(input, c.lastTransitionTime, graceOf(input.config, w.waiting.reason));
    switch (w.waiting.reason) {
      case 'ErrImagePull':
      case 'ContainerCreating':
      case 'PodInitializing':
        answer = outcome('Initializing');
        break;
      case 'CreateContainerError':
      case 'CreateContainerConfigError':
        answer = expired ? outcome('PermanentFailure', code, 'USER', true) : outcome('Initializing');
        break;
      case 'InvalidImageName':
        answer = outcome('PermanentFailure', code, 'USER', true);
        break;
      case 'ImagePullBackOff':
        answer = expired
          ? outcome(
              'RetryableFailure',
              code,
              w.waiting.message.includes(RATE_LIMITED) ? 'SYSTEM' : 'USER',
              true,
            )
          : outcome('Initializing');
        break;
      default:
        answer = outcome('RetryableFailure', code, 'SYSTEM', true);
    }
    break;
  }
  if (answer.phase !== 'Queued' && answer.phase !== 'Initializing') return answer;
  const timeout = input.config.plugins.k8s['pod-pending-timeout'];
  const from = anchor ?? pod.creationTimestamp;
  return timeout > 0 && from !== undefined && input.now - from >= timeout ? timedOut : answer;
};

const GRACED = new Set(['CreateContainerError', 'CreateContainerConfigError', 'ImagePullBackOff']);

const pendingPair = (input: DifferentialInput) => {
  const pod = podOf(input);
  return { kubetasks: kubetasksPending(input, pod), flyte: flytePending(input, pod) };
};

/** The check of `grace-periods-take-now`. */
export const gracePeriodsTakeNow: Expectation = {
  applies: (input) =>
    onPod((pod) => {
      const w = waitingOn(pod);
      if (pod.phase !== 'Pending' || w === undefined || !GRACED.has(w.waiting.reason)) return false;
      const grace = graceOf(input.config, w.waiting.reason);
      const t = w.ready.lastTransitionTime;
      // No timestamp: Flyte's expires at once, kubetasks' never. A grace of 0 with a timestamp after `now` (clock
      // skew): Flyte's time.Since is negative and waits, kubetasks fails at once.
      return grace > 0 ? t === undefined : t !== undefined && t > input.now;
    })(input),
  expected: pendingPair,
};

/** The check of `pending-timeout-anchor`. */
export const pendingTimeoutAnchor: Expectation = {
  applies: (input) =>
    input.config.plugins.k8s['pod-pending-timeout'] > 0 && onPod((p) => p.phase === 'Pending')(input),
  expected: pendingPair,
};

/** Flyte's answer for a pod without a phase: its default branch, the one for Running pods. */
const asRunning = (pod: PodView): PodView => ({ ...pod, phase: 'Running' });

/** A phase neither Kubernetes nor Flyte names. */
const KNOWN_PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Unschedulable']);

/** A pod without a phase (kubetasks: Pending) or with an unrecognised one (Undefined); Flyte: its Running branch. */
export const noPhaseIsPending: Expectation = {
  applies: onPod((pod) => pod.phase === undefined || !KNOWN_PHASES.has(pod.phase)),
  expected: (input) => {
    const pod = podOf(input);
    return {
      kubetasks: pod.phase === undefined ? kubetasksPending(input, pod) : outcome('Undefined'),
      flyte: flyteStarted(asRunning(pod)),
    };
  },
  flyteModel: true,
};
