// How the Flyte release the oracle is built from (flyteplugins v1.14.0) answers where the catalogue's snapshot differs.
import * as O from 'fp-ts/lib/Option.js';
import {
  flyteFailure,
  flytePending,
  flyteWaitingContainer,
  outcome,
  type DifferentialInput,
  type ExpectedOutcome,
} from '../../src/plugins/pod/phase/flyte-model.js';
import { readPod, type PodView } from '../../src/plugins/pod/phase/pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION } from '../../src/plugins/pod/phase/primary.js';

/**
 * One change between flyteplugins v1.14.0 and the catalogue's snapshot, with its own small model of both sides:
 * where `applies` holds, the catalogue answers `from` and v1.14.0 answers `to`. Neither side looks at kubetasks'
 * answer: compare.ts checks kubetasks' actual answer against `from` (or against a documented difference's Flyte
 * side). Documented in tools/flyte-oracle/README.md under the same ids.
 */
export interface ReleaseDifference {
  readonly id: string;
  readonly title: string;
  readonly applies: (input: DifferentialInput, pod: PodView) => boolean;
  readonly from: (input: DifferentialInput, pod: PodView) => ExpectedOutcome;
  readonly to: (input: DifferentialInput, pod: PodView) => ExpectedOutcome;
  /** Whether both sides come from flyte-model.ts (the project's general model of Flyte) rather than this entry. */
  readonly flyteModel: boolean;
  /** Where the outcomes agree, the exact reasons: the catalogue's (`from`, kubetasks' too) and v1.14.0's (`to`). */
  readonly reasons?: (
    input: DifferentialInput,
    pod: PodView,
  ) => { readonly from: string; readonly to: string };
}

const RATE_LIMITED = '429 Too Many Requests';
const SIGKILL = new Set([137, 247]);

/** The container the catalogue's DemystifyPending classifies, with its Ready condition. */
const cataloguePendingOn = (pod: PodView) => {
  for (const c of pod.conditions) {
    if ((c.type === 'PodScheduled' && c.status === 'False') || c.type === 'Unschedulable') return undefined;
    if (c.type !== 'Ready' || c.status !== 'False') continue;
    const w = flyteWaitingContainer(pod, 'catalogue');
    if (w !== undefined) return { ready: c, ...w };
  }
  return undefined;
};

/**
 * The reason of DemystifyPending's non-terminal answer in each release: the scheduling condition's
 * `<reason>:<message>`, the classified waiting container's `[<Ready.reason>|<waiting.reason>]: <Ready.message>|<waiting
 * message>`, or the default `Demistify Pending`.
 */
const pendingReason = (pod: PodView, release: 'catalogue' | 'v1.14.0'): string => {
  for (const c of pod.conditions) {
    if ((c.type === 'PodScheduled' && c.status === 'False') || c.type === 'Unschedulable') {
      return `${c.reason}:${c.message}`;
    }
    if (c.type !== 'Ready' || c.status !== 'False') continue;
    const w = flyteWaitingContainer(pod, release)?.status.state.waiting;
    if (w !== undefined) return `[${c.reason}|${w.reason}]: ${c.message}|${w.message}`;
  }
  return 'Demistify Pending';
};

/** The phases Flyte's pod plugin names; every other phase (none included) takes the Running branch. */
const NAMED = new Set(['Pending', 'Succeeded', 'Failed', 'Unschedulable', 'Unknown']);

/** The annotated primary of a pod in Flyte's Running branch, terminated by a SIGKILL that was not an OOM kill. */
const sigkilledPrimary = (pod: PodView) => {
  const name = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
  const t = pod.containerStatuses.find((c) => c.name === name)?.state.terminated;
  const killed = t !== undefined && SIGKILL.has(t.exitCode) && !t.reason.includes('OOMKilled');
  return killed && !NAMED.has(pod.phase ?? '') ? t : undefined;
};

export const releaseDifferences: ReadonlyArray<ReleaseDifference> = [
  {
    id: 'v1.14.0/pending-init-containers-not-scanned',
    title: 'While Pending, v1.14.0 classifies only regular containers, not waiting init containers',
    applies: (_input, pod) => pod.phase === 'Pending' && cataloguePendingOn(pod)?.init === true,
    from: (input, pod) => flytePending(input, pod, 'catalogue'),
    to: (input, pod) => flytePending(input, pod, 'v1.14.0'),
    flyteModel: false,
    reasons: (_input, pod) => ({ from: pendingReason(pod, 'catalogue'), to: pendingReason(pod, 'v1.14.0') }),
  },
  {
    id: 'v1.14.0/rate-limit-is-user',
    title:
      'v1.14.0 reports an ImagePullBackOff past its grace period as USER even when the registry rate-limited',
    applies: (_input, pod) => {
      const on = cataloguePendingOn(pod);
      const w = on?.status.state.waiting;
      return (
        pod.phase === 'Pending' &&
        on?.init === false &&
        w?.reason === 'ImagePullBackOff' &&
        w.message.includes(RATE_LIMITED)
      );
    },
    from: (_input, pod) =>
      outcome(
        'RetryableFailure',
        `${cataloguePendingOn(pod)?.ready.reason ?? ''}|ImagePullBackOff`,
        'SYSTEM',
        true,
      ),
    to: (_input, pod) =>
      outcome(
        'RetryableFailure',
        `${cataloguePendingOn(pod)?.ready.reason ?? ''}|ImagePullBackOff`,
        'USER',
        true,
      ),
    flyteModel: false,
  },
  {
    id: 'v1.14.0/pending-timeout-is-user',
    title: 'v1.14.0 reports PodPendingTimeout as a USER failure (the catalogue: SYSTEM)',
    applies: (input, pod) => pod.phase === 'Pending' && input.config.plugins.k8s['pod-pending-timeout'] > 0,
    from: () => outcome('RetryableFailure', 'PodPendingTimeout', 'SYSTEM', true),
    to: () => outcome('RetryableFailure', 'PodPendingTimeout', 'USER', true),
    flyteModel: false,
  },
  {
    id: 'v1.14.0/failed-pod-system-signals',
    title:
      'v1.14.0 makes a failed pod SYSTEM only for the pod reasons Shutdown and Terminated; a SIGKILLed primary, ' +
      'NodeShutdown, NodeAffinity and a missing code are USER (code UnknownError when nothing else), and only 137 ' +
      'is a SIGKILL',
    applies: (_input, pod) => pod.phase === 'Failed',
    from: (_input, pod) => flyteFailure(pod, 'catalogue'),
    to: (_input, pod) => flyteFailure(pod, 'v1.14.0'),
    flyteModel: true,
  },
  {
    id: 'v1.14.0/running-primary-sigkill-is-user',
    title:
      'v1.14.0 reports a SIGKILLed primary of a Running pod (or one without a known phase) as a USER failure (the catalogue: SYSTEM)',
    applies: (_input, pod) => sigkilledPrimary(pod) !== undefined,
    from: (_input, pod) => outcome('RetryableFailure', sigkilledPrimary(pod)?.reason, 'SYSTEM'),
    to: (_input, pod) => outcome('RetryableFailure', sigkilledPrimary(pod)?.reason, 'USER'),
    flyteModel: false,
  },
];

/** A release difference that applies to an input, with both sides computed. */
export interface AppliedRelease {
  readonly id: string;
  readonly from: ExpectedOutcome;
  readonly to: ExpectedOutcome;
  readonly flyteModel: boolean;
  readonly reasons?: { readonly from: string; readonly to: string };
}

/** The release differences that apply to an input, in order (none for a value that is not a pod). */
export const releaseFor = (input: DifferentialInput): ReadonlyArray<AppliedRelease> =>
  O.match(
    () => [],
    (pod: PodView) =>
      releaseDifferences.flatMap((r) =>
        r.applies(input, pod)
          ? [
              {
                id: r.id,
                from: r.from(input, pod),
                to: r.to(input, pod),
                flyteModel: r.flyteModel,
                ...(r.reasons === undefined ? {} : { reasons: r.reasons(input, pod) }),
              },
            ]
          : [],
      ),
  )(readPod(input.resource));
