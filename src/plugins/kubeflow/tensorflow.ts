// The tensorflow plugin: a TFJob (Chief, Worker, PS, Evaluator) as the Kubeflow common pattern.
import * as E from 'fp-ts/lib/Either.js';
import {
  badTaskSpecification,
  type BuildContext,
  type BuildError,
  type Plugin,
} from '../../domain/plugin.js';
import {
  decodePayload,
  fieldPath,
  generalPodName,
  groupOverrides,
  groupReplicas,
  Int32,
  kubeflowPlugin,
  message,
  replicasPath,
  ReplicaGroupC,
  RunPolicyC,
  runPolicyOf,
  type GroupOverrides,
  type JobPlan,
  type KubeflowKind,
} from './common/index.js';

/** Version 0: DistributedTensorflowTrainingTask of flyteidl2/plugins. */
export const TensorFlowPayloadV0 = message('DistributedTensorflowTrainingTask', {
  workers: Int32,
  psReplicas: Int32,
  chiefReplicas: Int32,
  evaluatorReplicas: Int32,
});

/** Version 1: DistributedTensorflowTrainingTask of flyteidl2/plugins/kubeflow. */
export const TensorFlowPayloadV1 = message('DistributedTensorflowTrainingTask', {
  workerReplicas: ReplicaGroupC,
  psReplicas: ReplicaGroupC,
  chiefReplicas: ReplicaGroupC,
  runPolicy: RunPolicyC,
  evaluatorReplicas: ReplicaGroupC,
});

/** Replica types in Flyte's manifest order, with the payload fields that size them (v0, v1). */
const ROLES = [
  ['Chief', 'chiefReplicas', 'chiefReplicas'],
  ['Worker', 'workers', 'workerReplicas'],
  ['PS', 'psReplicas', 'psReplicas'],
  ['Evaluator', 'evaluatorReplicas', 'evaluatorReplicas'],
] as const;

const plan = (ctx: BuildContext, version: 0 | 1): E.Either<BuildError, JobPlan> => {
  const raw = ctx.task.task.custom;
  const groups: [string, GroupOverrides][] = [];
  let runPolicy: Readonly<Record<string, unknown>> | undefined;
  if (version === 0) {
    const p = decodePayload(TensorFlowPayloadV0)(raw);
    if (E.isLeft(p)) return p;
    for (const [role, v0] of ROLES) {
      const n = p.right[v0] ?? 0;
      if (n > 0) groups.push([role, { replicas: n, path: fieldPath(raw, v0) }]);
    }
    if ((p.right.workers ?? 0) <= 0) {
      return E.left(
        badTaskSpecification('number of workers must be greater than 0', fieldPath(raw, 'workers')),
      );
    }
  } else {
    const p = decodePayload(TensorFlowPayloadV1)(raw);
    if (E.isLeft(p)) return p;
    for (const [role, , v1] of ROLES) {
      const g = p.right[v1];
      if (groupReplicas(g) > 0) groups.push([role, groupOverrides(raw, v1, g)]);
    }
    if (groupReplicas(p.right.workerReplicas) <= 0) {
      return E.left(
        badTaskSpecification('number of workers must be greater than 0', replicasPath(raw, 'workerReplicas')),
      );
    }
    const rp = runPolicyOf(raw, p.right.runPolicy);
    if (E.isLeft(rp)) return rp;
    runPolicy = rp.right;
  }
  return E.right({ groups, ...(runPolicy === undefined ? {} : { runPolicy }), extraSpec: {} });
};

export const tensorflowKind: KubeflowKind = {
  taskType: 'tensorflow',
  kind: 'TFJob',
  plural: 'tfjobs',
  replicaSpecsKey: 'tfReplicaSpecs',
  containerName: 'tensorflow',
  roles: ['Chief', 'Master', 'Worker', 'PS', 'Evaluator'],
  demystifiedRoles: ['Chief', 'Master', 'Worker', 'PS'],
  masterRoles: ['Chief', 'Master'],
  podName: generalPodName,
  plan,
};

/** Task type `tensorflow` → kubeflow.org/v1 TFJob. */
export const tensorflowPlugin: Plugin = kubeflowPlugin(tensorflowKind);
