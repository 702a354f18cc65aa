// The simulated Job controller (Kubernetes 1.31+): pods, retries under backoffLimit and podFailurePolicy, status.
import type { Container, Job, KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import { fnv1a32 } from '../../domain/names.js';
import { formatInstant, parseInstant, type Instant } from '../../domain/time.js';
import * as O from 'fp-ts/lib/Option.js';
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
import { parseIndexes } from '../../plugins/job/payload.js';
import { SCENARIO_ANNOTATION } from '../kubelet/scenarios.js';
import { scenarioAnnotations, SCENARIO_ROLE_ANNOTATION, type SimulatedOperator } from './operator.js';

type Json = Readonly<Record<string, unknown>>;
type JobSpec = NonNullable<Job['spec']>;
type JobStatus = NonNullable<Job['status']>;
type Condition = NonNullable<JobStatus['conditions']>[number];
type Rule = NonNullable<JobSpec['podFailurePolicy']>['rules'][number];

const MAX_INT32 = 2147483647;

// -------------------------------------------------------------------------------------
// pod names: `<job>-<5 chars>` or `<job>-<index>-<5 chars>`, deterministic and carrying a sequence number
// -------------------------------------------------------------------------------------

/** The alphabet of apimachinery's rand.String (no vowels, no confusable digits). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SPACE = ALPHABET.length ** 5;
/** A multiplier coprime with 27^5, so consecutive sequence numbers give unrelated-looking suffixes. */
const MUL = 1_000_003;

const inverse = (a: number, m: number): number => {
  let [r0, r1, s0, s1] = [m, a % m, 0, 1];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
};
const MUL_INVERSE = inverse(MUL, SPACE);

const mulMod = (a: number, b: number): number => Number((BigInt(a) * BigInt(b)) % BigInt(SPACE));

/** The 5-character suffix of the seq-th pod of the Job with this uid (the API server's generateName, made stable). */
export const podSuffix = (uid: string, seq: number): string => {
  let n = ((fnv1a32(uid) % SPACE) + mulMod(seq % SPACE, MUL)) % SPACE;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out = (ALPHABET[n % 27] ?? 'b') + out;
    n = Math.floor(n / 27);
  }
  return out;
};

/** The sequence number a suffix encodes for this uid; undefined when it is not one of ours. */
export const suffixSeq = (uid: string, suffix: string): number | undefined => {
  if (suffix.length !== 5) return undefined;
  let n = 0;
  for (const ch of suffix) {
    const d = ALPHABET.indexOf(ch);
    if (d < 0) return undefined;
    n = n * 27 + d;
  }
  return mulMod((n - (fnv1a32(uid) % SPACE) + SPACE) % SPACE, MUL_INVERSE);
};

/** generateName: the prefix is cut to leave room for the 5 random characters within 63. */
const podName = (prefix: string, suffix: string): string => `${prefix.slice(0, 63 - 5)}${suffix}`;

// -------------------------------------------------------------------------------------
// reading the Job and its pods
// -------------------------------------------------------------------------------------

const isObj = (u: unknown): u is Json => typeof u === 'object' && u !== null && !Array.isArray(u);

interface Spec {
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

const specOf = (r: KubeObject): Spec => {
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

const statusOf = (r: KubeObject): JobStatus => (isObj(r['status']) ? r['status'] : {});

type Action = 'Count' | 'Ignore' | 'FailJob' | 'FailIndex';

/** How the Job controller sees one of its pods. */
type Verdict =
  | { readonly _tag: 'active'; readonly ready: boolean }
  | { readonly _tag: 'terminating' }
  | { readonly _tag: 'succeeded' }
  | { readonly _tag: 'failed'; readonly action: Action; readonly message: string };

interface SeenPod {
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

const seen = (spec: Spec, pods: ReadonlyArray<Pod>): ReadonlyArray<SeenPod> =>
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

const indexSet = (s: string | undefined): Set<number> => {
  const out = new Set<number>();
  for (const [a, b] of parseIndexes(s ?? '') ?? []) for (let i = a; i <= b; i++) out.add(i);
  return out;
};

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

// -------------------------------------------------------------------------------------
// the controller's decision
// -------------------------------------------------------------------------------------

interface Outcome {
  readonly type: 'FailureTarget' | 'SuccessCriteriaMet';
  readonly reason: string;
  readonly message: string;
}

interface State {
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

const trueCondition = (s: JobStatus, type: string): Condition | undefined =>
  (s.conditions ?? []).find((c) => c.type === type && c.status === 'True');

const countAt = (pod: Pod, key: string): number => {
  const v = pod.metadata?.annotations?.[key];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
};

const stateOf = (resource: KubeObject, pods: ReadonlyArray<Pod>, now: Instant): State => {
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

const withoutScenario = (annotations: Json): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(annotations)) {
    if (typeof v === 'string' && k !== SCENARIO_ANNOTATION && k !== SCENARIO_ROLE_ANNOTATION) out[k] = v;
  }
  return out;
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
  const o = s.outcome;
  const earlier = trueCondition(previous, 'FailureTarget') ?? trueCondition(previous, 'SuccessCriteriaMet');
  let final = false;
  if (o !== undefined) {
    conditions = setCondition(conditions, condition(o.type, 'True', o.reason, o.message, now));
    // The controller terminates the remaining pods, then adds the final condition: here, one write later.
    if (earlier !== undefined) {
      final = true;
      const type = o.type === 'FailureTarget' ? 'Failed' : 'Complete';
      conditions = setCondition(conditions, condition(type, 'True', o.reason, o.message, now));
    }
  }
  const success = final && o?.type === 'SuccessCriteriaMet';
  const active = final ? 0 : s.active.length;
  const ready = final ? 0 : s.active.filter((p) => p.verdict._tag === 'active' && p.verdict.ready).length;
  return {
    ...(conditions.length === 0 ? {} : { conditions: [...conditions] }),
    ...(s.startTime === undefined ? {} : { startTime: s.startTime }),
    ...(success ? { completionTime: formatInstant(now) } : {}),
    ...(active === 0 ? {} : { active }),
    ...(s.succeeded === 0 ? {} : { succeeded: s.succeeded }),
    ...(s.failed === 0 ? {} : { failed: s.failed }),
    ready,
    terminating: final ? 0 : s.terminating,
    ...(spec.indexed ? { completedIndexes: formatIndexes(s.completed) } : {}),
    ...(spec.indexed && spec.backoffLimitPerIndex !== undefined
      ? { failedIndexes: formatIndexes(s.failedIndexes) }
      : {}),
    uncountedTerminatedPods: {},
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
