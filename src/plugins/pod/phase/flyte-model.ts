// Flyte's answers as the behaviour catalogue describes them, for the outcomes the documented differences expect.
import type { ErrorKind } from '../../../domain/phase-info.js';
import type { Phase } from '../../../domain/phase.js';
import type { PlatformConfig } from '../../../domain/platform-config.js';
import type { Instant } from '../../../domain/time.js';
import type { ConditionView, ContainerStatusView, PodView, Termination, Waiting } from './pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION } from './primary.js';

/** What a differential test feeds both implementations: a resource and the observation's context. */
export interface DifferentialInput {
  readonly resource: unknown;
  readonly now: Instant;
  readonly config: PlatformConfig;
}

/** Which Flyte is modelled: the behaviour catalogue (main, 2026-08) or the release the oracle is built from. */
export type FlyteRelease = 'catalogue' | 'v1.14.0';

/** The part of an answer a differential test compares; an empty code is no code (Go's zero value). */
export interface ExpectedOutcome {
  readonly phase: Phase;
  readonly code?: string;
  readonly kind?: ErrorKind;
  /** Whether a failure asks for the pod to be deleted; absent: false. */
  readonly cleanup?: boolean;
}

export const outcome = (
  phase: Phase,
  code?: string,
  kind?: ErrorKind,
  cleanup?: boolean,
): ExpectedOutcome => ({
  phase,
  ...(code === undefined || code === '' ? {} : { code }),
  ...(kind === undefined ? {} : { kind }),
  ...(cleanup === true ? { cleanup } : {}),
});

export const sameOutcome = (a: ExpectedOutcome, b: ExpectedOutcome): boolean =>
  a.phase === b.phase &&
  a.code === b.code &&
  a.kind === b.kind &&
  (a.cleanup ?? false) === (b.cleanup ?? false);

const SIGKILL = (t: Termination): boolean => t.exitCode === 137 || t.exitCode === 247;
const OOM = (t: Termination): boolean => t.reason.includes('OOMKilled');

/** Statuses in the order Flyte walks them: init, regular, ephemeral. */
const walked = (pod: PodView): ReadonlyArray<ContainerStatusView> => [
  ...pod.initContainerStatuses,
  ...pod.containerStatuses,
  ...pod.ephemeralContainerStatuses,
];

/** Which pod reasons Flyte's DemystifyFailure treats as the node going away, per release. */
export const FLYTE_SYSTEM_POD_REASONS = {
  catalogue: new Set(['Shutdown', 'Terminated', 'NodeShutdown', 'NodeAffinity']),
  'v1.14.0': new Set(['Shutdown', 'Terminated']),
} as const;

/**
 * Flyte's DemystifyFailure (catalogue 5.4): the pod reason or UnknownError, overwritten by the last OOMKilled or
 * SIGKILL termination (lastState first); SYSTEM Interrupted for node reasons, a SIGKILLed primary, or no code at
 * all. `release: 'v1.14.0'` gives that release's rules: only Shutdown and Terminated are SYSTEM, only exit code 137
 * is a SIGKILL, and neither a SIGKILLed primary nor a missing code makes a failure SYSTEM.
 */
export const flyteFailure = (
  pod: PodView,
  release: 'catalogue' | 'v1.14.0' = 'catalogue',
): ExpectedOutcome => {
  const primary = pod.annotations[PRIMARY_CONTAINER_ANNOTATION] ?? '';
  let code = pod.reason === '' ? 'UnknownError' : pod.reason;
  let system = FLYTE_SYSTEM_POD_REASONS[release].has(pod.reason);
  for (const c of walked(pod)) {
    const t = c.lastState.terminated ?? c.state.terminated;
    if (t === undefined) continue;
    if (OOM(t)) code = 'OOMKilled';
    else if (release === 'v1.14.0' ? t.exitCode === 137 : SIGKILL(t)) {
      code = 'Interrupted';
      if (release === 'catalogue' && c.name === primary) system = true;
    }
  }
  if (release === 'catalogue' && code === 'UnknownError') system = true;
  return system
    ? outcome('RetryableFailure', 'Interrupted', 'SYSTEM')
    : outcome('RetryableFailure', code, 'USER');
};

/** Flyte's DemystifySuccess: any current termination with an OOMKilled reason fails the task. */
export const flyteSuccess = (pod: PodView): ExpectedOutcome =>
  walked(pod).some((c) => c.state.terminated !== undefined && OOM(c.state.terminated))
    ? outcome('RetryableFailure', 'OOMKilled', 'USER')
    : outcome('Success');

/**
 * Flyte's DeterminePrimaryContainerPhase for a Running pod (catalogue 5.5), with the pod plugin's fallback for a
 * primary that is in the spec but has no status yet. v1.14.0 has no SIGKILL case: any non-zero exit is USER.
 */
export const flytePrimary = (
  pod: PodView,
  primary: string,
  release: 'catalogue' | 'v1.14.0' = 'catalogue',
): ExpectedOutcome => {
  const s = pod.containerStatuses.find((c) => c.name === primary);
  // No status, or one with an empty state: not found, unless the spec lists it (the pod plugin's fallback).
  const notFound = (): ExpectedOutcome =>
    pod.specContainers.includes(primary)
      ? outcome('Running')
      : outcome('PermanentFailure', 'PrimaryContainerNotFound', 'USER');
  if (s === undefined) return notFound();
  if (s.state.waiting !== undefined || s.state.running !== undefined) return outcome('Running');
  const t = s.state.terminated;
  if (t === undefined) return notFound();
  if (OOM(t)) return outcome('RetryableFailure', t.reason, 'USER');
  if (release === 'catalogue' && SIGKILL(t)) return outcome('RetryableFailure', t.reason, 'SYSTEM');
  if (t.exitCode !== 0) return outcome('RetryableFailure', t.reason, 'USER');
  return outcome('Success');
};

/** Flyte's early success of a Running pod without the annotation: no regular status waiting, running or non-zero. */
export const flyteDone = (pod: PodView): boolean =>
  pod.containerStatuses.length > 0 &&
  pod.containerStatuses.every(
    (c) =>
      c.state.waiting === undefined &&
      c.state.running === undefined &&
      (c.state.terminated === undefined || c.state.terminated.exitCode === 0),
  );

/** Flyte's answer for a started pod (Running, Succeeded, Failed), per the catalogue or v1.14.0. */
export const flyteStarted = (
  pod: PodView,
  release: 'catalogue' | 'v1.14.0' = 'catalogue',
): ExpectedOutcome => {
  if (pod.phase === 'Failed') return flyteFailure(pod, release);
  if (pod.phase === 'Succeeded') return flyteSuccess(pod);
  const primary = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
  if (primary !== undefined) return flytePrimary(pod, primary, release);
  return flyteDone(pod) ? flyteSuccess(pod) : outcome('Running');
};

// -------------------------------------------------------------------------------------
// Pending pods (catalogue 5.3; v1.14.0 scans no init container and reports rate limits and timeouts as USER)
// -------------------------------------------------------------------------------------

const RATE_LIMITED = '429 Too Many Requests';

/** Flyte's clock check: a missing timestamp is Go's zero time, infinitely old. */
const since = (input: DifferentialInput, t: Instant | undefined, span: number): boolean =>
  t === undefined || input.now - t >= span;

/** The container DemystifyPending classifies for a Ready=False condition, per release. */
export const flyteWaitingContainer = (
  pod: PodView,
  release: FlyteRelease,
): { readonly status: ContainerStatusView; readonly init: boolean } | undefined => {
  if (release === 'catalogue') {
    const init = pod.initContainerStatuses.find((s) => s.state.waiting !== undefined);
    if (init !== undefined) return { status: init, init: true };
  }
  const regular = pod.containerStatuses.find((s) => !s.ready && s.state.waiting !== undefined);
  return regular === undefined ? undefined : { status: regular, init: false };
};

const classifyWaiting = (
  input: DifferentialInput,
  release: FlyteRelease,
  ready: ConditionView,
  w: Waiting,
): ExpectedOutcome => {
  const k8s = input.config.plugins.k8s;
  const code = `${ready.reason}|${w.reason}`;
  const t = ready.lastTransitionTime;
  switch (w.reason) {
    case 'ErrImagePull':
    case 'ContainerCreating':
    case 'PodInitializing':
      return outcome('Initializing');
    case 'CreateContainerError':
      return since(input, t, k8s['create-container-error-grace-period'])
        ? outcome('PermanentFailure', code, 'USER', true)
        : outcome('Initializing');
    case 'CreateContainerConfigError':
      return since(input, t, k8s['create-container-config-error-grace-period'])
        ? outcome('PermanentFailure', code, 'USER', true)
        : outcome('Initializing');
    case 'InvalidImageName':
      return outcome('PermanentFailure', code, 'USER', true);
    case 'ImagePullBackOff':
      return since(input, t, k8s['image-pull-backoff-grace-period'])
        ? outcome(
            'RetryableFailure',
            code,
            release === 'catalogue' && w.message.includes(RATE_LIMITED) ? 'SYSTEM' : 'USER',
            true,
          )
        : outcome('Initializing');
    default:
      return outcome('RetryableFailure', code, 'SYSTEM', true);
  }
};

const TERMINAL: ReadonlySet<Phase> = new Set(['Success', 'RetryableFailure', 'PermanentFailure']);

/**
 * Flyte's DemystifyPending for a pod whose phase is Pending: the first decisive condition in order, else Queued; the
 * pod pending timeout counts from the transition of the last condition looked at (a missing one is infinitely old;
 * without conditions it never fires). The timeout is SYSTEM in the catalogue, USER in v1.14.0.
 */
export const flytePending = (
  input: DifferentialInput,
  pod: PodView,
  release: FlyteRelease = 'catalogue',
): ExpectedOutcome => {
  let t: Instant | undefined | 'now' = 'now';
  let answer = outcome('Queued');
  for (const c of pod.conditions) {
    t = c.lastTransitionTime;
    if ((c.type === 'PodScheduled' && c.status === 'False') || c.type === 'Unschedulable') break;
    if (c.type === 'Ready' && c.status === 'False') {
      const w = flyteWaitingContainer(pod, release)?.status.state.waiting;
      if (w !== undefined) {
        answer = classifyWaiting(input, release, c, w);
        break;
      }
    }
  }
  if (TERMINAL.has(answer.phase)) return answer;
  const timeout = input.config.plugins.k8s['pod-pending-timeout'];
  return timeout > 0 && t !== 'now' && since(input, t, timeout)
    ? outcome('RetryableFailure', 'PodPendingTimeout', release === 'catalogue' ? 'SYSTEM' : 'USER', true)
    : answer;
};
