// The deliberate differences between this pod phase mapping and Flyte's, as data the docs and tests check.
import * as O from 'fp-ts/lib/Option.js';
import type { PlatformConfig } from '../../../domain/platform-config.js';
import type { Instant } from '../../../domain/time.js';
import {
  flyteFailure,
  flytePending,
  flyteStarted,
  flyteSuccess,
  outcome,
  type DifferentialInput,
  type ExpectedOutcome,
} from './flyte-model.js';
import { conditionOf, readPod, terminationOf, type PodView, type Termination } from './pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION, primaryContainerNameOf } from './primary.js';
import { crashLoopReason } from './reasons.js';

export type { DifferentialInput, ExpectedOutcome } from './flyte-model.js';

/**
 * Every deliberate difference between kubetasks' pod phase mapping and Flyte's, by id. A difference is a
 * decision, not a bug: each has an entry in docs/compatibility.md and, where it can be checked, a rule for
 * the differential test against Flyte's own code.
 */
export const differenceIds = [
  'same-failure-running-or-failed',
  'only-infrastructure-is-system',
  'primary-decides',
  'pod-reason-first',
  'disruption-target',
  'grace-periods-take-now',
  'pending-timeout-anchor',
  'create-container-config-error-grace',
  'logs-while-pending',
  'no-phase-is-pending',
  'not-a-pod-is-undefined',
  'current-state-first',
  'container-precedence',
  'empty-state-is-not-success',
  'crash-loop-reason',
  'version-bumps-keep-cleanup',
  'structured-events',
] as const;

/**
 * The id of a deliberate difference from Flyte, as decision table rows and the docs cite it; the compiler
 * rejects a misspelt one.
 */
export type DifferenceId = (typeof differenceIds)[number];

/**
 * A deliberate difference from Flyte's pod phase mapping, with what a reader and the differential test need
 * to know about it.
 */
export interface Difference {
  readonly id: DifferenceId;
  readonly title: string;
  /** Why kubetasks differs. */
  readonly reason: string;
  /** Where the difference is documented (relative to the repository root). */
  readonly docs: string;
  /**
   * For the differential test against Flyte's Go code (test/oracle): whether an input exercises this difference,
   * and what each implementation is expected to answer for it. `flyte` is Flyte's answer as the behaviour catalogue
   * describes it; test/oracle/release.ts maps it to the answer of the Flyte release the oracle is built from.
   */
  readonly applies?: (input: DifferentialInput) => boolean;
  /**
   * What each side answers for an input where `applies` holds, so the differential test can tell a documented
   * difference from a regression.
   */
  readonly expected?: (input: DifferentialInput) => {
    readonly kubetasks: ExpectedOutcome;
    readonly flyte: ExpectedOutcome;
  };
  /**
   * Whether `expected`'s Flyte side comes from flyte-model.ts, the project's general model of Flyte's started-pod
   * functions (rather than a model written for this entry alone): the oracle reports those explanations apart,
   * since a mistake shared by that model and the mapping would hide there.
   */
  readonly flyteModel?: boolean;
  /**
   * For a difference in the reason text alone: the exact (kubetasks, Flyte) reasons wherever `applies` holds (the
   * outcomes `expected` gives are then the same on both sides).
   */
  readonly reasons?: (input: DifferentialInput) => { readonly kubetasks: string; readonly flyte: string };
}

export const COMPAT_DOC = 'docs/compatibility.md';

type Expectation = Required<Pick<Difference, 'applies' | 'expected'>> &
  Pick<Difference, 'flyteModel' | 'reasons'>;

const entry = (id: DifferenceId, title: string, reason: string, check?: Expectation): Difference => ({
  id,
  title,
  reason,
  docs: `${COMPAT_DOC}#${id}`,
  ...(check ?? {}),
});

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

/** A check on the pod of an input; a value that is not a pod never applies. */
const onPod =
  (f: (pod: PodView) => boolean) =>
  (input: DifferentialInput): boolean =>
    O.match(() => false, f)(readPod(input.resource));

const podOf = (input: DifferentialInput): PodView =>
  O.getOrElseW(() => {
    throw new Error('expected is only called when applies holds');
  })(readPod(input.resource));

const expecting =
  (kubetasks: (pod: PodView) => ExpectedOutcome, flyte: (pod: PodView) => ExpectedOutcome) =>
  (input: DifferentialInput): { readonly kubetasks: ExpectedOutcome; readonly flyte: ExpectedOutcome } => {
    const pod = podOf(input);
    return { kubetasks: kubetasks(pod), flyte: flyte(pod) };
  };

// -------------------------------------------------------------------------------------
// the expectations of the differences the generated pods exercise
// -------------------------------------------------------------------------------------

const sameFailureRunningOrFailed: Expectation = {
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

const currentStateFirst: Expectation = {
  applies: onPod((pod) => containersDecide(pod) && endedTwice(pod)),
  expected: expecting(kubetasksContainers, (pod) => flyteFailure(pod)),
  flyteModel: true,
};

/** Flyte's early success of a Running pod without the annotation: no regular status waiting, running or non-zero. */
const flyteDone = (pod: PodView): boolean =>
  pod.containerStatuses.length > 0 &&
  pod.containerStatuses.every(
    (c) =>
      c.state.waiting === undefined &&
      c.state.running === undefined &&
      (c.state.terminated === undefined || c.state.terminated.exitCode === 0),
  );

/** kubetasks': every regular (at least one) and init status really terminated with exit code 0 and nothing else. */
const kubetasksDone = (pod: PodView): boolean => {
  const ok = (c: PodView['containerStatuses'][number]): boolean =>
    c.state.waiting === undefined && c.state.running === undefined && c.state.terminated?.exitCode === 0;
  return (
    pod.containerStatuses.length > 0 && pod.containerStatuses.every(ok) && pod.initContainerStatuses.every(ok)
  );
};

const emptyStateIsNotSuccess: Expectation = {
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

const onlyInfrastructureIsSystem: Expectation = {
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

const containerPrecedence: Expectation = {
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

const primaryDecidesCheck: Expectation = {
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

const podReasonFirst: Expectation = {
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

const disruptionTarget: Expectation = {
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

// Pending pods: kubetasks' answer as docs/phase-mapping.md describes it, against the catalogue's (flytePending).

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

const gracePeriodsTakeNow: Expectation = {
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

const pendingTimeoutAnchor: Expectation = {
  applies: (input) =>
    input.config.plugins.k8s['pod-pending-timeout'] > 0 && onPod((p) => p.phase === 'Pending')(input),
  expected: pendingPair,
};

/** Flyte's answer for a pod without a phase: its default branch, the one for Running pods. */
const asRunning = (pod: PodView): PodView => ({ ...pod, phase: 'Running' });

/** A phase neither Kubernetes nor Flyte names. */
const KNOWN_PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Unschedulable']);

/** A pod without a phase (kubetasks: Pending) or with an unrecognised one (Undefined); Flyte: its Running branch. */
const noPhaseIsPending: Expectation = {
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

const crashLoop: Expectation = {
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

/** The code a differential test gives Flyte's error answer (its pod plugin rejects a value of another type). */
export const FLYTE_ERROR = 'FlyteError';

/** An object that names another kind: kubetasks answers Undefined, Flyte's type assertion fails. */
const notAPod: Expectation = {
  applies: (input) => {
    const r = input.resource;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return false;
    const kind = (r as Readonly<Record<string, unknown>>)['kind'];
    return typeof kind === 'string' && kind !== '' && kind !== 'Pod';
  },
  expected: () => ({ kubetasks: outcome('Undefined'), flyte: outcome('Undefined', FLYTE_ERROR) }),
};

/** Every deliberate difference, in the order docs/compatibility.md lists them. */
export const differences: ReadonlyArray<Difference> = [
  entry(
    'same-failure-running-or-failed',
    'A failed container is classified the same whether the pod is seen Running or Failed',
    'Flyte reports a primary container that exited 1 as a USER failure (code = the terminated reason) while the ' +
      'pod is still Running, but as a SYSTEM failure with code Interrupted once the pod is Failed without a pod ' +
      'reason. Which one a user gets depends on when the controller happened to look. kubetasks answers USER with ' +
      'the terminated reason (Error when empty) in both cases.',
    sameFailureRunningOrFailed,
  ),
  entry(
    'only-infrastructure-is-system',
    'Only infrastructure signals are SYSTEM failures',
    'SYSTEM failures do not burn user retries, so they must mean "not the code\'s fault". kubetasks answers SYSTEM ' +
      'only for node shutdown reasons, the DisruptionTarget condition, a SIGKILL of the primary container without ' +
      'OOM, and a failed pod with no status to blame; a non-primary container that exited non-zero is a USER ' +
      'failure with its terminated reason (Flyte: SYSTEM Interrupted because no code was found).',
    onlyInfrastructureIsSystem,
  ),
  entry(
    'primary-decides',
    "With a primary container, the primary's termination decides in every pod phase",
    'Flyte looks at the primary container only while the pod is Running. A pod whose primary exited 0 becomes a ' +
      'failure if it is first seen after a sidecar failed (pod Failed) or after a sidecar was OOM-killed (pod ' +
      "Succeeded). kubetasks lets the primary's termination decide whenever it is known, so the answer does not " +
      'depend on when the pod was observed.',
    primaryDecidesCheck,
  ),
  entry(
    'pod-reason-first',
    'A pod-level reason (Evicted, DeadlineExceeded, ...) is the code even when containers were killed',
    'When the kubelet evicts a pod or enforces activeDeadlineSeconds it kills the containers, which then show exit ' +
      'code 137. Flyte lets that SIGKILL turn the failure into SYSTEM Interrupted when it hits the primary, hiding ' +
      'the reason. kubetasks reports the pod reason as the code (USER, as Flyte does when no SIGKILL is seen).',
    podReasonFirst,
  ),
  entry(
    'disruption-target',
    'The DisruptionTarget condition is a SYSTEM retryable failure: Preempted or EvictedBySystem',
    'Kubernetes marks pods it disrupts (scheduler preemption, Eviction API, taint manager, pod GC, kubelet ' +
      'termination) with the DisruptionTarget condition. Flyte ignores conditions on failed pods, so a preempted ' +
      'task burns a user retry. kubetasks answers RetryableFailure SYSTEM with code Preempted for ' +
      'PreemptionByScheduler (and the older PreemptionByKubeScheduler) and EvictedBySystem for every other reason. ' +
      'The condition alone does not fail a pod that is still Running: Kubernetes may clear it if the disruption ' +
      'does not happen.',
    disruptionTarget,
  ),
  entry(
    'grace-periods-take-now',
    'Grace periods are measured against the observation time; a missing timestamp never expires them',
    "Flyte compares the condition's lastTransitionTime with the controller's clock and treats a missing timestamp " +
      'as infinitely old, so a pod without timestamps fails at once. kubetasks takes `now` as an argument (so the ' +
      'answer is reproducible) and a grace period without a timestamp to count from never expires; the pod ' +
      'pending timeout is the backstop. A grace period of 0 still fails at once.',
    gracePeriodsTakeNow,
  ),
  entry(
    'pending-timeout-anchor',
    'The pod pending timeout counts from the deciding condition, else the latest condition, else creation',
    'Flyte measures the pending timeout from the transition time of whichever condition it examined last and never ' +
      'fires for a pending pod without conditions. kubetasks counts from the condition that explains the pending ' +
      'state (PodScheduled=False, or Ready=False with a waiting container), else from the most recent condition ' +
      'transition, else from the pod creationTimestamp.',
    pendingTimeoutAnchor,
  ),
  entry(
    'create-container-config-error-grace',
    'CreateContainerConfigError has a 1m default grace period',
    'A Secret or ConfigMap created moments after the pod (a common pattern with GitOps tools) makes the kubelet ' +
      'report CreateContainerConfigError for a few seconds. Flyte defaults the grace period to 0, failing the task ' +
      'permanently at once. kubetasks defaults `create-container-config-error-grace-period` to 1m.',
  ),
  entry(
    'logs-while-pending',
    'Log links and the log context are kept while Initializing and on pending failures, built for the primary',
    'Flyte drops log links and the log context from Initializing phases and pending-time failures (they carry a ' +
      'fresh TaskInfo), and always renders links for container index 0. kubetasks keeps them on every phase and ' +
      'renders them for the primary container; the finish-time variables use the primary container finishedAt ' +
      'when it has one, else `now`.',
  ),
  entry(
    'no-phase-is-pending',
    'A pod without status.phase is Pending; an unrecognised phase is Undefined',
    'Flyte treats an empty or unrecognised pod phase like Running. The API server defaults every new pod to ' +
      'Pending, so a pod without a phase has not been looked at by Kubernetes yet: kubetasks maps it like a Pending ' +
      'pod (Queued). An unrecognised phase is not something kubetasks can interpret: Undefined, with the phase in ' +
      'the reason.',
    noPhaseIsPending,
  ),
  entry(
    'not-a-pod-is-undefined',
    'A value that is not a pod is Undefined, never an exception',
    'Flyte returns an error for a resource of the wrong type. The plugin contract here is total: any value gets a ' +
      'PhaseInfo. A non-pod value is Undefined with reason "unexpected resource type: ...".',
    notAPod,
  ),
  entry(
    'current-state-first',
    "A container's current state.terminated is read before lastState.terminated",
    'Flyte reads lastState.terminated first when describing a failed pod. The current state is the final word on ' +
      'a container of a terminal pod; lastState is only used when the current state is not a termination.',
    currentStateFirst,
  ),
  entry(
    'container-precedence',
    'Among non-primary containers, OOMKilled beats SIGKILL beats other exit codes, whatever their order',
    'Flyte lets the last container in status order set the code, so the answer depends on container order. ' +
      'kubetasks picks the most informative termination: any OOMKilled, else any SIGKILL (137/247), else the ' +
      'first non-zero exit code.',
    containerPrecedence,
  ),
  entry(
    'empty-state-is-not-success',
    'A Running pod succeeds early only when every container status really is terminated with exit code 0',
    'Flyte declares a Running pod without a primary annotation successful when no container status is waiting, ' +
      'running or terminated non-zero, which a status with an empty state satisfies; a later observation of the ' +
      'same container running would then follow a terminal Success. kubetasks requires a termination with exit ' +
      'code 0 for every regular and init container status.',
    emptyStateIsNotSuccess,
  ),
  entry(
    'crash-loop-reason',
    'A Running answer says when the primary container is crash-looping, and how many restarts it took',
    'With a restart policy other than Never, a container that keeps failing waits in CrashLoopBackOff while the pod ' +
      'stays Running, and Flyte reports plain Running with an empty reason: the task looks healthy while it fails ' +
      'over and over. kubetasks keeps the phase (the kubelet may still succeed on a later restart) and says why in ' +
      'the reason: `container <name> is crash-looping (CrashLoopBackOff, <n> restarts): <message>`. The reason ' +
      'changes with the restart count, so every new restart is a new version of the phase.',
    crashLoop,
  ),
  entry(
    'version-bumps-keep-cleanup',
    'Version bumps keep cleanupOnFailure',
    "Flyte's WithVersion resets cleanupOnFailure, so every version bump forgets that a failed pod must be " +
      'deleted. Version changes here copy the whole PhaseInfo.',
  ),
  entry(
    'structured-events',
    'Kubernetes events are attached with structured metadata, matched by kind case-insensitively and by uid',
    'Flyte never fills ReasonInfo.KubernetesEvent, matches events by a kind string that can differ in case, ' +
      'ignores updated events (count or series bumps) and cannot tell a recreated pod of the same name from the ' +
      'old one. kubetasks fills type, reason, source component, count and the involved object, compares kinds ' +
      'case-insensitively, checks the uid when both sides have one, and orders events by their latest observation ' +
      "so an updated event re-surfaces after the caller's cursor.",
  ),
];

export const differenceById = (id: DifferenceId): Difference | undefined =>
  differences.find((d) => d.id === id);
