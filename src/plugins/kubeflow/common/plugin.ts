// The Kubeflow common pattern as a plugin: one build and one phase mapping, configured per training-operator kind.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../../domain/kubernetes.js';
import { checkExecutionMetadata } from '../../../domain/object-metadata.js';
import {
  badTaskSpecification,
  buildError,
  defaultPluginProperties,
  type BuildContext,
  type BuildError,
  type Plugin,
  type RelatedResourceQuery,
} from '../../../domain/plugin.js';
import { kfOperatorSection } from './config.js';
import { KUBEFLOW_API_VERSION, type KubeflowKind } from './kind.js';
import {
  explainKubeflowTaskPhase,
  getKubeflowTaskPhase,
  isKubeflowTerminal,
  kubeflowCompletionTime,
} from './phase.js';
import { buildRolePod, replicaSpec, type ReplicaSpec } from './replica.js';
import { JOB_NAME_LABEL } from './status.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

/** The task's payload version: 0 (flat, legacy) or 1 (per replica group); others are refused as in Flyte. */
export const payloadVersion = (ctx: BuildContext): E.Either<BuildError, 0 | 1> => {
  const v = ctx.task.task.typeVersion ?? 0;
  return v === 0 || v === 1
    ? E.right(v)
    : E.left(
        badTaskSpecification(
          `Invalid TaskSpecification, unsupported task template version [${v}] key: ${ctx.task.task.type} tasks have ` +
            'payload versions 0 and 1',
          ['task', 'typeVersion'],
        ),
      );
};

const build = (kind: KubeflowKind, ctx: BuildContext): E.Either<BuildError, KubeObject> => {
  const meta = checkExecutionMetadata(ctx);
  if (E.isLeft(meta)) return meta;
  const version = payloadVersion(ctx);
  if (E.isLeft(version)) return version;
  const plan = kind.plan(ctx, version.right);
  if (E.isLeft(plan)) return plan;
  const base = buildRolePod(ctx);
  if (E.isLeft(base)) return base;
  const specs: Record<string, ReplicaSpec> = {};
  for (const [role, g] of plan.right.groups) {
    const r = replicaSpec(ctx, base.right, kind.containerName, g);
    if (E.isLeft(r)) return r;
    specs[role] = r.right;
  }
  const labels = base.right.labels;
  const annotations = base.right.annotations;
  return E.right({
    apiVersion: KUBEFLOW_API_VERSION,
    kind: kind.kind,
    metadata: {
      ...(Object.keys(labels).length === 0 ? {} : { labels: { ...labels } }),
      ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
    },
    spec: {
      [kind.replicaSpecsKey]: specs,
      runPolicy: plan.right.runPolicy ?? {},
      ...plan.right.extraSpec,
    },
  });
};

/**
 * buildResource of a kind: the task's pod built once by the pod plugin's rules (buildRawPod, applyPodConfiguration),
 * rebuilt for a group with its own resources; one replica spec per group; the pod's own labels and annotations (pod
 * templates) also on the job. Deterministic (no clock) and never throws.
 */
export const buildKubeflowResource =
  (kind: KubeflowKind) =>
  (ctx: BuildContext): E.Either<BuildError, KubeObject> => {
    try {
      return build(kind, ctx);
    } catch (e) {
      return E.left(
        buildError(
          'FailedToBuildResource',
          `internal error while building the ${kind.kind}: ${e instanceof Error ? e.message : String(e)}`,
        ),
      );
    }
  };

/** The pods of a job: labelled with its name by the operator, owned by it, in its namespace. */
export const kubeflowRelatedResources = (resource: KubeObject): ReadonlyArray<RelatedResourceQuery> => {
  const name = resource.metadata?.name;
  const namespace = resource.metadata?.namespace;
  if (name === undefined || namespace === undefined) return [];
  const uid = resource.metadata?.uid;
  return [
    {
      kind: POD,
      namespace,
      labelSelector: { [JOB_NAME_LABEL]: name },
      ...(uid === undefined ? {} : { ownerUid: uid }),
    },
  ];
};

/** A training-operator plugin from its kind's description. */
export const kubeflowPlugin = (kind: KubeflowKind): Plugin => ({
  id: kind.taskType,
  taskTypes: [kind.taskType],
  watches: { apiVersion: KUBEFLOW_API_VERSION, kind: kind.kind },
  properties: defaultPluginProperties,
  buildIdentityResource: () => E.right({ apiVersion: KUBEFLOW_API_VERSION, kind: kind.kind, metadata: {} }),
  buildResource: buildKubeflowResource(kind),
  getTaskPhase: getKubeflowTaskPhase(kind),
  explainTaskPhase: explainKubeflowTaskPhase(kind),
  isTerminal: isKubeflowTerminal(kind),
  completionTime: kubeflowCompletionTime(kind),
  customResource: { plural: kind.plural, statusSubresource: true },
  relatedKinds: [POD],
  relatedResources: kubeflowRelatedResources,
  configSection: kfOperatorSection,
});
