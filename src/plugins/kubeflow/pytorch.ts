// The pytorch plugin: a PyTorchJob (Master and Worker, or elastic Workers only) as the Kubeflow common pattern.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { BuildContext, BuildError, Plugin } from '../../domain/plugin.js';
import {
  decodePayload,
  fieldPath,
  generalPodName,
  groupOverrides,
  Int32,
  jobPlan,
  kubeflowPlugin,
  message,
  planV1,
  ReplicaGroupC,
  requireWorkers,
  RunPolicyC,
  type GroupOverrides,
  type JobPlan,
  type KubeflowKind,
} from './common/index.js';

/** flyteidl ElasticConfig (torchrun's rendezvous settings). */
export const ElasticConfigC = message('ElasticConfig', {
  rdzvBackend: t.string,
  minReplicas: Int32,
  maxReplicas: Int32,
  nprocPerNode: Int32,
  maxRestarts: Int32,
});
type ElasticConfig = t.TypeOf<typeof ElasticConfigC>;

/** Version 0: DistributedPyTorchTrainingTask of flyteidl2/plugins. */
export const PyTorchPayloadV0 = message('DistributedPyTorchTrainingTask', {
  workers: Int32,
  elasticConfig: ElasticConfigC,
});

/** Version 1: DistributedPyTorchTrainingTask of flyteidl2/plugins/kubeflow. */
export const PyTorchPayloadV1 = message('DistributedPyTorchTrainingTask', {
  workerReplicas: ReplicaGroupC,
  masterReplicas: ReplicaGroupC,
  runPolicy: RunPolicyC,
  elasticConfig: ElasticConfigC,
});

/**
 * The CR's elasticPolicy. Flyte writes every field even when empty; an empty rdzvBackend or a zero nProcPerNode is
 * left out here so the operator's defaults (c10d; spec.nprocPerNode "auto") apply instead of a broken value.
 */
export const elasticPolicyOf = (e: ElasticConfig): Readonly<Record<string, unknown>> => ({
  minReplicas: e.minReplicas ?? 0,
  maxReplicas: e.maxReplicas ?? 0,
  ...(e.rdzvBackend === undefined || e.rdzvBackend === '' ? {} : { rdzvBackend: e.rdzvBackend }),
  ...(e.nprocPerNode === undefined || e.nprocPerNode === 0 ? {} : { nProcPerNode: e.nprocPerNode }),
  maxRestarts: e.maxRestarts ?? 0,
});

/** torchrun's elastic mode has no master: every worker takes part in the rendezvous. */
const pytorchPlan = (
  master: GroupOverrides,
  worker: GroupOverrides,
  elastic: ElasticConfig | undefined,
  runPolicy?: Readonly<Record<string, unknown>>,
): JobPlan =>
  elastic === undefined
    ? jobPlan(
        [
          ['Master', master],
          ['Worker', worker],
        ],
        runPolicy,
      )
    : jobPlan([['Worker', worker]], runPolicy, { elasticPolicy: elasticPolicyOf(elastic) });

const plan = (ctx: BuildContext, version: 0 | 1): E.Either<BuildError, JobPlan> => {
  const raw = ctx.task.task.custom;
  return version === 0
    ? pipe(
        decodePayload(PyTorchPayloadV0)(raw),
        requireWorkers((p) => p.workers ?? 0, fieldPath(raw, 'workers')),
        E.map((p) =>
          pytorchPlan(
            { replicas: 1, path: fieldPath(raw) },
            { replicas: p.workers ?? 0, path: fieldPath(raw, 'workers') },
            p.elasticConfig,
          ),
        ),
      )
    : planV1(PyTorchPayloadV1, raw, (p, runPolicy) =>
        pytorchPlan(
          groupOverrides(raw, 'masterReplicas', p.masterReplicas, 1),
          groupOverrides(raw, 'workerReplicas', p.workerReplicas),
          p.elasticConfig,
          runPolicy,
        ),
      );
};

export const pytorchKind: KubeflowKind = {
  taskType: 'pytorch',
  kind: 'PyTorchJob',
  plural: 'pytorchjobs',
  replicaSpecsKey: 'pytorchReplicaSpecs',
  containerName: 'pytorch',
  roles: ['Master', 'Worker'],
  demystifiedRoles: ['Master', 'Worker'],
  masterRoles: ['Master'],
  podName: generalPodName,
  plan,
};

/** Task type `pytorch` → kubeflow.org/v1 PyTorchJob. */
export const pytorchPlugin: Plugin = kubeflowPlugin(pytorchKind);
