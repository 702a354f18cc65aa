// Versions and reasons in the verdict: each side's version from its own rule, exact reason pairs, observation sequences.
import * as O from 'fp-ts/lib/Option.js';
import fc from 'fast-check';
import type { PluginState } from '../../src/domain/phase-info.js';
import { isTerminal, type Phase } from '../../src/domain/phase.js';
import type { DifferentialInput } from '../../src/plugins/pod/phase/differences.js';
import { readPod, type PodView } from '../../src/plugins/pod/phase/pod-view.js';
import { PRIMARY_CONTAINER_ANNOTATION } from '../../src/plugins/pod/phase/primary.js';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { arbPodObservation, arbPodObservations } from '../../src/testing/pod-arbitraries.js';
import type { Answer } from './oracle.js';
import { arbOracleConfig } from './inputs.js';

/**
 * The release difference in version handling (tools/flyte-oracle/README.md): v1.14.0's MaybeUpdatePhaseVersion never
 * bumps Running, where the catalogue's does. (An earlier oracle re-created the pod plugin's dispatch without its log
 * links and so reported Running as version 0; Flyte's own plugin, with its default log config, reports 1 as
 * kubetasks does, and that entry is gone.)
 */
export const RUNNING_VERSION_NOT_BUMPED = 'v1.14.0/running-version-not-bumped';

/** A Running pod whose annotated primary is in the spec but has no status with a state yet: the catalogue's version 0. */
const primaryNotStarted = (pod: PodView): boolean => primaryWithoutState(pod) && pod.phase === 'Running';

/**
 * The annotated primary is in the spec but has no status with a state: v1.14.0 answers Running version 0 for it in
 * every pod phase its switch does not name (Running, none, any other string), not only Running.
 */
const primaryWithoutState = (pod: PodView): boolean => {
  const name = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
  if (name === undefined) return false;
  const s = pod.containerStatuses.find((c) => c.name === name);
  const started =
    s !== undefined &&
    (s.state.waiting !== undefined || s.state.running !== undefined || s.state.terminated !== undefined);
  return !started && pod.specContainers.includes(name);
};

/**
 * The version a pod plugin answer starts from before the stored state is consulted, in each release. The catalogue
 * reports Running as version 1 once the pod has a log context. v1.14.0 does once it renders a log link: its default
 * log config enables the Kubernetes dashboard template, which renders for any pod with a container in its spec.
 */
const baseVersion = (pod: O.Option<PodView>, phase: Phase, release: 'catalogue' | 'v1.14.0'): number =>
  phase !== 'Running'
    ? 0
    : release === 'catalogue'
      ? O.exists(primaryNotStarted)(pod)
        ? 0
        : 1
      : O.exists((p: PodView) => p.specContainers.length > 0 && !primaryWithoutState(p))(pod)
        ? 1
        : 0;

/**
 * MaybeUpdatePhaseVersion (the catalogue's bumps Running too; v1.14.0's never does), then the plugin manager's floor
 * (machinery 6.4 step 3: within the same phase a version never goes below the stored one), which the oracle's
 * plugin-level answer does not include and kubetasks' getTaskPhase does.
 */
export const versionRule = (
  release: 'catalogue' | 'v1.14.0',
  base: number,
  phase: Phase,
  reason: string,
  previous: PluginState | undefined,
  floor = true,
): number => {
  if (previous === undefined || previous.phase !== phase) return base;
  const bumps = release === 'catalogue' || phase !== 'Running';
  const bumped =
    bumps && base <= previous.version && reason !== previous.reason ? previous.version + 1 : base;
  return floor ? Math.max(bumped, previous.version) : bumped;
};

export type VersionVerdict =
  | { readonly tag: 'equal' }
  /** The versions differ only because the answers' phases or reasons do (judged by the other verdicts). */
  | { readonly tag: 'follows' }
  | { readonly tag: 'explained'; readonly id: string }
  | { readonly tag: 'unexplained'; readonly why: string };

/**
 * kubetasks' version must be the catalogue's rule applied to its own phase and reason (and the stored state); the
 * oracle's, v1.14.0's rule applied to its own answer plus the manager's floor. Where phase and reason agree, a
 * difference must be one of the two Running release differences.
 */
export const versionVerdict = (
  input: DifferentialInput,
  previous: PluginState | undefined,
  k: Answer,
  f: Answer,
): VersionVerdict => {
  const pod = readPod(input.resource);
  const mine = versionRule('catalogue', baseVersion(pod, k.phase, 'catalogue'), k.phase, k.reason, previous);
  const fBase = baseVersion(pod, f.phase, 'v1.14.0');
  // The oracle answers at plugin level: its version must be exactly v1.14.0's plugin rule; the task then sees it
  // raised by the manager's floor.
  const plugin = versionRule('v1.14.0', fBase, f.phase, f.reason, previous, false);
  const theirs = versionRule('v1.14.0', fBase, f.phase, f.reason, previous);
  if (k.version !== mine) {
    return { tag: 'unexplained', why: `kubetasks' version ${k.version}, its rule says ${mine}` };
  }
  if (f.version !== plugin) {
    return { tag: 'unexplained', why: `the oracle's version ${f.version}, v1.14.0's rule says ${plugin}` };
  }
  if (mine === theirs) return { tag: 'equal' };
  if (k.phase !== f.phase || k.reason !== f.reason) return { tag: 'follows' };
  if (k.phase !== 'Running')
    return { tag: 'unexplained', why: `versions ${mine} and ${theirs} for one answer` };
  const catalogueBumps =
    previous?.phase === 'Running' && previous.version >= 1 && k.reason !== previous.reason;
  return catalogueBumps
    ? { tag: 'explained', id: RUNNING_VERSION_NOT_BUMPED }
    : { tag: 'unexplained', why: `Running versions ${mine} and ${theirs} with no bump to explain them` };
};

// -------------------------------------------------------------------------------------
// sequences
// -------------------------------------------------------------------------------------

/** Successive observations of one pod (times increasing) under one config. */
export interface ObservationSequence {
  readonly steps: ReadonlyArray<DifferentialInput>;
}

/** An ordinary life of one pod, observed at increasing times (src/testing's lifecycle and snapshot arbitraries). */
const arbLifeSequence: fc.Arbitrary<ObservationSequence> = fc
  .tuple(arbPodObservations({ minLength: 2, maxLength: 10 }), arbOracleConfig)
  .map(([{ observations }, config]) => ({
    steps: observations.map(({ pod, now }) => ({ resource: pod, now, config })),
  }));

const SECOND = 1000;
const stamp = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/u, 'Z');

/** A container restarted for the n-th time, now running again or backing off in CrashLoopBackOff. */
const restarted = (c: ContainerStatus, n: number, now: number, backingOff: boolean): ContainerStatus => ({
  ...c,
  ready: !backingOff,
  restartCount: n,
  state: backingOff
    ? {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${10 * 2 ** Math.min(n, 5)}s restarting failed container=${c.name}`,
        },
      }
    : { running: { startedAt: stamp(now - 5 * SECOND) } },
  lastState: {
    terminated: {
      exitCode: 1,
      reason: 'Error',
      startedAt: stamp(now - 25 * SECOND),
      finishedAt: stamp(now - 10 * SECOND),
    },
  },
});

/**
 * A Running pod (restart policy Always) whose first container keeps failing: each observation, 30 s apart, has one
 * more restart and the container running again or in CrashLoopBackOff. The Running reason changes as it goes, which
 * is where the catalogue's version rule and v1.14.0's part (v1.14.0 never bumps Running).
 */
const arbCrashLoopSequence: fc.Arbitrary<ObservationSequence> = fc
  .tuple(
    arbPodObservation.filter(
      (o) => o.pod.status?.phase === 'Running' && (o.pod.status.containerStatuses ?? []).length > 0,
    ),
    fc.array(fc.boolean(), { minLength: 2, maxLength: 8 }),
    arbOracleConfig,
  )
  .map(([o, backingOff, config]) => ({
    steps: backingOff.map((waiting, i) => {
      const now = o.now + (i + 1) * 30 * SECOND;
      const pod: Pod = {
        ...o.pod,
        spec: { containers: [], ...o.pod.spec, restartPolicy: 'Always' },
        status: {
          ...o.pod.status,
          containerStatuses: (o.pod.status?.containerStatuses ?? []).map((c, j) =>
            j === 0 ? restarted(c, i + 1, now, waiting) : c,
          ),
        },
      };
      return { resource: pod, now, config };
    }),
  }));

/** Sequences of observations of one pod: ordinary lives, and crash loops where the Running reason keeps changing. */
export const arbObservationSequence: fc.Arbitrary<ObservationSequence> = fc.oneof(
  { weight: 3, arbitrary: arbLifeSequence },
  { weight: 1, arbitrary: arbCrashLoopSequence },
);

/**
 * One observation (a pod's by default; a custom resource's in the CRD and Kubeflow suites) and the plugin state
 * kubetasks was handed with it (the oracle gets the same).
 */
export interface Observed<I = DifferentialInput> {
  readonly input: I;
  readonly previous?: PluginState;
}

/**
 * A sequence's observations, each with the state kubetasks stored after the one before (its phase, version and
 * reason). The sequence ends at kubetasks' first terminal answer, after which no plugin is asked again.
 */
export const withPreviousStates = <I>(
  steps: ReadonlyArray<I>,
  answer: (input: I, previous: PluginState | undefined) => Answer,
): ReadonlyArray<Observed<I>> => {
  const out: Array<Observed<I>> = [];
  let previous: PluginState | undefined;
  for (const input of steps) {
    out.push(previous === undefined ? { input } : { input, previous });
    const k = answer(input, previous);
    if (isTerminal(k.phase)) break;
    previous = { phase: k.phase, version: k.version, reason: k.reason };
  }
  return out;
};
