// The simulated-operator contract: pure functions from a custom resource and its pods to pods to create and a status.
import type { GroupVersionKind, KubeObject, Pod } from '../../domain/kubernetes.js';
import type { Instant } from '../../domain/time.js';
import { SCENARIO_ANNOTATION } from '../kubelet/scenarios.js';

/**
 * What an operator (spark-operator, training-operator, KubeRay, dask-operator, the Job controller) does with one of
 * its custom resources, as far as kubetasks can observe it: the pods it creates and the status it writes. The
 * runtime (startOperators) does the I/O: it creates missing pods (adding the owner reference), writes changed
 * statuses through the status subresource, and deletes the pods when the resource goes away; the simulated
 * kubelet runs the pods.
 */
export interface SimulatedOperator {
  /** The custom resource kind this operator reconciles. */
  readonly kind: GroupVersionKind;
  /**
   * The pods that should exist now, given the resource and the pods it already owns (so stages are possible: an MPI
   * launcher after its workers, a Ray submitter after the head is running). The runtime creates those whose name is
   * missing, once; it never updates a pod. Pods need metadata.name; namespace and ownerReferences are added.
   */
  readonly desiredPods: (resource: KubeObject, pods: ReadonlyArray<Pod>, now: Instant) => ReadonlyArray<Pod>;
  /** The whole `status` to write, or undefined to leave it as it is. Written only when it differs. */
  readonly status: (resource: KubeObject, pods: ReadonlyArray<Pod>, now: Instant) => unknown;
  /**
   * When to look at the resource again although nothing changed (a deadline, a back-off between pods), in
   * milliseconds from now; undefined for never. Like controller-runtime's RequeueAfter.
   */
  readonly requeueAfter?: (
    resource: KubeObject,
    pods: ReadonlyArray<Pod>,
    now: Instant,
  ) => number | undefined;
}

/** On the custom resource: which role's pod the scenario hits (e.g. `worker`); each operator has a default. */
export const SCENARIO_ROLE_ANNOTATION = 'kubetasks.dev/scenario-role';

/**
 * The kubelet annotations a role's pod gets: the resource's scenario (and its durations) goes to the pods of the
 * scenario role (the resource's `kubetasks.dev/scenario-role`, else `defaultRole`); other pods succeed. The
 * scenario `stuck-pending` hits every pod, since "pending forever" is about the whole job.
 */
export const scenarioAnnotations = (
  resource: KubeObject,
  role: string,
  defaultRole: string,
): Record<string, string> => {
  const a = resource.metadata?.annotations ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith('kubetasks.dev/') && k.endsWith('-duration')) out[k] = v;
  }
  const scenario = a[SCENARIO_ANNOTATION];
  const target = a[SCENARIO_ROLE_ANNOTATION] ?? defaultRole;
  if (scenario !== undefined && (role === target || scenario === 'stuck-pending'))
    out[SCENARIO_ANNOTATION] = scenario;
  return out;
};
