// The deliberate differences between this pod phase mapping and Flyte's, as data the docs and tests check.
import { outcome } from './flyte-model.js';
import { entry, type Difference, type DifferenceId, type Expectation } from './difference-model.js';
import { gracePeriodsTakeNow, noPhaseIsPending, pendingTimeoutAnchor } from './differences-pending.js';
import {
  containerPrecedence,
  crashLoop,
  currentStateFirst,
  disruptionTarget,
  emptyStateIsNotSuccess,
  onlyInfrastructureIsSystem,
  podReasonFirst,
  primaryDecidesCheck,
  sameFailureRunningOrFailed,
} from './differences-started.js';

/** What the differential test feeds both implementations, and what it expects of each. */
export type { DifferentialInput, ExpectedOutcome } from './flyte-model.js';
export { COMPAT_DOC, differenceIds, type Difference, type DifferenceId } from './difference-model.js';

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

/** The difference of this id. */
export const differenceById = (id: DifferenceId): Difference | undefined =>
  differences.find((d) => d.id === id);
