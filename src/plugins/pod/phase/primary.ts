// The primary container of a pod: the annotation that makes it decide the task, and the name logs are built for.
import { annotationOf, containerNamedOrFirst, podJson, podNameOf, type PodJson } from './pod-json.js';
import { viewAsJson, type PodView } from './pod-view.js';

/** Set by pod construction (Flyte's key); when present, this container alone decides the task's outcome. */
export const PRIMARY_CONTAINER_ANNOTATION = 'primary_container_name';

/** kubectl's default container annotation; preferred for logs when set. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** The container named by the `primary_container_name` annotation, which switches on primary-decides mapping. */
export const annotatedPrimary = (pod: PodJson): string | undefined =>
  annotationOf(pod, PRIMARY_CONTAINER_ANNOTATION);

/**
 * Flyte's GetPrimaryContainerName: the default-container annotation, else the primary annotation, else the
 * container named like the pod, else the first container, else "".
 */
export const primaryNameOf = (pod: PodJson): string => {
  const fromDefault = annotationOf(pod, DEFAULT_CONTAINER_ANNOTATION);
  if (fromDefault !== undefined && fromDefault !== '') return fromDefault;
  const fromPrimary = annotationOf(pod, PRIMARY_CONTAINER_ANNOTATION);
  if (fromPrimary !== undefined && fromPrimary !== '') return fromPrimary;
  return containerNamedOrFirst(pod, podNameOf(pod));
};

/** primaryNameOf over a typed view, for plugins that hold one (the same rule, read from the view). */
export const primaryContainerNameOf = (pod: PodView): string => primaryNameOf(viewAsJson(pod));

/** The primary container name of any value ("" when it is not a pod or has no containers). */
export const primaryContainerName = (resource: unknown): string => {
  const pod = podJson(resource);
  return pod === undefined ? '' : primaryNameOf(pod);
};
