// Related pods of a custom resource (a Ray head, a Dask job runner): the query, the lookup, the pod plugin's reading.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import { isFailure } from '../../domain/phase.js';
import { failed, type PhaseInfo } from '../../domain/phase-info.js';
import type { PhaseContext, RelatedResourceQuery } from '../../domain/plugin.js';
import { getPodTaskPhase, readPod, type PodView } from '../pod/phase/index.js';

/** The kind every CRD plugin relates: the operator's pods. */
export const POD_KIND = { apiVersion: 'v1', kind: 'Pod' } as const;

/** Which of the operator's pods a plugin wants in `ctx.related`: by exact name, by labels, owned by the resource. */
export interface PodSelection {
  readonly name?: string;
  readonly labelSelector?: Readonly<Record<string, string>>;
  /** Only pods the resource owns (its uid in their owner references), when the resource has a uid. */
  readonly owned?: boolean;
}

/**
 * The related-resource query for the pods of `resource` (a plugin's `relatedResources`): none while the resource has
 * no namespace, or when the selection names nothing (an empty name, an empty label value), so the manager never
 * watches every pod of a namespace by accident.
 */
export const podsQuery = (
  resource: KubeObject,
  selection: PodSelection,
): ReadonlyArray<RelatedResourceQuery> => {
  const namespace = resource.metadata?.namespace ?? '';
  const labels = selection.labelSelector;
  if (namespace === '' || selection.name === '') return [];
  if (labels !== undefined && Object.values(labels).some((v) => v === '')) return [];
  if (selection.name === undefined && labels === undefined) return [];
  const uid = resource.metadata?.uid;
  return [
    {
      kind: POD_KIND,
      namespace,
      ...(selection.name === undefined ? {} : { name: selection.name }),
      ...(labels === undefined ? {} : { labelSelector: { ...labels } }),
      ...(selection.owned === true && uid !== undefined && uid !== '' ? { ownerUid: uid } : {}),
    },
  ];
};

/** A related pod: the object as the watch cache holds it and its reading. */
export interface RelatedPod {
  readonly object: unknown;
  readonly view: PodView;
}

const labelsOf = (o: unknown): Readonly<Record<string, unknown>> => {
  if (!isPlainObject(o)) return {};
  const m = o['metadata'];
  if (!isPlainObject(m)) return {};
  const l = m['labels'];
  return isPlainObject(l) ? l : {};
};

/** The related pods in `namespace` (any namespace when empty) carrying every label of `selector`. */
export const relatedPods = (
  related: ReadonlyArray<KubeObject> | undefined,
  namespace: string,
  selector: Readonly<Record<string, string>>,
): ReadonlyArray<RelatedPod> => {
  const out: RelatedPod[] = [];
  for (const o of related ?? []) {
    const view = readPod(o);
    if (O.isNone(view) || view.value.kind !== 'Pod') continue;
    if (namespace !== '' && view.value.namespace !== '' && view.value.namespace !== namespace) continue;
    const labels = labelsOf(o);
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
    out.push({ object: o, view: view.value });
  }
  return out;
};

/** The related pod named `name` in `namespace`. */
export const relatedPodNamed = (
  related: ReadonlyArray<KubeObject> | undefined,
  namespace: string,
  name: string,
): RelatedPod | undefined =>
  name === '' ? undefined : relatedPods(related, namespace, {}).find((p) => p.view.name === name);

/**
 * The current pod of a role that has one (a head, a job runner) when an operator may have replaced it: pods not
 * being deleted first, then the newest, then by name (so the answer does not depend on the cache's order).
 */
export const currentPod = (pods: ReadonlyArray<RelatedPod>): RelatedPod | undefined =>
  [...pods].sort((a, b) => {
    const da = a.view.deletionTimestamp === undefined ? 0 : 1;
    const db = b.view.deletionTimestamp === undefined ? 0 : 1;
    if (da !== db) return da - db;
    const ta = a.view.creationTimestamp ?? -Infinity;
    const tb = b.view.creationTimestamp ?? -Infinity;
    if (ta !== tb) return tb - ta;
    return a.view.name < b.view.name ? -1 : a.view.name > b.view.name ? 1 : 0;
  })[0];

const podContext = (ctx: PhaseContext): PhaseContext => ({
  now: ctx.now,
  config: ctx.config,
  ...(ctx.task === undefined ? {} : { task: ctx.task }),
});

/** The pod plugin's answer for a pod, as if it were the task's own pod (no previous state: a fresh reading). */
export const podPhase = (ctx: PhaseContext, pod: RelatedPod): PhaseInfo =>
  getPodTaskPhase(podContext(ctx), pod.object);

/** The failure the pod plugin reads in a pod, with `label` (e.g. "Ray head pod x") before its message. */
export const podFailure = (ctx: PhaseContext, pod: RelatedPod, label: string): PhaseInfo | undefined => {
  const pi = podPhase(ctx, pod);
  if (!isFailure(pi.phase) || pi.error === undefined) return undefined;
  return {
    ...pi,
    error: { ...pi.error, message: `${label}: ${pi.error.message}` },
  };
};

/**
 * Flyte's DemystifyFailedOrPendingPod: a Pending or Failed pod is read by the pod plugin (image pull errors, config
 * errors, the pod pending timeout, OOM, preemption...) and a failure is returned; anything else is undefined.
 */
export const demystifyPod = (ctx: PhaseContext, pod: RelatedPod, label: string): PhaseInfo | undefined => {
  const phase = pod.view.phase;
  if (phase !== undefined && phase !== 'Pending' && phase !== 'Failed') return undefined;
  return podFailure(ctx, pod, label);
};

/** Whether a pod shows a failure of its own: phase Failed, or a container killed for memory (now or before a restart). */
export const podShowsFailure = (pod: RelatedPod): boolean =>
  pod.view.phase === 'Failed' ||
  [...pod.view.containerStatuses, ...pod.view.initContainerStatuses].some(
    (c) =>
      (c.state.terminated?.reason ?? '').includes('OOMKilled') ||
      (c.lastState.terminated?.reason ?? '').includes('OOMKilled'),
  );

/** A failure with `headline` before the detail of the pod that explains it, keeping the pod's phase, kind and code. */
export const explainedFailure = (
  headline: string,
  podInfo: PhaseInfo,
  info: PhaseInfo['info'],
): PhaseInfo => {
  const error = podInfo.error;
  if (error === undefined || !isFailure(podInfo.phase)) return podInfo;
  const phase = podInfo.phase === 'RetryableFailure' ? 'RetryableFailure' : 'PermanentFailure';
  return failed(
    phase,
    { ...error, message: `${headline}\n${error.message}` },
    info,
    podInfo.cleanupOnFailure,
  );
};
