// The differences for started pods (Running, Succeeded, Failed): the checks the differential test runs on them.
import {
  flyteDone,
  flyteFailure,
  flyteStarted,
  flyteSuccess,
  outcome,
  type ExpectedOutcome,
} from './flyte-model.js';
import { expecting, onPod, podOf, type Expectation } from './difference-model.js';
import { conditionOf, terminationOf, type PodView, type Termination } from './pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION, primaryContainerNameOf } from './primary.js';
import { crashLoopReason } from './reasons.js';

// -------------------------------------------------------------------------------------
// what the differences look at (written from the docs, independently of classify.ts)
// -------------------------------------------------------------------------------------

const NODE_REASONS = new Set(['Shutdown', 'Terminated', 'NodeShutdown', 'NodeAffinity']);
const PREEMPTION = new Set(['PreemptionByScheduler', 'PreemptionByKubeScheduler']);
const sigkill = (t: Termination): boolean => t.exitCode === 137 || t.exitCode === 247;
const oom = (t: Termination): boolean => t.reason.includes('OOMKilled');
const terminal = (pod: PodView): boolean => pod.phase === 'Failed' || pod.phase === 'Succeeded';

/** The annotated primary container's termination (lastState counts once the pod is terminal). */
const primaryEnd = (pod: PodView): Termination | undefined => {
  const name = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
  const s = name === undefined ? undefined : pod.containerStatuses.find((c) => c.name === name);
  return s === undefined ? undefined : terminationOf(s, terminal(pod));
};

const disrupted = (pod: PodView): boolean => conditionOf(pod, 'DisruptionTarget')?.status === 'True';

/** The primary's termination decides on its own: exit 0 or OOMKilled. */
const primaryDecides = (pod: PodView): boolean => {
  const t = primaryEnd(pod);
  return t !== undefined && (t.exitCode === 0 || oom(t));
};

/** Terminations of every container of a failed pod. */
const ends = (pod: PodView): ReadonlyArray<Termination> =>
  [...pod.initContainerStatuses, ...pod.containerStatuses, ...pod.ephemeralContainerStatuses].flatMap((c) => {
    const t = terminationOf(c, terminal(pod));
    return t === undefined ? [] : [t];
  });

const errorCode = (t: Termination): string => (t.reason === '' ? 'Error' : t.reason);

// -------------------------------------------------------------------------------------
// the expectations of the differences the generated pods exercise
// -------------------------------------------------------------------------------------

/** The check of `same-failure-running-or-failed`. */
export const sameFailureRunningOrFailed: Expectation = {
  applies: onPod((pod) => {
    const t = primaryEnd(pod);
    return (
      (pod.phase === 'Running' || pod.phase === 'Failed') &&
      pod.reason === '' &&
      !disrupted(pod) &&
      t !== undefined &&
      t.exitCode !== 0 &&
      !oom(t)
    );
  }),
  expected: expecting(
    (pod) => {
      const t = primaryEnd(pod);
      return t !== undefined && sigkill(t)
        ? outcome('RetryableFailure', 'Interrupted', 'SYSTEM')
        : outcome('RetryableFailure', t === undefined ? 'Error' : errorCode(t), 'USER');
    },
    (pod) => flyteStarted(pod),
  ),
  flyteModel: true,
};

/** A failed pod with nothing pod-level to blame and no primary termination: the containers decide. */
const containersDecide = (pod: PodView): boolean =>
  pod.phase === 'Failed' && pod.reason === '' && !disrupted(pod) && primaryEnd(pod) === undefined;

/** kubetasks' answer when the containers decide: any OOMKilled, else any SIGKILL, else the first non-zero exit. */
const kubetasksContainers = (pod: PodView): ExpectedOutcome => {
  const all = ends(pod);
  if (all.some(oom)) return outcome('RetryableFailure', 'OOMKilled', 'USER');
  if (all.some(sigkill)) return outcome('RetryableFailure', 'Interrupted', 'USER');
  const first = all.find((t) => t.exitCode !== 0);
  return first === undefined
    ? outcome('RetryableFailure', 'Interrupted', 'SYSTEM')
    : outcome('RetryableFailure', errorCode(first), 'USER');
};

/** Some container carries a termination in both its state and its lastState (it was restarted, then ended). */
const endedTwice = (pod: PodView): boolean =>
  [...pod.initContainerStatuses, ...pod.containerStatuses, ...pod.ephemeralContainerStatuses].some(
    (c) => c.state.terminated !== undefined && c.lastState.terminated !== undefined,
  );

/** The check of `current-state-first`. */
export const currentStateFirst: Expectation = {
  applies: onPod((pod) => containersDecide(pod) && endedTwice(pod)),
  expected: expecting(kubetasksContainers, (pod) => flyteFailure(pod)),
  flyteModel: true,
};

/** kubetasks': every regular (at least one) and init status really terminated with exit code 0 and nothing else. */
const kubetasksDone = (pod: PodView): boolean => {
  const ok = (c: PodView['containerStatuses'][number]): boolean =>
    c.state.waiting === undefined && c.state.running === undefined && c.state.terminated?.exitCode === 0;
  return (
    pod.containerStatuses.length > 0 && pod.containerStatuses.every(ok) && pod.initContainerStatuses.every(ok)
  );
};

/** The check of `empty-state-is-not-success`. */
export const emptyStateIsNotSuccess: Expectation = {
  applies: onPod(
    (pod) =>
      pod.phase === 'Running' &&
      pod.annotations[PRIMARY_CONTAINER_ANNOTATION] === undefined &&
      flyteDone(pod) &&
      !kubetasksDone(pod),
  ),
  expected: expecting(
    () => outcome('Running'),
    (pod) => flyteSuccess(pod),
  ),
  flyteModel: true,
};

/** The check of `only-infrastructure-is-system`. */
export const onlyInfrastructureIsSystem: Expectation = {
  applies: onPod(
    (pod) =>
      containersDecide(pod) &&
      !ends(pod).some((t) => oom(t) || sigkill(t)) &&
      ends(pod).some((t) => t.exitCode !== 0),
  ),
  expected: expecting(
    (pod) => {
      const first = ends(pod).find((t) => t.exitCode !== 0);
      return outcome('RetryableFailure', first === undefined ? 'Error' : errorCode(first), 'USER');
    },
    (pod) => flyteFailure(pod),
  ),
  flyteModel: true,
};

/** The check of `container-precedence`. */
export const containerPrecedence: Expectation = {
  applies: onPod((pod) => containersDecide(pod) && ends(pod).some((t) => oom(t) || sigkill(t))),
  expected: expecting(
    (pod) =>
      ends(pod).some(oom)
        ? outcome('RetryableFailure', 'OOMKilled', 'USER')
        : outcome('RetryableFailure', 'Interrupted', 'USER'),
    (pod) => flyteFailure(pod),
  ),
  flyteModel: true,
};

/** A Succeeded pod whose primary ended non-zero (a restarted pod's status, or a runtime's): the primary decides. */
const failedPrimaryOfSucceededPod = (pod: PodView): boolean => {
  const t = primaryEnd(pod);
  return (
    pod.phase === 'Succeeded' && pod.reason === '' && !disrupted(pod) && t !== undefined && t.exitCode !== 0
  );
};

/** The check of `primary-decides`. */
export const primaryDecidesCheck: Expectation = {
  applies: onPod((pod) => terminal(pod) && (primaryDecides(pod) || failedPrimaryOfSucceededPod(pod))),
  expected: expecting(
    (pod) => {
      const t = primaryEnd(pod);
      if (t === undefined || t.exitCode === 0) {
        return t !== undefined && oom(t)
          ? outcome('RetryableFailure', 'OOMKilled', 'USER')
          : outcome('Success');
      }
      if (oom(t)) return outcome('RetryableFailure', 'OOMKilled', 'USER');
      return sigkill(t)
        ? outcome('RetryableFailure', 'Interrupted', 'SYSTEM')
        : outcome('RetryableFailure', errorCode(t), 'USER');
    },
    (pod) => flyteStarted(pod),
  ),
  flyteModel: true,
};

/** The check of `pod-reason-first`. */
export const podReasonFirst: Expectation = {
  applies: onPod(
    (pod) =>
      pod.phase === 'Failed' &&
      pod.reason !== '' &&
      !NODE_REASONS.has(pod.reason) &&
      !disrupted(pod) &&
      !primaryDecides(pod),
  ),
  expected: expecting(
    (pod) => outcome('RetryableFailure', pod.reason, 'USER'),
    (pod) => flyteFailure(pod),
  ),
  flyteModel: true,
};

/** The check of `disruption-target`. */
export const disruptionTarget: Expectation = {
  applies: onPod((pod) => {
    if (!disrupted(pod) || NODE_REASONS.has(pod.reason) || primaryDecides(pod)) return false;
    const t = primaryEnd(pod);
    return pod.phase === 'Failed' || (pod.phase === 'Running' && t !== undefined && t.exitCode !== 0);
  }),
  expected: expecting(
    (pod) =>
      outcome(
        'RetryableFailure',
        PREEMPTION.has(conditionOf(pod, 'DisruptionTarget')?.reason ?? '') ? 'Preempted' : 'EvictedBySystem',
        'SYSTEM',
      ),
    (pod) => flyteStarted(pod),
  ),
  flyteModel: true,
};

/** The container whose CrashLoopBackOff a Running answer reports: the annotated primary, else the log primary. */
const crashLooping = (pod: PodView) => {
  if (pod.phase !== 'Running') return undefined;
  const annotated = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
  const name = annotated ?? primaryContainerNameOf(pod);
  const c = pod.containerStatuses.find((s) => s.name === name);
  // An annotated primary with a termination as well is decided by the termination (garbage, but possible).
  const looping =
    c?.state.waiting?.reason === 'CrashLoopBackOff' &&
    (annotated === undefined || c.state.terminated === undefined);
  if (c === undefined || !looping) return undefined;
  // Without the annotation the pod is Running only while some status is not a clean exit; this one is waiting.
  return c;
};

/** The check of `crash-loop-reason`. */
export const crashLoop: Expectation = {
  applies: onPod((pod) => crashLooping(pod) !== undefined),
  expected: () => ({ kubetasks: outcome('Running'), flyte: outcome('Running') }),
  reasons: (input) => {
    const c = crashLooping(podOf(input));
    return {
      kubetasks:
        c === undefined ? '' : crashLoopReason(c.name, c.restartCount, c.state.waiting?.message ?? ''),
      flyte: '',
    };
  },
};
