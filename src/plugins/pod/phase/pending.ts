// Pending pods: unschedulable conditions, waiting containers with their grace periods, and the pod pending timeout.
import { isPlainObject } from '../../../domain/codec.js';
import { gracePeriodExceeded, type PhaseInfo, type TaskInfo } from '../../../domain/phase-info.js';
import { isTerminal } from '../../../domain/phase.js';
import type { PhaseContext } from '../../../domain/plugin.js';
import { formatDuration, type Duration, type Instant } from '../../../domain/time.js';
import { at, dated, failure, progress, type Tracer } from './answers.js';
import {
  conditionsOf,
  conditionStatus,
  conditionType,
  containerStatusesOf,
  creationOf,
  initContainerStatusesOf,
  isReady,
  messageOf,
  nameOf,
  reasonOf,
  stateOf,
  transitionOf,
  waitingIn,
  type Json,
  type PodJson,
} from './pod-json.js';
import { DEFAULT_PENDING_REASON, RATE_LIMITED } from './reasons.js';
import type { FailureRowId, ProgressRowId } from './table.js';

// Deciders take `Tracer | undefined` and note with `tr?.`: see answers.ts.

const graceExpired = (
  tr: Tracer | undefined,
  now: Instant,
  since: Instant | undefined,
  grace: Duration,
  name: string,
): boolean => {
  if (grace <= 0) {
    tr?.note(`${name} is 0: no grace`);
    return true;
  }
  if (since === undefined) {
    tr?.note(
      `${name} ${formatDuration(grace)}: the Ready condition has no lastTransitionTime, so it cannot expire`,
    );
    return false;
  }
  const elapsed = now - since;
  const expired = elapsed >= grace;
  tr?.note(
    `${name} ${formatDuration(grace)}: ${formatDuration(Math.max(0, elapsed))} since ${at(since)}, ${expired ? 'exceeded' : 'within'}`,
  );
  return expired;
};

/** What a waiting container means for a Ready=False pod; as in Flyte, it dates from the condition's transition. */
interface Waiting {
  readonly code: string;
  readonly message: string;
  readonly reason: string;
  readonly since: Instant | undefined;
  readonly info: TaskInfo;
}

const graced = (
  ctx: PhaseContext,
  tr: Tracer | undefined,
  w: Waiting,
  grace: Duration,
  key: string,
  within: ProgressRowId,
  expired: FailureRowId,
): PhaseInfo => {
  if (!graceExpired(tr, ctx.now, w.since, grace, key)) {
    tr?.fire(within);
    return progress(within, w.info, w.reason);
  }
  tr?.fire(expired);
  return failure(expired, w.code, gracePeriodExceeded(grace, w.message), w.info);
};

const classifyWaiting = (
  ctx: PhaseContext,
  tr: Tracer | undefined,
  ready: Json,
  c: Json,
  info: TaskInfo,
): PhaseInfo => {
  const waiting = waitingIn(stateOf(c));
  const waitingReason = waiting === undefined ? '' : reasonOf(waiting);
  const waitingMessage = waiting === undefined ? '' : messageOf(waiting);
  const code = `${reasonOf(ready)}|${waitingReason}`;
  const message = `${messageOf(ready)}|${waitingMessage}`;
  const since = transitionOf(ready);
  const w: Waiting = { code, message, reason: `[${code}]: ${message}`, since, info: dated(info, since) };
  const k8s = ctx.config.plugins.k8s;
  tr?.note(`container ${nameOf(c)} waiting: ${waitingReason === '' ? '(no reason)' : waitingReason}`);
  switch (waitingReason) {
    case 'ErrImagePull':
    case 'ContainerCreating':
    case 'PodInitializing':
      tr?.fire('pending.waiting.starting');
      return progress('pending.waiting.starting', w.info, w.reason);
    case 'CreateContainerError':
      return graced(
        ctx,
        tr,
        w,
        k8s['create-container-error-grace-period'],
        'create-container-error-grace-period',
        'pending.waiting.create-container-error',
        'pending.waiting.create-container-error.expired',
      );
    case 'CreateContainerConfigError':
      return graced(
        ctx,
        tr,
        w,
        k8s['create-container-config-error-grace-period'],
        'create-container-config-error-grace-period',
        'pending.waiting.create-container-config-error',
        'pending.waiting.create-container-config-error.expired',
      );
    case 'InvalidImageName':
      tr?.fire('pending.waiting.invalid-image-name');
      return failure('pending.waiting.invalid-image-name', code, message, w.info);
    case 'ImagePullBackOff':
      return graced(
        ctx,
        tr,
        w,
        k8s['image-pull-backoff-grace-period'],
        'image-pull-backoff-grace-period',
        'pending.waiting.image-pull-backoff',
        waitingMessage.includes(RATE_LIMITED)
          ? 'pending.waiting.image-pull-backoff.rate-limited'
          : 'pending.waiting.image-pull-backoff.expired',
      );
    default:
      tr?.fire('pending.waiting.other');
      return failure('pending.waiting.other', code, message, w.info);
  }
};

/** The first waiting init container, else the first unready waiting container (Flyte's order). */
const waitingContainer = (pod: PodJson): Json | undefined => {
  const init = initContainerStatusesOf(pod);
  for (let i = 0; i < init.length; i++) {
    const s = init[i];
    if (isPlainObject(s) && waitingIn(stateOf(s)) !== undefined) return s;
  }
  const regular = containerStatusesOf(pod);
  for (let i = 0; i < regular.length; i++) {
    const s = regular[i];
    if (isPlainObject(s) && !isReady(s) && waitingIn(stateOf(s)) !== undefined) return s;
  }
  return undefined;
};

interface PendingAnswer {
  readonly pi: PhaseInfo;
  /** When the pending state began, for the pod pending timeout; undefined counts from the pod's creation. */
  readonly anchor: Instant | undefined;
}

const pendingAnswer = (
  ctx: PhaseContext,
  tr: Tracer | undefined,
  pod: PodJson,
  info: TaskInfo,
): PendingAnswer => {
  const conditions = conditionsOf(pod);
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    if (!isPlainObject(c)) continue;
    const type = conditionType(c);
    const status = conditionStatus(c);
    if ((type === 'PodScheduled' && status === 'False') || type === 'Unschedulable') {
      const since = transitionOf(c);
      tr?.note(`condition ${type}=${status} (${reasonOf(c)}) at ${at(since)}`);
      const id = type === 'Unschedulable' ? 'pending.unschedulable-condition' : 'pending.unscheduled';
      tr?.fire(id);
      return {
        pi: progress(id, info, `${reasonOf(c)}:${messageOf(c)}`, since),
        anchor: since,
      };
    }
    if (type === 'Ready' && status === 'False') {
      const since = transitionOf(c);
      tr?.note(`condition Ready=False (${reasonOf(c)}) at ${at(since)}`);
      const waiting = waitingContainer(pod);
      if (waiting !== undefined) return { pi: classifyWaiting(ctx, tr, c, waiting, info), anchor: since };
      tr?.note('no waiting container: next condition');
    }
  }
  tr?.fire('pending.default');
  let lastTransition: Instant | undefined;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    if (!isPlainObject(c)) continue;
    const t = transitionOf(c);
    if (t !== undefined) lastTransition = lastTransition === undefined ? t : Math.max(lastTransition, t);
  }
  return {
    pi: progress('pending.default', info, DEFAULT_PENDING_REASON, lastTransition),
    anchor: lastTransition,
  };
};

/** A Pending pod (or one with no phase yet), with the pod pending timeout applied to non-terminal answers. */
export const pending = (
  ctx: PhaseContext,
  tr: Tracer | undefined,
  pod: PodJson,
  info: TaskInfo,
): PhaseInfo => {
  const { pi, anchor: since } = pendingAnswer(ctx, tr, pod, info);
  if (isTerminal(pi.phase)) return pi;
  const timeout = ctx.config.plugins.k8s['pod-pending-timeout'];
  if (timeout <= 0) return pi;
  const anchor = since ?? creationOf(pod);
  if (anchor === undefined) {
    tr?.note('pod-pending-timeout: no condition time and no creationTimestamp to count from');
    return pi;
  }
  const elapsed = ctx.now - anchor;
  if (elapsed < timeout) {
    tr?.note(
      `pod-pending-timeout ${formatDuration(timeout)}: ${formatDuration(Math.max(0, elapsed))} pending`,
    );
    return pi;
  }
  tr?.fire('pending.timeout', `${formatDuration(elapsed)} since ${at(anchor)} ≥ ${formatDuration(timeout)}`);
  return failure('pending.timeout', '', pi.reason, dated(pi.info, anchor));
};
