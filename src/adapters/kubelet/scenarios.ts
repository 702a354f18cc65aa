// What the simulated kubelet does with a pod: the scenario and durations its annotations ask for.
import * as O from 'fp-ts/lib/Option.js';
import type { Pod } from '../../domain/kubernetes.js';
import { parseDuration, type Duration } from '../../domain/time.js';

/** Chooses the scenario: `succeed` (default), `exit:<code>`, `oom`, ... (see `Scenario`). */
export const SCENARIO_ANNOTATION = 'kubetasks.dev/scenario';
/** Time from binding to running containers (image pull, sandbox), as a Go duration. Default `1s`. */
export const PENDING_DURATION_ANNOTATION = 'kubetasks.dev/pending-duration';
/** Time containers run before the scenario's outcome (exit, OOM, preemption, ...). Default `1s`. */
export const RUN_DURATION_ANNOTATION = 'kubetasks.dev/run-duration';
/** Time each init container runs. Default `500ms`. */
export const INIT_DURATION_ANNOTATION = 'kubetasks.dev/init-duration';
/** The container the scenario's trouble hits. Default: the first container. */
export const SCENARIO_CONTAINER_ANNOTATION = 'kubetasks.dev/scenario-container';

/** A scenario: how the pod's life goes. */
export type Scenario =
  /** Containers run, then exit 0. */
  | { readonly _tag: 'succeed' }
  /** The scenario container exits with this code (reason Error); the others exit 0. */
  | { readonly _tag: 'exit'; readonly code: number }
  /** The scenario container is killed for memory (exit 137, reason OOMKilled). */
  | { readonly _tag: 'oom' }
  /** The image cannot be pulled: ErrImagePull, then ImagePullBackOff, for ever. */
  | { readonly _tag: 'image-pull-backoff' }
  /** The image reference does not parse: InvalidImageName, for ever. */
  | { readonly _tag: 'invalid-image' }
  /** A referenced Secret or ConfigMap is missing: CreateContainerConfigError, for ever. */
  | { readonly _tag: 'create-container-config-error' }
  /** The scheduler finds no node: PodScheduled=False, reason Unschedulable; the pod stays Pending. */
  | { readonly _tag: 'unschedulable' }
  /** While running, the scheduler preempts the pod: DisruptionTarget condition, then a graceful delete. */
  | { readonly _tag: 'preempted' }
  /** While running, the node shuts down: phase Failed, reason Terminated, DisruptionTarget by the kubelet. */
  | { readonly _tag: 'node-shutdown' }
  /** While running, the kubelet evicts the pod for memory pressure: phase Failed, reason Evicted. */
  | { readonly _tag: 'evicted' }
  /** Bound, then nothing more: containers stay ContainerCreating. */
  | { readonly _tag: 'stuck-pending' };

/** The name of a scenario, without its arguments (`exit` for `exit:3`). */
export type ScenarioTag = Scenario['_tag'];

/** Every scenario name, in the order `--scenario` lists them. */
export const scenarioTags: ReadonlyArray<ScenarioTag> = [
  'succeed',
  'exit',
  'oom',
  'image-pull-backoff',
  'invalid-image',
  'create-container-config-error',
  'unschedulable',
  'preempted',
  'node-shutdown',
  'evicted',
  'stuck-pending',
];

/** Parses the annotation value; unknown values are none (the kubelet then runs the default, and logs it). */
export const parseScenario = (s: string): O.Option<Scenario> => {
  const exit = /^exit:(-?\d{1,3})$/.exec(s);
  if (exit !== null) {
    const code = Number(exit[1]);
    return code >= 0 && code <= 255 ? O.some({ _tag: 'exit', code }) : O.none;
  }
  switch (s) {
    case 'succeed':
    case 'oom':
    case 'image-pull-backoff':
    case 'invalid-image':
    case 'create-container-config-error':
    case 'unschedulable':
    case 'preempted':
    case 'node-shutdown':
    case 'evicted':
    case 'stuck-pending':
      return O.some({ _tag: s });
    default:
      return O.none;
  }
};

/** Renders a scenario as its annotation value. */
export const showScenario = (s: Scenario): string => (s._tag === 'exit' ? `exit:${s.code}` : s._tag);

/** The kubelet's reading of a pod's annotations. */
export interface PodPlan {
  readonly scenario: Scenario;
  /** Set when the annotation was present but not understood. */
  readonly unknownScenario?: string;
  readonly pendingMs: Duration;
  readonly runMs: Duration;
  readonly initMs: Duration;
  /** Name of the container the trouble hits. */
  readonly container: string;
}

export interface PlanDefaults {
  readonly pendingMs: Duration;
  readonly runMs: Duration;
  readonly initMs: Duration;
}

export const defaultPlanDurations: PlanDefaults = { pendingMs: 1000, runMs: 1000, initMs: 500 };

const durationOr = (value: string | undefined, fallback: Duration): Duration =>
  value === undefined ? fallback : O.getOrElse(() => fallback)(parseDuration(value));

/** Reads the plan from the pod's annotations, falling back to `defaults`. */
export const planOf = (pod: Pod, defaults: PlanDefaults = defaultPlanDurations): PodPlan => {
  const a = pod.metadata?.annotations ?? {};
  const raw = a[SCENARIO_ANNOTATION];
  const parsed = raw === undefined ? O.some<Scenario>({ _tag: 'succeed' }) : parseScenario(raw);
  const first = pod.spec?.containers[0]?.name ?? '';
  const wanted = a[SCENARIO_CONTAINER_ANNOTATION];
  const container =
    wanted !== undefined && (pod.spec?.containers ?? []).some((c) => c.name === wanted) ? wanted : first;
  return {
    scenario: O.getOrElse((): Scenario => ({ _tag: 'succeed' }))(parsed),
    ...(O.isNone(parsed) && raw !== undefined ? { unknownScenario: raw } : {}),
    pendingMs: durationOr(a[PENDING_DURATION_ANNOTATION], defaults.pendingMs),
    runMs: durationOr(a[RUN_DURATION_ANNOTATION], defaults.runMs),
    initMs: durationOr(a[INIT_DURATION_ANNOTATION], defaults.initMs),
    container,
  };
};
