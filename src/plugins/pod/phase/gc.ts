// Garbage-collection helpers of the pod plugin: whether a pod is finished, and when it finished.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../../domain/codec.js';
import type { Instant } from '../../../domain/time.js';
import {
  containerStatusesOf,
  creationOf,
  deletionOf,
  finishedAtOf,
  initContainerStatusesOf,
  lastStateOf,
  podJson,
  startTimeOf,
  stateOf,
  terminatedIn,
  type Json,
} from './pod-json.js';
import { later } from './timestamp.js';

/** Succeeded or Failed; any other value (including garbage) is not terminal. */
export const isPodTerminal = (resource: unknown): boolean => {
  const phase = podJson(resource)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
};

const finishedIn = (state: Json): Instant | undefined => {
  const t = terminatedIn(state);
  return t === undefined ? undefined : finishedAtOf(t);
};

/** The latest finishedAt of the statuses, current and last state, after `since`. */
const latestFinish = (statuses: ReadonlyArray<unknown>, since: Instant | undefined): Instant | undefined => {
  let latest = since;
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i];
    if (!isPlainObject(c)) continue;
    latest = later(latest, later(finishedIn(stateOf(c)), finishedIn(lastStateOf(c))));
  }
  return latest;
};

/**
 * When a pod finished: the latest container finishedAt (init and regular, current and last state), else its
 * deletionTimestamp, else status.startTime, else creationTimestamp; none when it has none of them.
 */
export const podCompletionTime = (resource: unknown): O.Option<Instant> => {
  const pod = podJson(resource);
  if (pod === undefined) return O.none;
  const finished = latestFinish(
    containerStatusesOf(pod),
    latestFinish(initContainerStatusesOf(pod), undefined),
  );
  return O.fromNullable(finished ?? deletionOf(pod) ?? startTimeOf(pod) ?? creationOf(pod));
};
