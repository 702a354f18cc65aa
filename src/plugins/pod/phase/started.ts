// Pods that have started (Running, Succeeded, Failed): the primary container, failure signals, OOM-killed successes.
import { isPlainObject } from '../../../domain/codec.js';
import type { PhaseInfo, TaskInfo } from '../../../domain/phase-info.js';
import { failure, progress, type Tracer } from './answers.js';
import {
  conditionOf,
  conditionStatus,
  containerStatusesOf,
  exitCodeOf,
  initContainerStatusesOf,
  messageOf,
  nameOf,
  podMessageOf,
  podReasonOf,
  reasonOf,
  restartCountOf,
  specHasContainer,
  stateOf,
  STATUS_LISTS,
  statusListAt,
  terminatedIn,
  terminationOf,
  waitingIn,
  runningIn,
  type Json,
  type PodJson,
} from './pod-json.js';
import { annotatedPrimary, primaryNameOf } from './primary.js';
import {
  CRASH_LOOP,
  NODE_SHUTDOWN_REASONS,
  NO_MESSAGE,
  PREEMPTION_REASONS,
  SIGKILL_EXIT_CODES,
  crashLoopReason,
} from './reasons.js';

// Deciders take `Tracer | undefined` and note with `tr?.`: see answers.ts. Statuses and terminations are the pod's
// own JSON objects (pod-json.ts), read field by field where a decision needs them.

/** Flyte's line for a terminated primary container: the exit code format even for 0 (an OOM-killed child). */
const exitLine = (name: string, t: Json): string =>
  `\r\n[${name}] terminated with exit code (${exitCodeOf(t)}). Reason [${reasonOf(t)}]. Message: \n${messageOf(t)}.`;

const containerLine = (name: string, t: Json): string =>
  exitCodeOf(t) === 0 ? `\r\n[${name}] terminated with ExitCode 0.` : exitLine(name, t);

const isSigkill = (t: Json): boolean => SIGKILL_EXIT_CODES.has(exitCodeOf(t));
const isOom = (t: Json): boolean => reasonOf(t).includes('OOMKilled');
const reasonOrError = (t: Json): string => {
  const r = reasonOf(t);
  return r === '' ? 'Error' : r;
};

/** The first terminated container (of every list, in order) that `is` accepts, and its termination. */
const firstTerminated = (
  pod: PodJson,
  podTerminal: boolean,
  is: (t: Json) => boolean,
): { readonly c: Json; readonly t: Json } | undefined => {
  for (let list = 0; list < STATUS_LISTS; list++) {
    const statuses = statusListAt(pod, list);
    for (let i = 0; i < statuses.length; i++) {
      const c = statuses[i];
      if (!isPlainObject(c)) continue;
      const t = terminationOf(c, podTerminal);
      if (t !== undefined && is(t)) return { c, t };
    }
  }
  return undefined;
};

const isNonZero = (t: Json): boolean => exitCodeOf(t) !== 0;

/** Why a pod failed: pod-level infrastructure signals first, then the primary's termination, then the others. */
const failureAnswer = (
  tr: Tracer | undefined,
  pod: PodJson,
  info: TaskInfo,
  primary: Json | undefined,
  primaryTermination: Json | undefined,
): PhaseInfo => {
  const podTerminal = pod.phase === 'Failed' || pod.phase === 'Succeeded';
  let lines = '';
  for (let list = 0; list < STATUS_LISTS; list++) {
    const statuses = statusListAt(pod, list);
    for (let i = 0; i < statuses.length; i++) {
      const c = statuses[i];
      if (!isPlainObject(c)) continue;
      const t = terminationOf(c, podTerminal);
      if (t !== undefined) lines += containerLine(nameOf(c), t);
    }
  }
  const podMessage = podMessageOf(pod);
  const podReason = podReasonOf(pod);
  const headline = podMessage !== '' ? podMessage : pod.phase === 'Failed' ? NO_MESSAGE : '';
  const message = `${headline}${lines}`;
  if (NODE_SHUTDOWN_REASONS.has(podReason)) {
    tr?.fire('failed.node-shutdown', `pod reason ${podReason}`);
    return failure('failed.node-shutdown', '', message, info);
  }
  const disruption = conditionOf(pod, 'DisruptionTarget');
  if (disruption !== undefined && conditionStatus(disruption) === 'True') {
    const reason = reasonOf(disruption);
    const id = PREEMPTION_REASONS.has(reason) ? 'failed.preempted' : 'failed.evicted-by-system';
    tr?.fire(id, `DisruptionTarget reason ${reason}`);
    return failure(id, '', `${reason}: ${messageOf(disruption)}${lines}`, info);
  }
  if (podReason !== '') {
    tr?.fire('failed.pod-reason', `pod reason ${podReason}`);
    return failure('failed.pod-reason', podReason, message, info);
  }
  if (primary !== undefined && primaryTermination !== undefined) {
    const t = primaryTermination;
    if (isSigkill(t)) {
      tr?.fire('failed.primary.sigkill', `${nameOf(primary)} exit code ${exitCodeOf(t)}`);
      return failure('failed.primary.sigkill', '', message, info);
    }
    tr?.fire('failed.primary.exit-code', `${nameOf(primary)} exit code ${exitCodeOf(t)}`);
    return failure('failed.primary.exit-code', reasonOrError(t), message, info);
  }
  const oom = firstTerminated(pod, podTerminal, isOom);
  if (oom !== undefined) {
    tr?.fire('failed.container.oom-killed', `container ${nameOf(oom.c)}`);
    return failure('failed.container.oom-killed', '', message, info);
  }
  const killed = firstTerminated(pod, podTerminal, isSigkill);
  if (killed !== undefined) {
    tr?.fire('failed.container.sigkill', `container ${nameOf(killed.c)} exit code ${exitCodeOf(killed.t)}`);
    return failure('failed.container.sigkill', '', message, info);
  }
  const nonZero = firstTerminated(pod, podTerminal, isNonZero);
  if (nonZero !== undefined) {
    tr?.fire(
      'failed.container.exit-code',
      `container ${nameOf(nonZero.c)} exit code ${exitCodeOf(nonZero.t)}`,
    );
    return failure('failed.container.exit-code', reasonOrError(nonZero.t), message, info);
  }
  tr?.fire('failed.no-status');
  return failure('failed.no-status', '', message, info);
};

/** The first container whose current state is an OOM-killed termination. */
const oomKilled = (pod: PodJson): Json | undefined => {
  for (let list = 0; list < STATUS_LISTS; list++) {
    const statuses = statusListAt(pod, list);
    for (let i = 0; i < statuses.length; i++) {
      const c = statuses[i];
      if (!isPlainObject(c)) continue;
      const t = terminatedIn(stateOf(c));
      if (t !== undefined && isOom(t)) return c;
    }
  }
  return undefined;
};

const successAnswer = (tr: Tracer | undefined, pod: PodJson, info: TaskInfo): PhaseInfo => {
  const oom = oomKilled(pod);
  if (oom !== undefined) {
    tr?.fire('succeeded.oom-killed', `container ${nameOf(oom)}`);
    return failure('succeeded.oom-killed', '', 'Pod reported success despite being OOMKilled', info);
  }
  tr?.fire('succeeded.ok');
  return progress('succeeded.ok', info, '');
};

/** Terminated with exit code 0 and nothing else; unlike Flyte, a status with an empty state does not count. */
const terminatedSuccessfully = (c: Json): boolean => {
  const state = stateOf(c);
  if (waitingIn(state) !== undefined || runningIn(state) !== undefined) return false;
  const t = terminatedIn(state);
  return t !== undefined && exitCodeOf(t) === 0;
};

/** Some regular container has a status, and every regular and init status terminated with exit code 0. */
const allTerminatedSuccessfully = (pod: PodJson): boolean => {
  let count = 0;
  const regular = containerStatusesOf(pod);
  for (let i = 0; i < regular.length; i++) {
    const c = regular[i];
    if (!isPlainObject(c)) continue;
    if (!terminatedSuccessfully(c)) return false;
    count++;
  }
  if (count === 0) return false;
  const init = initContainerStatusesOf(pod);
  for (let i = 0; i < init.length; i++) {
    const c = init[i];
    if (isPlainObject(c) && !terminatedSuccessfully(c)) return false;
  }
  return true;
};

/** Whether a status's current state has a member (waiting, running or terminated). */
const hasState = (c: Json): boolean => {
  const state = stateOf(c);
  return (
    waitingIn(state) !== undefined || runningIn(state) !== undefined || terminatedIn(state) !== undefined
  );
};

/** The status of the named regular container (a nameless status matches ""). */
const statusNamed = (pod: PodJson, name: string): Json | undefined => {
  const statuses = containerStatusesOf(pod);
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i];
    if (isPlainObject(c) && nameOf(c) === name) return c;
  }
  return undefined;
};

/** The reason of a Running answer: says so when the container is crash-looping (Flyte: empty). */
const runningReason = (c: Json | undefined): string => {
  const w = c === undefined ? undefined : waitingIn(stateOf(c));
  return c === undefined || w === undefined || reasonOf(w) !== CRASH_LOOP
    ? ''
    : crashLoopReason(nameOf(c), restartCountOf(c), messageOf(w));
};

/** Pods that have started: Running, Succeeded, Failed. */
export const started = (tr: Tracer | undefined, pod: PodJson, info: TaskInfo): PhaseInfo => {
  const podTerminal = pod.phase !== 'Running';
  const primaryName = annotatedPrimary(pod);
  if (primaryName !== undefined) {
    const status = statusNamed(pod, primaryName);
    const t = status === undefined ? undefined : terminationOf(status, podTerminal);
    if (status !== undefined && t !== undefined) {
      tr?.note(
        `primary container ${primaryName} terminated: exit code ${exitCodeOf(t)}, reason ${reasonOf(t) || '(none)'}`,
      );
      if (isOom(t)) {
        tr?.fire('primary.oom-killed');
        return failure('primary.oom-killed', '', exitLine(nameOf(status), t), info);
      }
      if (exitCodeOf(t) === 0) {
        tr?.fire('primary.succeeded');
        return progress('primary.succeeded', info, '');
      }
      return failureAnswer(tr, pod, info, status, t);
    }
    if (pod.phase === 'Running') {
      // A status with an empty state says nothing yet (Flyte's DeterminePrimaryContainerPhase finds no state either).
      if (status !== undefined && hasState(status)) {
        tr?.fire('running.primary.running', `primary ${primaryName}`);
        return progress('running.primary.running', info, runningReason(status));
      }
      if (specHasContainer(pod, primaryName)) {
        tr?.fire('running.primary.not-started', `primary ${primaryName}`);
        return progress('running.primary.not-started', info, '');
      }
      tr?.fire('running.primary.not-found', `primary ${primaryName}`);
      return failure(
        'running.primary.not-found',
        '',
        `Primary container [${primaryName}] not found in pod's container statuses`,
        info,
      );
    }
    tr?.note(`primary container ${primaryName} has no termination: the pod decides`);
  }
  if (pod.phase === 'Failed') return failureAnswer(tr, pod, info, undefined, undefined);
  if (pod.phase === 'Succeeded') return successAnswer(tr, pod, info);
  if (allTerminatedSuccessfully(pod)) {
    tr?.note('every container terminated with exit code 0');
    return successAnswer(tr, pod, info);
  }
  tr?.fire('running.default');
  return progress('running.default', info, runningReason(statusNamed(pod, primaryNameOf(pod))));
};
