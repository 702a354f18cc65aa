// The pod phase mapping: any value, the observation time and the config in; a PhaseInfo and the rows that fired out.
import { isPlainObject } from '../../../domain/codec.js';
import { describeJsonValue } from '../../../domain/json-read.js';
import { ordinal } from '../../../domain/phase.js';
import { bumpVersion, undefinedPhase, withReason, type PhaseInfo } from '../../../domain/phase-info.js';
import type { PhaseContext } from '../../../domain/plugin.js';
import { progress, tracer, type Tracer } from './answers.js';
import { pending } from './pending.js';
import {
  conditionsOf,
  conditionStatus,
  conditionType,
  containerStatusesOf,
  isReady,
  namespaceOf,
  nameOf,
  podJson,
  podNameOf,
  type PodJson,
} from './pod-json.js';
import { viewAsJson, type PodView } from './pod-view.js';
import { primaryNameOf } from './primary.js';
import { started } from './started.js';
import type { RowId } from './table.js';
import { taskInfoOf } from './task-info.js';

export {
  DEFAULT_PENDING_REASON,
  NODE_SHUTDOWN_REASONS,
  PREEMPTION_REASONS,
  RATE_LIMITED,
  SIGKILL_EXIT_CODES,
} from './reasons.js';

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

// -------------------------------------------------------------------------------------
// IDE readiness
// -------------------------------------------------------------------------------------

/** Flyte's IsPodReady: the primary container's readiness, else the pod's Ready condition. */
const podReady = (pod: PodJson): boolean => {
  const primary = primaryNameOf(pod);
  if (primary === '') {
    const conditions = conditionsOf(pod);
    for (let i = 0; i < conditions.length; i++) {
      const c = conditions[i];
      if (isPlainObject(c) && conditionType(c) === 'Ready' && conditionStatus(c) === 'True') return true;
    }
    return false;
  }
  const statuses = containerStatusesOf(pod);
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i];
    if (isPlainObject(c) && nameOf(c) === primary && isReady(c)) return true;
  }
  return false;
};

/** Flyte's IsPodReady over a typed view: the same rule as on the pod's JSON (podReady), read from the view. */
export const isPodReady = (pod: PodView): boolean => podReady(viewAsJson(pod));

/** An IDE link (VS Code) is ready only when the pod is; the reason says which, as Flyte does. */
const withIdeReadiness = (pod: PodJson, pi: PhaseInfo): PhaseInfo => {
  if (pi.info.logs.length === 0 || ordinal(pi.phase) < ordinal('Running')) return pi;
  const i = pi.info.logs.findIndex((l) => l.linkType === 'IDE');
  const link = pi.info.logs[i];
  if (link === undefined) return pi;
  const ready = podReady(pod);
  const logs = pi.info.logs.map((l, j) => (j === i ? { ...l, ready } : l));
  return withReason(ready ? 'Vscode server is ready' : 'Vscode server is not ready')({
    ...pi,
    info: { ...pi.info, logs },
  });
};

// -------------------------------------------------------------------------------------
// the pipeline
// -------------------------------------------------------------------------------------

/** Decides on the pod's own JSON (pod-json.ts); `tr` is undefined unless the caller wants the reasoning. */
const decide = (ctx: PhaseContext, tr: Tracer | undefined, resource: unknown): PhaseInfo => {
  const pod = podJson(resource);
  if (pod === undefined) {
    tr?.fire('input.not-a-pod');
    return progress(
      'input.not-a-pod',
      undefinedPhase.info,
      `unexpected resource type: expected a v1 Pod, got ${describeJsonValue(resource)}`,
    );
  }
  if (tr !== undefined) {
    const namespace = namespaceOf(pod);
    tr.note(
      `pod ${namespace === '' ? '' : `${namespace}/`}${podNameOf(pod) || '(unnamed)'}: phase ${pod.phase ?? '(none)'}`,
    );
  }
  switch (pod.phase) {
    case 'Unknown':
      tr?.fire('input.unknown-phase');
      return undefinedPhase;
    case undefined:
    case 'Pending':
      return pending(ctx, tr, pod, taskInfoOf(ctx, pod));
    case 'Unschedulable':
      tr?.fire('input.unschedulable-phase');
      return progress('input.unschedulable-phase', taskInfoOf(ctx, pod), 'pod unschedulable');
    case 'Running':
    case 'Succeeded':
    case 'Failed':
      return withIdeReadiness(pod, started(tr, pod, taskInfoOf(ctx, pod)));
    default:
      tr?.fire('input.unrecognised-phase');
      return progress(
        'input.unrecognised-phase',
        undefinedPhase.info,
        `unrecognised pod phase ${JSON.stringify(pod.phase)}`,
      );
  }
};

const bumped = (ctx: PhaseContext, decided: PhaseInfo): PhaseInfo =>
  ctx.previous === undefined ? decided : bumpVersion(ctx.previous)(decided);

/**
 * The pod plugin's getTaskPhase with its reasoning. Total: any value gets an answer. Pure: the observation time,
 * the config and the previous state are arguments, so the same inputs always give the same answer.
 */
export const explainPodTaskPhase = (ctx: PhaseContext, resource: unknown): Explanation => {
  const tr = tracer();
  const decided = decide(ctx, tr, resource);
  const phaseInfo = bumped(ctx, decided);
  if (phaseInfo.version !== decided.version) {
    tr.note(`version ${decided.version} → ${phaseInfo.version}: same phase as before with another reason`);
  }
  return { phaseInfo, trace: tr.lines, rows: tr.rows };
};

/** The pod plugin's getTaskPhase (see explainPodTaskPhase): the same answer, without building the trace. */
export const getPodTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseInfo =>
  bumped(ctx, decide(ctx, undefined, resource));
