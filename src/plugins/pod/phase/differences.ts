// The deliberate differences between this pod phase mapping and Flyte's, as data the docs and tests check.
import * as O from 'fp-ts/lib/Option.js';
import type { PlatformConfig } from '../../../domain/platform-config.js';
import type { Instant } from '../../../domain/time.js';
import { flyteFailure, flyteStarted, outcome, type ExpectedOutcome } from './flyte-model.js';
import { conditionOf, readPod, terminationOf, type PodView, type Termination } from './pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION } from './primary.js';

export type { ExpectedOutcome } from './flyte-model.js';

/** What a differential test feeds both implementations: a resource and the observation's context. */
export interface DifferentialInput {
  readonly resource: unknown;
  readonly now: Instant;
  readonly config: PlatformConfig;
}

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
  'version-bumps-keep-cleanup',
  'structured-events',
] as const;

export type DifferenceId = (typeof differenceIds)[number];

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
  readonly expected?: (input: DifferentialInput) => {
    readonly kubetasks: ExpectedOutcome;
    readonly flyte: ExpectedOutcome;
  };
}

export const COMPAT_DOC = 'docs/compatibility.md';

type Expectation = Required<Pick<Difference, 'applies' | 'expected'>>;

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
};

/** A failed pod with nothing pod-level to blame and no primary termination: the containers decide. */
const containersDecide = (pod: PodView): boolean =>
  pod.phase === 'Failed' && pod.reason === '' && !disrupted(pod) && primaryEnd(pod) === undefined;

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
};

const primaryDecidesCheck: Expectation = {
  applies: onPod((pod) => terminal(pod) && primaryDecides(pod)),
  expected: expecting(
    (pod) => {
      const t = primaryEnd(pod);
      return t !== undefined && oom(t)
        ? outcome('RetryableFailure', 'OOMKilled', 'USER')
        : outcome('Success');
    },
    (pod) => flyteStarted(pod),
  ),
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
};

// Pending pods: the parts of the answer that depend on time, and pods without a phase.

const GRACED = new Set(['CreateContainerError', 'CreateContainerConfigError', 'ImagePullBackOff']);
const RATE_LIMITED = '429 Too Many Requests';

const graceOf = (config: PlatformConfig, waitingReason: string): number => {
  const k8s = config.plugins.k8s;
  if (waitingReason === 'CreateContainerError') return k8s['create-container-error-grace-period'];
  if (waitingReason === 'CreateContainerConfigError')
    return k8s['create-container-config-error-grace-period'];
  return k8s['image-pull-backoff-grace-period'];
};

const unscheduled = (pod: PodView) =>
  pod.conditions.find(
    (c) => (c.type === 'PodScheduled' && c.status === 'False') || c.type === 'Unschedulable',
  );

/** The condition that explains a pending pod, as the catalogue describes Flyte's scan (init containers first). */
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

const pendingTimeout = (input: DifferentialInput, since: Instant | undefined): boolean => {
  const timeout = input.config.plugins.k8s['pod-pending-timeout'];
  return timeout > 0 && since !== undefined && input.now - since >= timeout;
};

const timedOut = outcome('RetryableFailure', 'PodPendingTimeout', 'SYSTEM', true);

const latestTransition = (pod: PodView): Instant | undefined =>
  pod.conditions.reduce<Instant | undefined>((acc, c) => {
    const t = c.lastTransitionTime;
    return t === undefined ? acc : acc === undefined ? t : Math.max(acc, t);
  }, undefined);

const gracePeriodsTakeNow: Expectation = {
  applies: (input) =>
    onPod((pod) => {
      const w = waitingOn(pod);
      return (
        (pod.phase === 'Pending' || pod.phase === undefined) &&
        w !== undefined &&
        w.ready.lastTransitionTime === undefined &&
        GRACED.has(w.waiting.reason) &&
        graceOf(input.config, w.waiting.reason) > 0
      );
    })(input),
  expected: (input) => {
    const pod = podOf(input);
    const w = waitingOn(pod);
    const reason = w?.waiting.reason ?? '';
    const code = `${w?.ready.reason ?? ''}|${reason}`;
    const flyte =
      reason === 'ImagePullBackOff'
        ? outcome(
            'RetryableFailure',
            code,
            (w?.waiting.message ?? '').includes(RATE_LIMITED) ? 'SYSTEM' : 'USER',
            true,
          )
        : outcome('PermanentFailure', code, 'USER', true);
    return {
      kubetasks: pendingTimeout(input, pod.creationTimestamp) ? timedOut : outcome('Initializing'),
      flyte,
    };
  },
};

/** Pending with nothing that explains it: no unschedulable condition, no waiting container. */
const unexplainedPending = (pod: PodView): boolean =>
  (pod.phase === 'Pending' || pod.phase === undefined) &&
  unscheduled(pod) === undefined &&
  waitingOn(pod) === undefined;

const pendingTimeoutAnchor: Expectation = {
  applies: (input) =>
    input.config.plugins.k8s['pod-pending-timeout'] > 0 &&
    onPod((p) => p.phase === 'Pending' && unexplainedPending(p))(input),
  expected: (input) => {
    const pod = podOf(input);
    const kubetasksSince = latestTransition(pod) ?? pod.creationTimestamp;
    // Flyte counts from the last condition it looked at (a missing time is infinitely old), or not at all.
    const last = pod.conditions.at(-1);
    const flyteFires =
      last !== undefined &&
      (last.lastTransitionTime === undefined || pendingTimeout(input, last.lastTransitionTime));
    return {
      kubetasks: pendingTimeout(input, kubetasksSince) ? timedOut : outcome('Queued'),
      flyte: flyteFires ? timedOut : outcome('Queued'),
    };
  },
};

const noPhaseIsPending: Expectation = {
  applies: onPod(
    (pod) => pod.phase === undefined && pod.containerStatuses.length === 0 && unexplainedPending(pod),
  ),
  expected: (input) => {
    const pod = podOf(input);
    return {
      kubetasks: pendingTimeout(input, latestTransition(pod) ?? pod.creationTimestamp)
        ? timedOut
        : outcome('Queued'),
      flyte: flyteStarted(pod),
    };
  },
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
  ),
  entry(
    'current-state-first',
    "A container's current state.terminated is read before lastState.terminated",
    'Flyte reads lastState.terminated first when describing a failed pod. The current state is the final word on ' +
      'a container of a terminal pod; lastState is only used when the current state is not a termination.',
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
