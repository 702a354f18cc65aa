// The Kubeflow common pattern as a plugin: one build and one phase mapping, configured per training-operator kind.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as RA from 'fp-ts/lib/ReadonlyArray.js';
import type { KubeObject } from '../../../domain/kubernetes.js';
import { checkExecutionMetadata } from '../../../domain/object-metadata.js';
import {
  badTaskSpecification,
  defaultPluginProperties,
  type BuildContext,
  type BuildError,
  type Plugin,
  type RelatedResourceQuery,
} from '../../../domain/plugin.js';
import { guardBuild, POD_KIND, podsQuery, resourceMetadata } from '../../crd/index.js';
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

const build =
  (kind: KubeflowKind) =>
  (ctx: BuildContext): E.Either<BuildError, KubeObject> =>
    pipe(
      checkExecutionMetadata(ctx),
      E.flatMap(() => payloadVersion(ctx)),
      E.flatMap((version) => kind.plan(ctx, version)),
      E.bindTo('plan'),
      E.bind('base', () => buildRolePod(ctx)),
      E.bind('specs', ({ plan, base }) =>
        pipe(
          plan.groups,
          RA.traverse(E.Applicative)(([role, g]) =>
            E.map((r: ReplicaSpec) => [role, r] as const)(replicaSpec(ctx, base, kind.containerName, g)),
          ),
        ),
      ),
      E.map(({ plan, base, specs }) => {
        return {
          apiVersion: KUBEFLOW_API_VERSION,
          kind: kind.kind,
          metadata: resourceMetadata(base),
          spec: {
            [kind.replicaSpecsKey]: Object.fromEntries(specs),
            runPolicy: plan.runPolicy ?? {},
            ...plan.extraSpec,
          },
        };
      }),
    );

/**
 * buildResource of a kind: the task's pod built once by the pod plugin's rules (buildRawPod, applyPodConfiguration),
 * rebuilt for a group with its own resources; one replica spec per group; the pod's own labels and annotations (pod
 * templates) also on the job. Deterministic (no clock) and never throws.
 */
export const buildKubeflowResource = (kind: KubeflowKind): Plugin['buildResource'] =>
  guardBuild(`the ${kind.kind}`, build(kind));

/** The pods of a job: labelled with its name by the operator, owned by it, in its namespace. */
export const kubeflowRelatedResources = (resource: KubeObject): ReadonlyArray<RelatedResourceQuery> =>
  podsQuery(resource, { labelSelector: { [JOB_NAME_LABEL]: resource.metadata?.name ?? '' }, owned: true });

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
  relatedKinds: [POD_KIND],
  relatedResources: kubeflowRelatedResources,
  configSection: kfOperatorSection,
});
