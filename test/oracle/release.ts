// How the Flyte release the oracle is built from (flyteplugins v1.14.0) answers where the catalogue's snapshot differs.
import * as O from 'fp-ts/lib/Option.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { getPodTaskPhase } from '../../src/plugins/pod/phase/classify.js';
import type { DifferentialInput } from '../../src/plugins/pod/phase/differences.js';
import {
  flyteFailure,
  flytePrimary,
  outcome,
  sameOutcome,
  type ExpectedOutcome,
} from '../../src/plugins/pod/phase/flyte-model.js';
import { readPod, type PodView } from '../../src/plugins/pod/phase/pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION } from '../../src/plugins/pod/phase/primary.js';

/**
 * One change between flyteplugins v1.14.0 and the catalogue's snapshot. `apply` takes the catalogue's answer for
 * an input and returns v1.14.0's, or undefined when the change does not touch this input. Documented in
 * tools/flyte-oracle/README.md under the same ids.
 */
export interface ReleaseDifference {
  readonly id: string;
  readonly title: string;
  readonly apply: (
    input: DifferentialInput,
    pod: PodView,
    catalogue: ExpectedOutcome,
  ) => ExpectedOutcome | undefined;
}

const changed = (from: ExpectedOutcome, to: ExpectedOutcome): ExpectedOutcome | undefined =>
  sameOutcome(from, to) ? undefined : to;

const withoutInitStatuses = (resource: unknown): unknown => {
  const pod = resource as Pod;
  const status = { ...pod.status };
  delete status.initContainerStatuses;
  return { ...pod, status };
};

export const releaseDifferences: ReadonlyArray<ReleaseDifference> = [
  {
    id: 'v1.14.0/pending-init-containers-not-scanned',
    title: 'While Pending, v1.14.0 classifies only regular containers, not waiting init containers',
    apply: (input, pod, catalogue) => {
      if (pod.phase !== 'Pending' || !pod.initContainerStatuses.some((c) => c.state.waiting !== undefined)) {
        return undefined;
      }
      const pi = getPodTaskPhase(
        { now: input.now, config: input.config },
        withoutInitStatuses(input.resource),
      );
      return changed(catalogue, outcome(pi.phase, pi.error?.code, pi.error?.kind, pi.cleanupOnFailure));
    },
  },
  {
    id: 'v1.14.0/rate-limit-is-user',
    title:
      'v1.14.0 reports an ImagePullBackOff past its grace period as USER even when the registry rate-limited',
    apply: (_input, pod, catalogue) =>
      pod.phase === 'Pending' &&
      catalogue.kind === 'SYSTEM' &&
      (catalogue.code ?? '').endsWith('|ImagePullBackOff')
        ? { ...catalogue, kind: 'USER' }
        : undefined,
  },
  {
    id: 'v1.14.0/pending-timeout-is-user',
    title: 'v1.14.0 reports PodPendingTimeout as a USER failure (the catalogue: SYSTEM)',
    apply: (_input, _pod, catalogue) =>
      catalogue.code === 'PodPendingTimeout' && catalogue.kind === 'SYSTEM'
        ? { ...catalogue, kind: 'USER' }
        : undefined,
  },
  {
    id: 'v1.14.0/failed-pod-system-signals',
    title:
      'v1.14.0 makes a failed pod SYSTEM only for the pod reasons Shutdown and Terminated; a SIGKILLed primary, ' +
      'NodeShutdown, NodeAffinity and a missing code are USER (code UnknownError when nothing else), and only 137 ' +
      'is a SIGKILL',
    apply: (_input, pod, catalogue) =>
      pod.phase === 'Failed' && sameOutcome(catalogue, flyteFailure(pod))
        ? changed(catalogue, flyteFailure(pod, 'v1.14.0'))
        : undefined,
  },
  {
    id: 'v1.14.0/running-primary-sigkill-is-user',
    title: 'v1.14.0 reports a SIGKILLed primary of a Running pod as a USER failure (the catalogue: SYSTEM)',
    apply: (_input, pod, catalogue) => {
      const primary = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
      if (pod.phase !== 'Running' || primary === undefined) return undefined;
      return sameOutcome(catalogue, flytePrimary(pod, primary))
        ? changed(catalogue, flytePrimary(pod, primary, 'v1.14.0'))
        : undefined;
    },
  },
];

/** The catalogue's answer carried through every release difference, with the ids of those that changed it. */
export const toRelease = (
  input: DifferentialInput,
  catalogue: ExpectedOutcome,
): { readonly outcome: ExpectedOutcome; readonly ids: ReadonlyArray<string> } => {
  const pod = readPod(input.resource);
  if (O.isNone(pod)) return { outcome: catalogue, ids: [] };
  let current = catalogue;
  const ids: string[] = [];
  for (const d of releaseDifferences) {
    const next = d.apply(input, pod.value, current);
    if (next !== undefined && !sameOutcome(next, current)) {
      ids.push(d.id);
      current = next;
    }
  }
  return { outcome: current, ids };
};
