// The task info of every pod answer: when the last container event happened, when the pod finished, logs, log context.
import { isPlainObject } from '../../../domain/codec.js';
import type { ContainerLogContext, TaskInfo, TaskLog } from '../../../domain/phase-info.js';
import type { PhaseContext } from '../../../domain/plugin.js';
import type { Instant } from '../../../domain/time.js';
import { buildPodLogLinks, hasLinkTemplates } from './logs.js';
import {
  conditionsOf,
  conditionStatus,
  conditionType,
  containerStatusesOf,
  finishedAtOf,
  initContainerStatusesOf,
  nameOf,
  namespaceOf,
  podNameOf,
  reasonOf,
  runningIn,
  startedAtOf,
  stateOf,
  terminatedIn,
  transitionOf,
  type PodJson,
} from './pod-json.js';
import { primaryNameOf } from './primary.js';
import { later } from './timestamp.js';

// One literal per shape rather than conditional spreads: the same objects, without the temporaries.
const containerContext = (
  name: string,
  startTime: Instant | undefined,
  endTime: Instant | undefined,
): ContainerLogContext =>
  startTime === undefined
    ? endTime === undefined
      ? { name }
      : { name, endTime }
    : endTime === undefined
      ? { name, startTime }
      : { name, startTime, endTime };

/**
 * Each status's log context (when its process started and ended, as Flyte's BuildPodLogContext), and the latest
 * container event seen after `last`: one pass reads both from the same fields. The contexts go into `out`, a fresh
 * array of the caller's sized to the list (shortened in the rare list with non-object elements), so that this
 * returns a single value rather than a pair: it runs on every watch event.
 */
const readContainers = (
  statuses: ReadonlyArray<unknown>,
  out: ContainerLogContext[],
  last: Instant | undefined,
): Instant | undefined => {
  let latest = last;
  let n = 0;
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i];
    if (!isPlainObject(c)) continue;
    const state = stateOf(c);
    const running = runningIn(state);
    const terminated = terminatedIn(state);
    const runningAt = running === undefined ? undefined : startedAtOf(running);
    const finishedAt = terminated === undefined ? undefined : finishedAtOf(terminated);
    const startTime = runningAt ?? (terminated === undefined ? undefined : startedAtOf(terminated));
    out[n++] = containerContext(nameOf(c), startTime, finishedAt);
    latest = later(latest, later(runningAt, finishedAt));
  }
  if (n < out.length) out.length = n;
  return latest;
};

/** Lists no pod answer fills: one shared frozen value rather than three fresh ones per call. */
const NONE: ReadonlyArray<never> = Object.freeze([]);

/** The configured log links, rendered from the pod's own JSON; none (the shared empty list) without a template. */
const logLinksOf = (ctx: PhaseContext, pod: PodJson, primary: string): ReadonlyArray<TaskLog> =>
  primary === '' || !hasLinkTemplates(ctx) ? NONE : buildPodLogLinks(ctx, pod, primary);

/**
 * Flyte's task info: occurredAt is the latest container start or finish (else now), reportedAt the PodCompleted
 * transition (else occurredAt), with the log links and the log context of the primary container.
 */
export const taskInfoOf = (ctx: PhaseContext, pod: PodJson): TaskInfo => {
  const regular = containerStatusesOf(pod);
  const init = initContainerStatusesOf(pod);
  const containers = new Array<ContainerLogContext>(regular.length);
  const initContainers = new Array<ContainerLogContext>(init.length);
  const last = readContainers(init, initContainers, readContainers(regular, containers, undefined));
  const occurredAt = last ?? ctx.now;
  let completed: Instant | undefined;
  const conditions = conditionsOf(pod);
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i];
    if (
      isPlainObject(c) &&
      conditionType(c) === 'Ready' &&
      conditionStatus(c) === 'False' &&
      reasonOf(c) === 'PodCompleted'
    ) {
      completed = later(completed, transitionOf(c));
    }
  }
  const name = podNameOf(pod);
  const primary = primaryNameOf(pod);
  return {
    logs: logLinksOf(ctx, pod, primary),
    additionalReasons: NONE,
    externalResources: NONE,
    occurredAt,
    reportedAt: completed ?? occurredAt,
    logContext: {
      primaryPodName: name,
      pods: [
        {
          namespace: namespaceOf(pod),
          podName: name,
          primaryContainerName: primary,
          containers,
          initContainers,
        },
      ],
    },
  };
};
