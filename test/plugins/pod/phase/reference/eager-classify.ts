// The eager pod phase mapping as it was before the lazy reader (readPod first, then decide): the reference it must equal.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../../../../src/domain/codec.js';
import { isTerminal, ordinal } from '../../../../../src/domain/phase.js';
import {
  bumpVersion,
  failed,
  gracePeriodExceeded,
  initializing,
  queued,
  running,
  success,
  undefinedPhase,
  withReason,
  type PhaseInfo,
  type TaskInfo,
} from '../../../../../src/domain/phase-info.js';
import type { PhaseContext } from '../../../../../src/domain/plugin.js';
import {
  formatDuration,
  formatInstant,
  type Duration,
  type Instant,
} from '../../../../../src/domain/time.js';
import { buildLogContext, buildLogLinks } from '../../../../../src/plugins/pod/phase/logs.js';
import { CRASH_LOOP, crashLoopReason } from '../../../../../src/plugins/pod/phase/reasons.js';
import {
  allStatuses,
  conditionOf,
  latest,
  readPod,
  terminationOf,
  type ConditionView,
  type ContainerStatusView,
  type PodView,
  type Termination,
} from '../../../../../src/plugins/pod/phase/pod-view.js';
import {
  PRIMARY_CONTAINER_ANNOTATION,
  primaryContainerNameOf,
} from '../../../../../src/plugins/pod/phase/primary.js';

const annotatedPrimary = (pod: PodView): string | undefined => pod.annotations[PRIMARY_CONTAINER_ANNOTATION];

const runningReason = (c: ContainerStatusView | undefined): string =>
  c?.state.waiting?.reason === CRASH_LOOP
    ? crashLoopReason(c.name, c.restartCount, c.state.waiting.message)
    : '';
import {
  failureRow,
  progressRow,
  rowOf,
  type FailureRowId,
  type ProgressRowId,
  type RowId,
} from '../../../../../src/plugins/pod/phase/table.js';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A PhaseInfo with the reasoning behind it: human-readable steps and the decision-table rows that fired. */
export interface Explanation {
  readonly phaseInfo: PhaseInfo;
  readonly trace: ReadonlyArray<string>;
  /** The table rows that fired, in order; the last decided the phase (docs/phase-mapping.md). */
  readonly rows: ReadonlyArray<RowId>;
}

/** Kubelet and node-lifecycle pod reasons that mean the node went away under the pod (Flyte's list). */
export const NODE_SHUTDOWN_REASONS: ReadonlySet<string> = new Set([
  'Shutdown',
  'Terminated',
  'NodeShutdown',
  'NodeAffinity',
]);

/** DisruptionTarget reasons that mean the scheduler preempted the pod for a higher-priority one. */
export const PREEMPTION_REASONS: ReadonlySet<string> = new Set([
  'PreemptionByScheduler',
  'PreemptionByKubeScheduler',
]);

/** Exit codes of a SIGKILL: 128 + 9, and its unsigned 8-bit wrap seen from some runtimes. */
export const SIGKILL_EXIT_CODES: ReadonlySet<number> = new Set([137, 247]);

export const RATE_LIMITED = '429 Too Many Requests';
export const DEFAULT_PENDING_REASON = 'Demistify Pending';
const NO_MESSAGE = 'Pod failed. No message received from kubernetes.';

/**
 * Collects the trace while a decision is made; local to one call. Lines are thunks, so a call that wants only the
 * answer (getPodTaskPhase, the hot path of every watch event) never builds a string it throws away.
 */
interface Tracer {
  readonly note: (line: () => string) => void;
  readonly fire: (id: RowId, detail?: () => string) => void;
  readonly lines: string[];
  readonly rows: RowId[];
}

const tracer = (explain: boolean): Tracer => {
  const lines: string[] = [];
  const rows: RowId[] = [];
  return explain
    ? {
        lines,
        rows,
        note: (line) => {
          lines.push(line());
        },
        fire: (id, detail) => {
          rows.push(id);
          lines.push(`row ${id}: ${rowOf(id).when}${detail === undefined ? '' : ` (${detail()})`}`);
        },
      }
    : {
        lines,
        rows,
        note: () => undefined,
        fire: (id) => {
          rows.push(id);
        },
      };
};

const at = (i: Instant | undefined): string => (i === undefined ? 'no timestamp' : formatInstant(i));

// -------------------------------------------------------------------------------------
// answers built from rows (the row supplies phase, version, kind and cleanup; the pod supplies the rest)
// -------------------------------------------------------------------------------------

/** Dates the info at `t`; reportedAt follows when it only mirrored occurredAt (no PodCompleted time). */
const dated = (info: TaskInfo, t: Instant | undefined): TaskInfo =>
  t === undefined
    ? info
    : { ...info, occurredAt: t, ...(info.reportedAt === info.occurredAt ? { reportedAt: t } : {}) };

const progress = (id: ProgressRowId, info: TaskInfo, reason: string, occurredAt?: Instant): PhaseInfo => {
  const row = progressRow(id);
  const withAt = dated(info, occurredAt);
  switch (row.phase) {
    case 'Queued':
      return queued(withAt.occurredAt ?? 0, row.version, reason, withAt);
    case 'Initializing':
      return initializing(withAt.occurredAt ?? 0, row.version, reason, withAt);
    case 'Running':
      return running(row.version, info, reason);
    case 'Success':
      return success(info);
    case 'Undefined':
      return reason === '' ? undefinedPhase : { ...undefinedPhase, reason };
  }
};

const failure = (id: FailureRowId, computedCode: string, message: string, info: TaskInfo): PhaseInfo => {
  const row = failureRow(id);
  const code = 'literal' in row.code ? row.code.literal : computedCode;
  return failed(row.phase, { code, kind: row.kind, message }, info, row.cleanup);
};

// -------------------------------------------------------------------------------------
// Pending
// -------------------------------------------------------------------------------------

interface PendingAnswer {
  readonly pi: PhaseInfo;
  /** When the pending state began, for the pod pending timeout. */
  readonly anchor: Instant | undefined;
}

const graceExpired = (
  tr: Tracer,
  now: Instant,
  since: Instant | undefined,
  grace: Duration,
  name: string,
): boolean => {
  if (grace <= 0) {
    tr.note(() => `${name} is 0: no grace`);
    return true;
  }
  if (since === undefined) {
    tr.note(
      () =>
        `${name} ${formatDuration(grace)}: the Ready condition has no lastTransitionTime, so it cannot expire`,
    );
    return false;
  }
  const elapsed = now - since;
  const expired = elapsed >= grace;
  tr.note(
    () =>
      `${name} ${formatDuration(grace)}: ${formatDuration(Math.max(0, elapsed))} since ${at(since)}, ${expired ? 'exceeded' : 'within'}`,
  );
  return expired;
};

const classifyWaiting = (
  ctx: PhaseContext,
  tr: Tracer,
  ready: ConditionView,
  c: ContainerStatusView,
  info: TaskInfo,
): PhaseInfo => {
  const waiting = c.state.waiting ?? { reason: '', message: '' };
  const code = `${ready.reason}|${waiting.reason}`;
  const message = `${ready.message}|${waiting.message}`;
  const reason = `[${code}]: ${message}`;
  const k8s = ctx.config.plugins.k8s;
  const t = ready.lastTransitionTime;
  // As in Flyte, what happens to a waiting container dates from the Ready condition's transition.
  const infoAt = dated(info, t);
  tr.note(() => `container ${c.name} waiting: ${waiting.reason === '' ? '(no reason)' : waiting.reason}`);
  const graced = (grace: Duration, key: string, within: ProgressRowId, expired: FailureRowId): PhaseInfo => {
    if (!graceExpired(tr, ctx.now, t, grace, key)) {
      tr.fire(within);
      return progress(within, infoAt, reason);
    }
    tr.fire(expired);
    return failure(expired, code, gracePeriodExceeded(grace, message), infoAt);
  };
  switch (waiting.reason) {
    case 'ErrImagePull':
    case 'ContainerCreating':
    case 'PodInitializing':
      tr.fire('pending.waiting.starting');
      return progress('pending.waiting.starting', infoAt, reason);
    case 'CreateContainerError':
      return graced(
        k8s['create-container-error-grace-period'],
        'create-container-error-grace-period',
        'pending.waiting.create-container-error',
        'pending.waiting.create-container-error.expired',
      );
    case 'CreateContainerConfigError':
      return graced(
        k8s['create-container-config-error-grace-period'],
        'create-container-config-error-grace-period',
        'pending.waiting.create-container-config-error',
        'pending.waiting.create-container-config-error.expired',
      );
    case 'InvalidImageName':
      tr.fire('pending.waiting.invalid-image-name');
      return failure('pending.waiting.invalid-image-name', code, message, infoAt);
    case 'ImagePullBackOff':
      return graced(
        k8s['image-pull-backoff-grace-period'],
        'image-pull-backoff-grace-period',
        'pending.waiting.image-pull-backoff',
        waiting.message.includes(RATE_LIMITED)
          ? 'pending.waiting.image-pull-backoff.rate-limited'
          : 'pending.waiting.image-pull-backoff.expired',
      );
    default:
      tr.fire('pending.waiting.other');
      return failure('pending.waiting.other', code, message, infoAt);
  }
};

const pendingAnswer = (ctx: PhaseContext, tr: Tracer, pod: PodView, info: TaskInfo): PendingAnswer => {
  for (const c of pod.conditions) {
    if ((c.type === 'PodScheduled' && c.status === 'False') || c.type === 'Unschedulable') {
      tr.note(() => `condition ${c.type}=${c.status} (${c.reason}) at ${at(c.lastTransitionTime)}`);
      const id = c.type === 'Unschedulable' ? 'pending.unschedulable-condition' : 'pending.unscheduled';
      tr.fire(id);
      return {
        pi: progress(id, info, `${c.reason}:${c.message}`, c.lastTransitionTime),
        anchor: c.lastTransitionTime ?? pod.creationTimestamp,
      };
    }
    if (c.type === 'Ready' && c.status === 'False') {
      tr.note(() => `condition Ready=False (${c.reason}) at ${at(c.lastTransitionTime)}`);
      const waiting =
        pod.initContainerStatuses.find((s) => s.state.waiting !== undefined) ??
        pod.containerStatuses.find((s) => !s.ready && s.state.waiting !== undefined);
      if (waiting !== undefined) {
        return {
          pi: classifyWaiting(ctx, tr, c, waiting, info),
          anchor: c.lastTransitionTime ?? pod.creationTimestamp,
        };
      }
      tr.note(() => 'no waiting container: next condition');
    }
  }
  tr.fire('pending.default');
  const lastTransition = latest(pod.conditions.map((c) => c.lastTransitionTime));
  return {
    pi: progress('pending.default', info, DEFAULT_PENDING_REASON, lastTransition),
    anchor: lastTransition ?? pod.creationTimestamp,
  };
};

const pending = (ctx: PhaseContext, tr: Tracer, pod: PodView, info: TaskInfo): PhaseInfo => {
  const { pi, anchor } = pendingAnswer(ctx, tr, pod, info);
  if (isTerminal(pi.phase)) return pi;
  const timeout = ctx.config.plugins.k8s['pod-pending-timeout'];
  if (timeout <= 0) return pi;
  if (anchor === undefined) {
    tr.note(() => 'pod-pending-timeout: no condition time and no creationTimestamp to count from');
    return pi;
  }
  const elapsed = ctx.now - anchor;
  if (elapsed < timeout) {
    tr.note(
      () => `pod-pending-timeout ${formatDuration(timeout)}: ${formatDuration(Math.max(0, elapsed))} pending`,
    );
    return pi;
  }
  tr.fire(
    'pending.timeout',
    () => `${formatDuration(elapsed)} since ${at(anchor)} ≥ ${formatDuration(timeout)}`,
  );
  return failure('pending.timeout', '', pi.reason, dated(pi.info, anchor));
};

// -------------------------------------------------------------------------------------
// Failure signals
// -------------------------------------------------------------------------------------

/** Flyte's line for a terminated primary container: the exit code format even for 0 (an OOM-killed child). */
const exitLine = (name: string, t: Termination): string =>
  `\r\n[${name}] terminated with exit code (${t.exitCode}). Reason [${t.reason}]. Message: \n${t.message}.`;

const containerLine = (name: string, t: Termination): string =>
  t.exitCode === 0 ? `\r\n[${name}] terminated with ExitCode 0.` : exitLine(name, t);

const isSigkill = (t: Termination): boolean => SIGKILL_EXIT_CODES.has(t.exitCode);
const isOom = (t: Termination): boolean => t.reason.includes('OOMKilled');

const terminations = (
  pod: PodView,
  podTerminal: boolean,
): ReadonlyArray<{ readonly c: ContainerStatusView; readonly t: Termination }> =>
  allStatuses(pod).flatMap((c) => {
    const t = terminationOf(c, podTerminal);
    return t === undefined ? [] : [{ c, t }];
  });

/** Why a pod failed: pod-level infrastructure signals first, then the primary's termination, then the others. */
const failureAnswer = (
  tr: Tracer,
  pod: PodView,
  info: TaskInfo,
  primary: { readonly c: ContainerStatusView; readonly t: Termination } | undefined,
): PhaseInfo => {
  const podTerminal = pod.phase === 'Failed' || pod.phase === 'Succeeded';
  const terms = terminations(pod, podTerminal);
  const lines = terms.map(({ c, t }) => containerLine(c.name, t)).join('');
  const headline = pod.message !== '' ? pod.message : pod.phase === 'Failed' ? NO_MESSAGE : '';
  const message = `${headline}${lines}`;
  if (NODE_SHUTDOWN_REASONS.has(pod.reason)) {
    tr.fire('failed.node-shutdown', () => `pod reason ${pod.reason}`);
    return failure('failed.node-shutdown', '', message, info);
  }
  const disruption = conditionOf(pod, 'DisruptionTarget');
  if (disruption !== undefined && disruption.status === 'True') {
    const id = PREEMPTION_REASONS.has(disruption.reason) ? 'failed.preempted' : 'failed.evicted-by-system';
    tr.fire(id, () => `DisruptionTarget reason ${disruption.reason}`);
    return failure(id, '', `${disruption.reason}: ${disruption.message}${lines}`, info);
  }
  if (pod.reason !== '') {
    tr.fire('failed.pod-reason', () => `pod reason ${pod.reason}`);
    return failure('failed.pod-reason', pod.reason, message, info);
  }
  if (primary !== undefined) {
    const { c, t } = primary;
    if (isSigkill(t)) {
      tr.fire('failed.primary.sigkill', () => `${c.name} exit code ${t.exitCode}`);
      return failure('failed.primary.sigkill', '', message, info);
    }
    tr.fire('failed.primary.exit-code', () => `${c.name} exit code ${t.exitCode}`);
    return failure('failed.primary.exit-code', t.reason === '' ? 'Error' : t.reason, message, info);
  }
  const oom = terms.find(({ t }) => isOom(t));
  if (oom !== undefined) {
    tr.fire('failed.container.oom-killed', () => `container ${oom.c.name}`);
    return failure('failed.container.oom-killed', '', message, info);
  }
  const killed = terms.find(({ t }) => isSigkill(t));
  if (killed !== undefined) {
    tr.fire('failed.container.sigkill', () => `container ${killed.c.name} exit code ${killed.t.exitCode}`);
    return failure('failed.container.sigkill', '', message, info);
  }
  const nonZero = terms.find(({ t }) => t.exitCode !== 0);
  if (nonZero !== undefined) {
    tr.fire(
      'failed.container.exit-code',
      () => `container ${nonZero.c.name} exit code ${nonZero.t.exitCode}`,
    );
    const r = nonZero.t.reason;
    return failure('failed.container.exit-code', r === '' ? 'Error' : r, message, info);
  }
  tr.fire('failed.no-status');
  return failure('failed.no-status', '', message, info);
};

// -------------------------------------------------------------------------------------
// Succeeded, Running
// -------------------------------------------------------------------------------------

const successAnswer = (tr: Tracer, pod: PodView, info: TaskInfo): PhaseInfo => {
  const oom = allStatuses(pod).find((c) => c.state.terminated !== undefined && isOom(c.state.terminated));
  if (oom !== undefined) {
    tr.fire('succeeded.oom-killed', () => `container ${oom.name}`);
    return failure('succeeded.oom-killed', '', 'Pod reported success despite being OOMKilled', info);
  }
  tr.fire('succeeded.ok');
  return progress('succeeded.ok', info, '');
};

/** Terminated with exit code 0 and nothing else; unlike Flyte, a status with an empty state does not count. */
const terminatedSuccessfully = (c: ContainerStatusView): boolean =>
  c.state.waiting === undefined &&
  c.state.running === undefined &&
  c.state.terminated !== undefined &&
  c.state.terminated.exitCode === 0;

/** Pods that have started: Running, Succeeded, Failed. */
const started = (tr: Tracer, pod: PodView, info: TaskInfo): PhaseInfo => {
  const podTerminal = pod.phase !== 'Running';
  const primaryName = annotatedPrimary(pod);
  if (primaryName !== undefined) {
    const status = pod.containerStatuses.find((c) => c.name === primaryName);
    const t = status === undefined ? undefined : terminationOf(status, podTerminal);
    if (status !== undefined && t !== undefined) {
      tr.note(
        () =>
          `primary container ${primaryName} terminated: exit code ${t.exitCode}, reason ${t.reason || '(none)'}`,
      );
      if (isOom(t)) {
        tr.fire('primary.oom-killed');
        return failure('primary.oom-killed', '', exitLine(status.name, t), info);
      }
      if (t.exitCode === 0) {
        tr.fire('primary.succeeded');
        return progress('primary.succeeded', info, '');
      }
      return failureAnswer(tr, pod, info, { c: status, t });
    }
    if (pod.phase === 'Running') {
      const s = status?.state;
      if (
        s !== undefined &&
        (s.waiting !== undefined || s.running !== undefined || s.terminated !== undefined)
      ) {
        tr.fire('running.primary.running', () => `primary ${primaryName}`);
        return progress('running.primary.running', info, runningReason(status));
      }
      if (pod.specContainers.includes(primaryName)) {
        tr.fire('running.primary.not-started', () => `primary ${primaryName}`);
        return progress('running.primary.not-started', info, '');
      }
      tr.fire('running.primary.not-found', () => `primary ${primaryName}`);
      return failure(
        'running.primary.not-found',
        '',
        `Primary container [${primaryName}] not found in pod's container statuses`,
        info,
      );
    }
    tr.note(() => `primary container ${primaryName} has no termination: the pod decides`);
  }
  if (pod.phase === 'Failed') return failureAnswer(tr, pod, info, undefined);
  if (pod.phase === 'Succeeded') return successAnswer(tr, pod, info);
  const all = [...pod.containerStatuses, ...pod.initContainerStatuses];
  if (pod.containerStatuses.length > 0 && all.every(terminatedSuccessfully)) {
    tr.note(() => 'every container terminated with exit code 0');
    return successAnswer(tr, pod, info);
  }
  tr.fire('running.default');
  const primary = primaryContainerNameOf(pod);
  return progress(
    'running.default',
    info,
    runningReason(pod.containerStatuses.find((c) => c.name === primary)),
  );
};

// -------------------------------------------------------------------------------------
// the pipeline
// -------------------------------------------------------------------------------------

const describeValue = (u: unknown): string => {
  if (u === null) return 'null';
  if (Array.isArray(u)) return 'an array';
  if (isPlainObject(u)) {
    const kind = u['kind'];
    return typeof kind === 'string' ? `kind ${JSON.stringify(kind)}` : 'an object';
  }
  return `a ${typeof u}`;
};

/** Flyte's task info: when the last container event happened, when the pod was reported complete, logs. */
/** The later of two optional instants. */
const later = (a: Instant | undefined, b: Instant | undefined): Instant | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

const taskInfoOf = (ctx: PhaseContext, pod: PodView): TaskInfo => {
  // Loops rather than spreads and maps: this runs on every watch event.
  let last: Instant | undefined;
  for (const list of [pod.containerStatuses, pod.initContainerStatuses]) {
    for (const c of list)
      last = later(last, later(c.state.running?.startedAt, c.state.terminated?.finishedAt));
  }
  const occurredAt = last ?? ctx.now;
  let completed: Instant | undefined;
  for (const c of pod.conditions) {
    if (c.type === 'Ready' && c.status === 'False' && c.reason === 'PodCompleted') {
      completed = later(completed, c.lastTransitionTime);
    }
  }
  const reportedAt = completed ?? occurredAt;
  return {
    logs: buildLogLinks(ctx, pod),
    additionalReasons: [],
    externalResources: [],
    occurredAt,
    reportedAt,
    logContext: buildLogContext(pod),
  };
};

/** Flyte's IsPodReady: the primary container's readiness, else the pod's Ready condition. */
export const isPodReady = (pod: PodView): boolean => {
  const primary = primaryContainerNameOf(pod);
  if (primary === '') return pod.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  return pod.containerStatuses.some((c) => c.name === primary && c.ready);
};

/** An IDE link (VS Code) is ready only when the pod is; the reason says which, as Flyte does. */
const withIdeReadiness =
  (pod: PodView) =>
  (pi: PhaseInfo): PhaseInfo => {
    if (ordinal(pi.phase) < ordinal('Running')) return pi;
    const i = pi.info.logs.findIndex((l) => l.linkType === 'IDE');
    const link = pi.info.logs[i];
    if (link === undefined) return pi;
    const ready = isPodReady(pod);
    const logs = pi.info.logs.map((l, j) => (j === i ? { ...l, ready } : l));
    return withReason(ready ? 'Vscode server is ready' : 'Vscode server is not ready')({
      ...pi,
      info: { ...pi.info, logs },
    });
  };

const decide = (ctx: PhaseContext, tr: Tracer, resource: unknown): PhaseInfo => {
  const view = readPod(resource);
  if (O.isNone(view)) {
    tr.fire('input.not-a-pod');
    return progress(
      'input.not-a-pod',
      undefinedPhase.info,
      `unexpected resource type: expected a v1 Pod, got ${describeValue(resource)}`,
    );
  }
  const pod = view.value;
  tr.note(
    () =>
      `pod ${pod.namespace === '' ? '' : `${pod.namespace}/`}${pod.name || '(unnamed)'}: phase ${pod.phase ?? '(none)'}`,
  );
  switch (pod.phase) {
    case 'Unknown':
      tr.fire('input.unknown-phase');
      return undefinedPhase;
    case undefined:
    case 'Pending':
      return pending(ctx, tr, pod, taskInfoOf(ctx, pod));
    case 'Unschedulable':
      tr.fire('input.unschedulable-phase');
      return progress('input.unschedulable-phase', taskInfoOf(ctx, pod), 'pod unschedulable');
    case 'Running':
    case 'Succeeded':
    case 'Failed':
      return withIdeReadiness(pod)(started(tr, pod, taskInfoOf(ctx, pod)));
    default:
      tr.fire('input.unrecognised-phase');
      return progress(
        'input.unrecognised-phase',
        undefinedPhase.info,
        `unrecognised pod phase ${JSON.stringify(pod.phase)}`,
      );
  }
};

const run = (ctx: PhaseContext, resource: unknown, explain: boolean): Explanation => {
  const tr = tracer(explain);
  const decided = decide(ctx, tr, resource);
  const phaseInfo = bumpVersion(ctx.previous)(decided);
  if (phaseInfo.version !== decided.version) {
    tr.note(
      () => `version ${decided.version} → ${phaseInfo.version}: same phase as before with another reason`,
    );
  }
  return { phaseInfo, trace: tr.lines, rows: tr.rows };
};

/**
 * The pod plugin's getTaskPhase with its reasoning. Total: any value gets an answer. Pure: the observation time,
 * the config and the previous state are arguments, so the same inputs always give the same answer.
 */
export const explainPodTaskPhase = (ctx: PhaseContext, resource: unknown): Explanation =>
  run(ctx, resource, true);

/** The pod plugin's getTaskPhase (see explainPodTaskPhase): the same answer, without building the trace. */
export const getPodTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseInfo =>
  run(ctx, resource, false).phaseInfo;
