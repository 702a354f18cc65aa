// The eager garbage-collection helpers as they were before the lazy reader: the reference they must equal.
import * as O from 'fp-ts/lib/Option.js';
import type { Instant } from '../../../../../src/domain/time.js';
import { latest, readPod } from '../../../../../src/plugins/pod/phase/pod-view.js';

/** Succeeded or Failed; any other value (including garbage) is not terminal. */
export const isPodTerminal = (resource: unknown): boolean =>
  O.match(
    () => false,
    (pod: { readonly phase: string | undefined }) => pod.phase === 'Succeeded' || pod.phase === 'Failed',
  )(readPod(resource));

/**
 * When a pod finished: the latest container finishedAt (init and regular, current and last state), else its
 * deletionTimestamp, else status.startTime, else creationTimestamp; none when it has none of them.
 */
export const podCompletionTime = (resource: unknown): O.Option<Instant> => {
  const view = readPod(resource);
  if (O.isNone(view)) return O.none;
  const pod = view.value;
  const finished = latest(
    [...pod.initContainerStatuses, ...pod.containerStatuses].flatMap((c) => [
      c.state.terminated?.finishedAt,
      c.lastState.terminated?.finishedAt,
    ]),
  );
  return O.fromNullable(finished ?? pod.deletionTimestamp ?? pod.startTime ?? pod.creationTimestamp);
};
