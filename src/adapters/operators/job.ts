// The simulated Job controller (Kubernetes 1.31+): pods, retries under backoffLimit and podFailurePolicy, status.
//
// The controller's parts live beside it: job-names.ts (pod names), job-pods.ts (reading the Job and its pods) and
// job-decision.ts (counters and the outcome); this module makes the pods to create and the status to write.
import type { Container, KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import { formatInstant, type Instant } from '../../domain/time.js';
import {
  COMPLETION_INDEX,
  COMPLETION_INDEX_ENV,
  CONTROLLER_UID_LABEL,
  INDEX_FAILURE_COUNT,
  INDEX_IGNORED_FAILURE_COUNT,
  JOB_KIND,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from '../../plugins/job/names.js';
import { SCENARIO_ANNOTATION } from '../kubelet/scenarios.js';
import { stateOf, trueCondition } from './job-decision.js';
import { podName, podSuffix } from './job-names.js';
import { formatIndexes, type JobStatus, type Spec } from './job-pods.js';
import { scenarioAnnotations, SCENARIO_ROLE_ANNOTATION, type SimulatedOperator } from './operator.js';
import { withoutScenario } from './template.js';

export { podSuffix, suffixSeq } from './job-names.js';
export { formatIndexes } from './job-pods.js';

type Condition = NonNullable<JobStatus['conditions']>[number];

// -------------------------------------------------------------------------------------
// pods to create
// -------------------------------------------------------------------------------------

const DISRUPTIONS = new Set(['preempted', 'node-shutdown', 'evicted']);

/**
 * The scenario's pods: by default every pod of the Job (so exit:1 exhausts backoffLimit), but a disruption
 * (preempted, node-shutdown, evicted) hits only each slot's first pod, since it is an event of a node, not of the
 * task: its replacement runs. `kubetasks.dev/scenario-role: first-pod` or `pod` chooses explicitly.
 */
const scenarioFor = (resource: KubeObject, first: boolean): Record<string, string> => {
  const a = resource.metadata?.annotations ?? {};
  const scenario = a[SCENARIO_ANNOTATION] ?? '';
  const target = a[SCENARIO_ROLE_ANNOTATION] ?? (DISRUPTIONS.has(scenario) ? 'first-pod' : 'pod');
  const role = target === 'pod' ? 'pod' : first ? 'first-pod' : 'replacement-pod';
  return scenarioAnnotations(resource, role, target);
};

const withIndexEnv = (c: Container): Container =>
  (c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)
    ? c
    : {
        ...c,
        env: [
          ...(c.env ?? []),
          {
            name: COMPLETION_INDEX_ENV,
            valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } },
          },
        ],
      };

const newPod = (
  resource: KubeObject,
  spec: Spec,
  seq: number,
  first: boolean,
  index?: { readonly index: number; readonly counted: number; readonly ignored: number },
): Pod => {
  const prefix = index === undefined ? `${spec.name}-` : `${spec.name}-${index.index}-`;
  const labels: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(spec.template.labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
    [CONTROLLER_UID_LABEL]: spec.uid,
    [JOB_NAME_LABEL]: spec.name,
    [LEGACY_CONTROLLER_UID_LABEL]: spec.uid,
    [LEGACY_JOB_NAME_LABEL]: spec.name,
    ...(index === undefined ? {} : { [COMPLETION_INDEX]: String(index.index) }),
  };
  const annotations: Record<string, string> = {
    ...withoutScenario(spec.template.annotations),
    ...(index === undefined ? {} : { [COMPLETION_INDEX]: String(index.index) }),
    ...(index === undefined || spec.backoffLimitPerIndex === undefined
      ? {}
      : {
          [INDEX_FAILURE_COUNT]: String(index.counted),
          [INDEX_IGNORED_FAILURE_COUNT]: String(index.ignored),
        }),
    ...scenarioFor(resource, first),
  };
  const podSpec: PodSpec =
    index === undefined
      ? spec.template.spec
      : {
          ...spec.template.spec,
          hostname: spec.template.spec.hostname ?? `${spec.name}-${index.index}`,
          containers: spec.template.spec.containers.map(withIndexEnv),
          ...(spec.template.spec.initContainers === undefined
            ? {}
            : { initContainers: spec.template.spec.initContainers.map(withIndexEnv) }),
        };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName(prefix, podSuffix(spec.uid, seq)), labels, annotations },
    spec: podSpec,
  };
};

const desiredPods = (resource: KubeObject, pods: ReadonlyArray<Pod>, now: Instant): ReadonlyArray<Pod> => {
  const s = stateOf(resource, pods, now);
  const { spec } = s;
  if (spec.uid === '' || spec.suspend || s.outcome !== undefined) return [];
  if (
    trueCondition(s.previous, 'Failed') !== undefined ||
    trueCondition(s.previous, 'Complete') !== undefined
  )
    return [];
  let next = s.pods.reduce((m, p) => Math.max(m, (p.seq ?? -1) + 1), 0);
  // With podReplacementPolicy Failed, a terminating pod still holds its slot.
  const busy = s.active.length + (spec.replaceTerminating ? 0 : s.terminating);
  const out: Pod[] = [];
  if (!spec.indexed) {
    const remaining =
      spec.completions === undefined
        ? s.succeeded > 0
          ? 0
          : spec.parallelism
        : spec.completions - s.succeeded;
    const want = Math.max(0, Math.min(spec.parallelism, remaining) - busy);
    const wave = Math.min(spec.parallelism, spec.completions ?? spec.parallelism);
    for (let i = 0; i < want; i++, next++) out.push(newPod(resource, spec, next, next < wave));
    return out;
  }
  const holding = new Set(
    s.pods
      .filter(
        (p) => p.verdict._tag === 'active' || (p.verdict._tag === 'terminating' && !spec.replaceTerminating),
      )
      .map((p) => p.index),
  );
  let capacity = spec.parallelism - busy;
  for (let k = 0; k < (spec.completions ?? 1) && capacity > 0; k++) {
    if (s.completed.has(k) || s.failedIndexes.has(k) || holding.has(k)) continue;
    const f = s.indexFailures.get(k) ?? { counted: 0, ignored: 0 };
    const first = !s.pods.some((p) => p.index === k);
    out.push(newPod(resource, spec, next, first, { index: k, ...f }));
    next++;
    capacity--;
  }
  return out;
};

// -------------------------------------------------------------------------------------
// the status
// -------------------------------------------------------------------------------------

const condition = (
  type: string,
  status: string,
  reason: string,
  message: string,
  now: Instant,
): Condition => ({
  type,
  status,
  reason,
  message,
  lastProbeTime: formatInstant(now),
  lastTransitionTime: formatInstant(now),
});

/** Sets a condition, keeping its transition time when nothing changes (as the controller does). */
const setCondition = (list: ReadonlyArray<Condition>, c: Condition): ReadonlyArray<Condition> => {
  const old = list.find((x) => x.type === c.type);
  if (old !== undefined && old.status === c.status && old.reason === c.reason) return list;
  return [...list.filter((x) => x.type !== c.type), c];
};

const status = (resource: KubeObject, pods: ReadonlyArray<Pod>, now: Instant): JobStatus | undefined => {
  const s = stateOf(resource, pods, now);
  const { spec, previous } = s;
  if (spec.uid === '') return undefined;
  // Finished: the controller writes nothing more.
  if (trueCondition(previous, 'Failed') !== undefined || trueCondition(previous, 'Complete') !== undefined)
    return undefined;
  let conditions: ReadonlyArray<Condition> = previous.conditions ?? [];
  if (spec.suspend) {
    conditions = setCondition(
      conditions,
      condition('Suspended', 'True', 'JobSuspended', 'Job suspended', now),
    );
  } else if (trueCondition(previous, 'Suspended') !== undefined) {
    conditions = setCondition(conditions, condition('Suspended', 'False', 'JobResumed', 'Job resumed', now));
  }
  // Pods finished since the last write are recorded in uncountedTerminatedPods first and counted one write later
  // (the controller's finalizer-based tracking: it records them, removes their tracking finalizers, then counts
  // them); the final condition waits until every finished pod is counted.
  const uncounted = previous.uncountedTerminatedPods ?? {};
  const succeededCounted = (previous.succeeded ?? 0) + (uncounted.succeeded ?? []).length;
  const failedCounted = (previous.failed ?? 0) + (uncounted.failed ?? []).length;
  const newly = (verdict: 'succeeded' | 'failed', n: number): string[] =>
    n <= 0
      ? []
      : s.pods
          .filter(
            (p) =>
              p.verdict._tag === verdict &&
              (p.verdict._tag !== 'failed' || p.verdict.action !== 'Ignore') &&
              p.pod.metadata?.uid !== undefined &&
              ![...(uncounted.succeeded ?? []), ...(uncounted.failed ?? [])].includes(p.pod.metadata.uid),
          )
          .slice(-n)
          .map((p) => p.pod.metadata?.uid ?? '');
  const newlySucceeded = newly('succeeded', s.succeeded - succeededCounted);
  const newlyFailed = newly('failed', s.failed - failedCounted);
  const settled = newlySucceeded.length === 0 && newlyFailed.length === 0;
  const o = s.outcome;
  const earlier = trueCondition(previous, 'FailureTarget') ?? trueCondition(previous, 'SuccessCriteriaMet');
  let final = false;
  if (o !== undefined) {
    conditions = setCondition(conditions, condition(o.type, 'True', o.reason, o.message, now));
    // The controller terminates the remaining pods, then adds the final condition: here, one write later.
    if (earlier !== undefined && settled) {
      final = true;
      const type = o.type === 'FailureTarget' ? 'Failed' : 'Complete';
      conditions = setCondition(conditions, condition(type, 'True', o.reason, o.message, now));
    }
  }
  const success = final && o?.type === 'SuccessCriteriaMet';
  // The pods this sync creates count as active at once, as the controller counts the pods it has just created.
  const creating = final || o !== undefined ? 0 : desiredPods(resource, pods, now).length;
  const active = final ? 0 : s.active.length + creating;
  const ready = final ? 0 : s.active.filter((p) => p.verdict._tag === 'active' && p.verdict.ready).length;
  return {
    ...(conditions.length === 0 ? {} : { conditions: [...conditions] }),
    ...(s.startTime === undefined ? {} : { startTime: s.startTime }),
    ...(success ? { completionTime: formatInstant(now) } : {}),
    ...(active === 0 ? {} : { active }),
    ...(succeededCounted === 0 ? {} : { succeeded: succeededCounted }),
    ...(failedCounted === 0 ? {} : { failed: failedCounted }),
    ready,
    terminating: final ? 0 : s.terminating,
    ...(spec.indexed ? { completedIndexes: formatIndexes(s.completed) } : {}),
    ...(spec.indexed && spec.backoffLimitPerIndex !== undefined
      ? { failedIndexes: formatIndexes(s.failedIndexes) }
      : {}),
    uncountedTerminatedPods: {
      ...(newlySucceeded.length === 0 ? {} : { succeeded: newlySucceeded }),
      ...(newlyFailed.length === 0 ? {} : { failed: newlyFailed }),
    },
  };
};

/**
 * The Job controller as far as a task observes it (Kubernetes 1.31+): pods named like the API server's generateName
 * (`<job>-<5 chars>`, Indexed `<job>-<index>-<5 chars>`; the suffix is derived from the Job's uid and a sequence
 * number, so it is deterministic and never reused), the controller's labels and annotations, a new pod per failure
 * until backoffLimit (or backoffLimitPerIndex), the pod failure policy (Ignore, FailJob, FailIndex, Count on exit
 * codes and pod conditions), successPolicy, activeDeadlineSeconds, and the two-step conditions FailureTarget →
 * Failed and SuccessCriteriaMet → Complete. Not simulated: the back-off delay between replacements, deleting the
 * remaining pods of a finished Job, and a deadline passing without any pod or Job event.
 */
export const jobOperator: SimulatedOperator = {
  kind: JOB_KIND,
  desiredPods,
  status,
};
