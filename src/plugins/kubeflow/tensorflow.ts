// The tensorflow plugin: a TFJob (Chief, Worker, PS, Evaluator) as the Kubeflow common pattern.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { BuildContext, BuildError, Plugin } from '../../domain/plugin.js';
import {
  decodePayload,
  fieldPath,
  generalPodName,
  groupOverrides,
  groupReplicas,
  Int32,
  jobPlan,
  kubeflowPlugin,
  message,
  planV1,
  ReplicaGroupC,
  requireWorkers,
  RunPolicyC,
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
  return version === 0
    ? pipe(
        decodePayload(TensorFlowPayloadV0)(raw),
        requireWorkers((p) => p.workers ?? 0, fieldPath(raw, 'workers')),
        E.map((p) =>
          jobPlan(
            ROLES.flatMap(([role, v0]) => {
              const n = p[v0] ?? 0;
              return n > 0 ? [[role, { replicas: n, path: fieldPath(raw, v0) }] as const] : [];
            }),
            undefined,
          ),
        ),
      )
    : planV1(TensorFlowPayloadV1, raw, (p, runPolicy) =>
        jobPlan(
          ROLES.flatMap(([role, , v1]) => {
            const g = p[v1];
            return groupReplicas(g) > 0 ? [[role, groupOverrides(raw, v1, g)] as const] : [];
          }),
          runPolicy,
        ),
      );
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
