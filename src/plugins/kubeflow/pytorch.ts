// The pytorch plugin: a PyTorchJob (Master and Worker, or elastic Workers only) as the Kubeflow common pattern.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
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

const noWorkers = (path: ReturnType<typeof fieldPath>): BuildError =>
  badTaskSpecification('number of workers must be greater than 0', path);

const plan = (ctx: BuildContext, version: 0 | 1): E.Either<BuildError, JobPlan> => {
  const raw = ctx.task.task.custom;
  let master: GroupOverrides;
  let worker: GroupOverrides;
  let elastic: ElasticConfig | undefined;
  let runPolicy: Readonly<Record<string, unknown>> | undefined;
  if (version === 0) {
    const p = decodePayload(PyTorchPayloadV0)(raw);
    if (E.isLeft(p)) return p;
    const workers = p.right.workers ?? 0;
    if (workers <= 0) return E.left(noWorkers(fieldPath(raw, 'workers')));
    master = { replicas: 1, path: fieldPath(raw) };
    worker = { replicas: workers, path: fieldPath(raw, 'workers') };
    elastic = p.right.elasticConfig;
  } else {
    const p = decodePayload(PyTorchPayloadV1)(raw);
    if (E.isLeft(p)) return p;
    if (groupReplicas(p.right.workerReplicas) <= 0)
      return E.left(noWorkers(replicasPath(raw, 'workerReplicas')));
    master = groupOverrides(raw, 'masterReplicas', p.right.masterReplicas, 1);
    worker = groupOverrides(raw, 'workerReplicas', p.right.workerReplicas);
    elastic = p.right.elasticConfig;
    const rp = runPolicyOf(raw, p.right.runPolicy);
    if (E.isLeft(rp)) return rp;
    runPolicy = rp.right;
  }
  // torchrun's elastic mode has no master: every worker takes part in the rendezvous.
  return E.right({
    groups:
      elastic === undefined
        ? [
            ['Master', master],
            ['Worker', worker],
          ]
        : [['Worker', worker]],
    ...(runPolicy === undefined ? {} : { runPolicy }),
    extraSpec: elastic === undefined ? {} : { elasticPolicy: elasticPolicyOf(elastic) },
  });
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
