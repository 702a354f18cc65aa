// How the simulated Job controller reads a Job and its pods: the spec it acts on, each pod's verdict, index sets.
import { isPlainObject } from '../../domain/codec.js';
import type { Job, KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import { COMPLETION_INDEX } from '../../plugins/job/names.js';
import { parseIndexes } from '../../plugins/job/payload.js';
import { suffixSeq } from './job-names.js';

type Json = Readonly<Record<string, unknown>>;
type JobSpec = NonNullable<Job['spec']>;
/** The Job's status as the API types it. */
export type JobStatus = NonNullable<Job['status']>;
type Rule = NonNullable<JobSpec['podFailurePolicy']>['rules'][number];

const MAX_INT32 = 2147483647;

/** The Job spec with the controller's defaults applied. */
export interface Spec {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly completions: number | undefined;
  readonly parallelism: number;
  readonly indexed: boolean;
  readonly backoffLimit: number;
  readonly backoffLimitPerIndex: number | undefined;
  readonly maxFailedIndexes: number | undefined;
  readonly activeDeadlineSeconds: number | undefined;
  readonly suspend: boolean;
  readonly rules: ReadonlyArray<Rule> | undefined;
  readonly successRules: ReadonlyArray<{
    readonly succeededIndexes?: string;
    readonly succeededCount?: number;
  }>;
  /** Whether a terminating pod counts as failed right away (TerminatingOrFailed) or only once Failed. */
  readonly replaceTerminating: boolean;
  readonly restartOnFailure: boolean;
  readonly template: { readonly labels: Json; readonly annotations: Json; readonly spec: PodSpec };
}

/** Reads a Job's spec, defaulting as the API server and controller do. */
export const specOf = (r: KubeObject): Spec => {
  const job = r as Job;
  const s: Partial<JobSpec> = job.spec ?? {};
  const perIndex = s.backoffLimitPerIndex;
  const rules = s.podFailurePolicy?.rules;
  return {
    name: r.metadata?.name ?? '',
    namespace: r.metadata?.namespace ?? '',
    uid: r.metadata?.uid ?? '',
    completions: s.completions ?? (s.completionMode === 'Indexed' ? 1 : undefined),
    parallelism: s.parallelism ?? 1,
    indexed: s.completionMode === 'Indexed',
    backoffLimit: s.backoffLimit ?? (perIndex === undefined ? 6 : MAX_INT32),
    backoffLimitPerIndex: perIndex,
    maxFailedIndexes: s.maxFailedIndexes,
    activeDeadlineSeconds: s.activeDeadlineSeconds,
    suspend: s.suspend === true,
    rules,
    successRules: s.successPolicy?.rules ?? [],
    replaceTerminating:
      (s.podReplacementPolicy ?? (rules === undefined ? 'TerminatingOrFailed' : 'Failed')) ===
      'TerminatingOrFailed',
    restartOnFailure: s.template?.spec?.restartPolicy === 'OnFailure',
    template: {
      labels: s.template?.metadata?.labels ?? {},
      annotations: s.template?.metadata?.annotations ?? {},
      spec: s.template?.spec ?? { containers: [] },
    },
  };
};

/** The Job's current status (`{}` when it has none). */
export const statusOf = (r: KubeObject): JobStatus => (isPlainObject(r['status']) ? r['status'] : {});

/** A pod failure policy rule's action. */
export type Action = 'Count' | 'Ignore' | 'FailJob' | 'FailIndex';

/** How the Job controller sees one of its pods. */
export type Verdict =
  | { readonly _tag: 'active'; readonly ready: boolean }
  | { readonly _tag: 'terminating' }
  | { readonly _tag: 'succeeded' }
  | { readonly _tag: 'failed'; readonly action: Action; readonly message: string };

/** One of the Job's pods as the controller sees it: its verdict, sequence number and completion index. */
export interface SeenPod {
  readonly pod: Pod;
  readonly name: string;
  readonly seq: number | undefined;
  readonly index: number | undefined;
  readonly verdict: Verdict;
  readonly restarts: number;
}

const exitCodeMatch = (
  rule: NonNullable<Rule['onExitCodes']>,
  pod: Pod,
): { container: string; code: number } | undefined => {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const c of statuses) {
    const code = c.state?.terminated?.exitCode;
    // Containers that exited 0 never match (the controller's rule), nor do ones still running.
    if (code === undefined || code === 0) continue;
    if (rule.containerName !== undefined && rule.containerName !== c.name) continue;
    const listed = rule.values.includes(code);
    if (rule.operator === 'In' ? listed : !listed) return { container: c.name, code };
  }
  return undefined;
};

/** The first rule of the pod failure policy the pod matches, with the controller's message. */
const matchRule = (
  spec: Spec,
  pod: Pod,
  conditionsOnly: boolean,
): { readonly action: Action; readonly message: string } | undefined => {
  const who = `${pod.metadata?.namespace ?? spec.namespace}/${pod.metadata?.name ?? ''}`;
  for (const [i, rule] of (spec.rules ?? []).entries()) {
    const action = rule.action as Action;
    if (rule.onExitCodes !== undefined && !conditionsOnly) {
      const m = exitCodeMatch(rule.onExitCodes, pod);
      if (m !== undefined) {
        return {
          action,
          message: `Container ${m.container} for pod ${who} failed with exit code ${m.code} matching ${action} rule at index ${i}`,
        };
      }
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const hit = (pod.status?.conditions ?? []).find(
        (c) => c.type === pattern.type && c.status === (pattern.status ?? 'True'),
      );
      if (hit !== undefined) {
        return {
          action,
          message: `Pod ${who} has condition ${hit.type} matching ${action} rule at index ${i}`,
        };
      }
    }
  }
  return undefined;
};

const verdictOf = (spec: Spec, pod: Pod): Verdict => {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded') return { _tag: 'succeeded' };
  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (phase === 'Failed' || deleting) {
    if (spec.rules === undefined) {
      return phase === 'Failed' || spec.replaceTerminating
        ? { _tag: 'failed', action: 'Count', message: '' }
        : { _tag: 'terminating' };
    }
    // A pod being deleted may vanish before it reaches Failed (the real controller's finalizer keeps it): its
    // conditions (DisruptionTarget) are judged at once, its exit codes once it has them.
    const m = matchRule(spec, pod, phase !== 'Failed');
    if (m !== undefined) return { _tag: 'failed', action: m.action, message: m.message };
    return phase === 'Failed' ? { _tag: 'failed', action: 'Count', message: '' } : { _tag: 'terminating' };
  }
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return { _tag: 'active', ready };
};

const indexOf = (pod: Pod): number | undefined => {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX] ?? pod.metadata?.labels?.[COMPLETION_INDEX];
  return v === undefined || !/^\d+$/.test(v) ? undefined : Number(v);
};

/** The Job's pods, judged and ordered by sequence number (then name). */
export const seen = (spec: Spec, pods: ReadonlyArray<Pod>): ReadonlyArray<SeenPod> =>
  pods
    .map((pod): SeenPod => {
      const name = pod.metadata?.name ?? '';
      const verdict = verdictOf(spec, pod);
      const restarts =
        verdict._tag === 'active'
          ? [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].reduce(
              (n, c) => n + c.restartCount,
              0,
            )
          : 0;
      return { pod, name, seq: suffixSeq(spec.uid, name.slice(-5)), index: indexOf(pod), verdict, restarts };
    })
    .sort((a, b) => (a.seq ?? -1) - (b.seq ?? -1) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

// -------------------------------------------------------------------------------------
// index sets (`1,3-5,7`)
// -------------------------------------------------------------------------------------

/** The indexes an index set names (`1,3-5` is 1, 3, 4, 5); empty for none or a malformed set. */
export const indexSet = (s: string | undefined): Set<number> => {
  const out = new Set<number>();
  for (const [a, b] of parseIndexes(s ?? '') ?? []) for (let i = a; i <= b; i++) out.add(i);
  return out;
};

/** An index set as the controller writes it: sorted, runs of three or more as ranges (`1,3-5,7`). */
export const formatIndexes = (xs: Iterable<number>): string => {
  const sorted = [...new Set(xs)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const a = sorted[i] ?? 0;
    const b = sorted[j] ?? 0;
    parts.push(b - a >= 2 ? `${a}-${b}` : b === a ? `${a}` : `${a},${b}`);
    i = j + 1;
  }
  return parts.join(',');
};
