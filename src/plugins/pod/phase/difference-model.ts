// What a deliberate difference from Flyte is (id, reason, docs anchor, oracle check) and the helpers checks share.
import * as O from 'fp-ts/lib/Option.js';
import type { DifferentialInput, ExpectedOutcome } from './flyte-model.js';
import { readPod, type PodView } from './pod-view.js';

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

/** The page that documents every difference. */
export const COMPAT_DOC = 'docs/compatibility.md';

/** How the differential test checks one difference (see `Difference`). */
export type Expectation = Required<Pick<Difference, 'applies' | 'expected'>> &
  Pick<Difference, 'flyteModel' | 'reasons'>;

/** One difference, documented under its id in docs/compatibility.md. */
export const entry = (id: DifferenceId, title: string, reason: string, check?: Expectation): Difference => ({
  id,
  title,
  reason,
  docs: `${COMPAT_DOC}#${id}`,
  ...(check ?? {}),
});

/** A check on the pod of an input; a value that is not a pod never applies. */
export const onPod =
  (f: (pod: PodView) => boolean) =>
  (input: DifferentialInput): boolean =>
    O.match(() => false, f)(readPod(input.resource));

/** The pod of an input that `applies` accepted. */
export const podOf = (input: DifferentialInput): PodView =>
  O.getOrElseW(() => {
    throw new Error('expected is only called when applies holds');
  })(readPod(input.resource));

/** Both sides' answers, each computed from the input's pod. */
export const expecting =
  (kubetasks: (pod: PodView) => ExpectedOutcome, flyte: (pod: PodView) => ExpectedOutcome) =>
  (input: DifferentialInput): { readonly kubetasks: ExpectedOutcome; readonly flyte: ExpectedOutcome } => {
    const pod = podOf(input);
    return { kubetasks: kubetasks(pod), flyte: flyte(pod) };
  };
