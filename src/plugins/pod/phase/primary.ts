// The primary container of a pod: the annotation that makes it decide the task, and the name logs are built for.
import * as O from 'fp-ts/lib/Option.js';
import { readPod, type PodView } from './pod-view.js';

/** Set by pod construction (Flyte's key); when present, this container alone decides the task's outcome. */
export const PRIMARY_CONTAINER_ANNOTATION = 'primary_container_name';

/** kubectl's default container annotation; preferred for logs when set. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** The container named by the `primary_container_name` annotation, which switches on primary-decides mapping. */
export const annotatedPrimary = (pod: PodView): string | undefined => {
  const name = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
  return name === undefined ? undefined : name;
};

/**
 * Flyte's GetPrimaryContainerName: the default-container annotation, else the primary annotation, else the
 * container named like the pod, else the first container, else "".
 */
export const primaryContainerNameOf = (pod: PodView): string => {
  const fromDefault = pod.annotations[DEFAULT_CONTAINER_ANNOTATION];
  if (fromDefault !== undefined && fromDefault !== '') return fromDefault;
  const fromPrimary = pod.annotations[PRIMARY_CONTAINER_ANNOTATION];
  if (fromPrimary !== undefined && fromPrimary !== '') return fromPrimary;
  if (pod.name !== '' && pod.specContainers.includes(pod.name)) return pod.name;
  return pod.specContainers[0] ?? '';
};

/** The primary container name of any value ("" when it is not a pod or has no containers). */
export const primaryContainerName = (resource: unknown): string =>
  O.match(() => '', primaryContainerNameOf)(readPod(resource));
