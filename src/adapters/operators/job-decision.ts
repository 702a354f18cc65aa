// The simulated Job controller's decision: counters, completed and failed indexes, and whether the Job succeeds or fails.
import * as O from 'fp-ts/lib/Option.js';
import type { KubeObject, Pod } from '../../domain/kubernetes.js';
import { formatInstant, parseInstant, type Instant } from '../../domain/time.js';
import { INDEX_FAILURE_COUNT, INDEX_IGNORED_FAILURE_COUNT } from '../../plugins/job/names.js';
import { indexSet, seen, specOf, statusOf, type JobStatus, type SeenPod, type Spec } from './job-pods.js';

type Condition = NonNullable<JobStatus['conditions']>[number];

/** How the Job ends, once the controller decides it: the condition it adds first (then Failed or Complete). */
export interface Outcome {
  readonly type: 'FailureTarget' | 'SuccessCriteriaMet';
  readonly reason: string;
  readonly message: string;
}

/** Everything the controller derives from the Job and its pods in one sync. */
export interface State {
  readonly spec: Spec;
  readonly pods: ReadonlyArray<SeenPod>;
  readonly previous: JobStatus;
  readonly active: ReadonlyArray<SeenPod>;
  readonly terminating: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly completed: ReadonlySet<number>;
  readonly failedIndexes: ReadonlySet<number>;
  /** Failures (counted, ignored) per index, from the pods' annotations and outcomes. */
  readonly indexFailures: ReadonlyMap<number, { readonly counted: number; readonly ignored: number }>;
  readonly startTime: string | undefined;
  readonly outcome: Outcome | undefined;
}

/** The Job condition of this type, when it is True. */
export const trueCondition = (s: JobStatus, type: string): Condition | undefined =>
  (s.conditions ?? []).find((c) => c.type === type && c.status === 'True');

const countAt = (pod: Pod, key: string): number => {
  const v = pod.metadata?.annotations?.[key];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
};

/** The controller's view of the Job now: its pods' verdicts, counters, indexes and outcome. */
export const stateOf = (resource: KubeObject, pods: ReadonlyArray<Pod>, now: Instant): State => {
  const spec = specOf(resource);
  const previous = statusOf(resource);
  const all = seen(spec, pods);
  const active = all.filter((p) => p.verdict._tag === 'active');
  const terminating = all.filter((p) => p.verdict._tag === 'terminating').length;
  const counted = all.filter((p) => p.verdict._tag === 'failed' && p.verdict.action !== 'Ignore');
  // Counters only grow: a pod deleted after it was counted is still counted.
  const failed = Math.max(previous.failed ?? 0, counted.length);
  const completed = indexSet(previous.completedIndexes);
  const failedIndexes = indexSet(previous.failedIndexes);
  const indexFailures = new Map<number, { counted: number; ignored: number }>();
  if (spec.indexed) {
    for (const p of all) {
      if (p.index === undefined || spec.completions === undefined || p.index >= spec.completions) continue;
      if (p.verdict._tag === 'succeeded') completed.add(p.index);
      const base = {
        counted: countAt(p.pod, INDEX_FAILURE_COUNT),
        ignored: countAt(p.pod, INDEX_IGNORED_FAILURE_COUNT),
      };
      const v = p.verdict;
      const after =
        v._tag === 'failed'
          ? v.action === 'Ignore'
            ? { ...base, ignored: base.ignored + 1 }
            : { ...base, counted: base.counted + 1 }
          : base;
      const known = indexFailures.get(p.index);
      indexFailures.set(p.index, {
        counted: Math.max(known?.counted ?? 0, after.counted),
        ignored: Math.max(known?.ignored ?? 0, after.ignored),
      });
      if (spec.backoffLimitPerIndex !== undefined && v._tag === 'failed') {
        if (
          v.action === 'FailIndex' ||
          (v.action !== 'Ignore' && after.counted > spec.backoffLimitPerIndex)
        ) {
          failedIndexes.add(p.index);
        }
      }
    }
  }
  const succeeded = spec.indexed
    ? Math.max(previous.succeeded ?? 0, completed.size)
    : Math.max(previous.succeeded ?? 0, all.filter((p) => p.verdict._tag === 'succeeded').length);
  const startTime = previous.startTime ?? (spec.suspend ? undefined : formatInstant(now));
  const base = {
    spec,
    pods: all,
    previous,
    active,
    terminating,
    succeeded,
    failed,
    completed,
    failedIndexes,
    indexFailures,
    startTime,
  };
  return { ...base, outcome: outcomeOf(base, now) };
};

const outcomeOf = (s: Omit<State, 'outcome'>, now: Instant): Outcome | undefined => {
  const { spec } = s;
  const earlier =
    trueCondition(s.previous, 'FailureTarget') ?? trueCondition(s.previous, 'SuccessCriteriaMet');
  if (earlier !== undefined) {
    return {
      type: earlier.type as Outcome['type'],
      reason: earlier.reason ?? '',
      message: earlier.message ?? '',
    };
  }
  if (spec.suspend) return undefined;
  const failJob = s.pods.find((p) => p.verdict._tag === 'failed' && p.verdict.action === 'FailJob');
  if (failJob !== undefined && failJob.verdict._tag === 'failed') {
    return { type: 'FailureTarget', reason: 'PodFailurePolicy', message: failJob.verdict.message };
  }
  const restarts = s.active.reduce((n, p) => n + p.restarts, 0);
  const pastOnFailure =
    spec.restartOnFailure && (spec.backoffLimit === 0 ? restarts > 0 : restarts >= spec.backoffLimit);
  if (s.failed > spec.backoffLimit || pastOnFailure) {
    return {
      type: 'FailureTarget',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    };
  }
  const start = O.toUndefined(parseInstant(s.startTime));
  if (
    spec.activeDeadlineSeconds !== undefined &&
    start !== undefined &&
    now - start >= spec.activeDeadlineSeconds * 1000
  ) {
    return {
      type: 'FailureTarget',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    };
  }
  if (spec.indexed) {
    const n = spec.completions ?? 1;
    if (spec.maxFailedIndexes !== undefined && s.failedIndexes.size > spec.maxFailedIndexes) {
      return {
        type: 'FailureTarget',
        reason: 'MaxFailedIndexesExceeded',
        message: 'Job has exceeded the specified maximal number of failed indexes',
      };
    }
    for (const [i, rule] of spec.successRules.entries()) {
      const wanted = rule.succeededIndexes === undefined ? undefined : indexSet(rule.succeededIndexes);
      const hits =
        wanted === undefined ? s.completed.size : [...wanted].filter((x) => s.completed.has(x)).length;
      const need = rule.succeededCount ?? wanted?.size ?? n;
      if (hits >= need && (rule.succeededCount !== undefined || wanted !== undefined)) {
        return {
          type: 'SuccessCriteriaMet',
          reason: 'SuccessPolicy',
          message: `Matched rules at index ${i}`,
        };
      }
    }
    if (s.completed.size + s.failedIndexes.size >= n) {
      return s.failedIndexes.size > 0
        ? { type: 'FailureTarget', reason: 'FailedIndexes', message: 'Job has failed indexes' }
        : {
            type: 'SuccessCriteriaMet',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
          };
    }
    return undefined;
  }
  const done =
    spec.completions === undefined
      ? s.succeeded > 0 && s.active.length === 0
      : s.succeeded >= spec.completions;
  return done
    ? {
        type: 'SuccessCriteriaMet',
        reason: 'CompletionsReached',
        message: 'Reached expected number of succeeded pods',
      }
    : undefined;
};
