// The mpi plugin: a training-operator MPIJob (one Launcher, Workers, slots per worker) as the Kubeflow common pattern.
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
  MpiReplicaGroupC,
  replicasPath,
  RunPolicyC,
  runPolicyOf,
  type GroupOverrides,
  type JobPlan,
  type KubeflowKind,
} from './common/index.js';

/** Task config key: the workers' args, space-separated (version 0 payloads; Flyte's key). */
export const WORKER_SPEC_COMMAND_KEY = 'worker_spec_command';

/** Version 0: DistributedMPITrainingTask of flyteidl2/plugins. */
export const MpiPayloadV0 = message('DistributedMPITrainingTask', {
  numWorkers: Int32,
  numLauncherReplicas: Int32,
  slots: Int32,
});

/** Version 1: DistributedMPITrainingTask of flyteidl2/plugins/kubeflow. */
export const MpiPayloadV1 = message('DistributedMPITrainingTask', {
  workerReplicas: MpiReplicaGroupC,
  launcherReplicas: MpiReplicaGroupC,
  runPolicy: RunPolicyC,
  slots: Int32,
});

/** The training operator's v1 MPIJob names its single launcher pod `<job>-launcher`, workers `<job>-worker-<i>`. */
export const mpiPodName = (job: string, role: string, index: number): string =>
  role === 'Launcher' ? `${job}-launcher` : generalPodName(job, role, index);

/** Slots per worker: the payload's `slots` in both versions (Flyte ignored it in version 1); unset or 0 means 1. */
const slotsPerWorker = (slots: number | undefined): number => (slots === undefined || slots <= 0 ? 1 : slots);

const plan = (ctx: BuildContext, version: 0 | 1): E.Either<BuildError, JobPlan> => {
  const raw = ctx.task.task.custom;
  const noWorkers = (path: ReturnType<typeof fieldPath>): E.Either<BuildError, JobPlan> =>
    E.left(badTaskSpecification('number of workers must be greater than 0', path));
  let launcher: GroupOverrides;
  let worker: GroupOverrides;
  let slots: number | undefined;
  let runPolicy: Readonly<Record<string, unknown>> | undefined;
  if (version === 0) {
    const p = decodePayload(MpiPayloadV0)(raw);
    if (E.isLeft(p)) return p;
    const workers = p.right.numWorkers ?? 0;
    if (workers <= 0) return noWorkers(fieldPath(raw, 'numWorkers'));
    // The operator's v1 MPIJob runs exactly one launcher pod, whatever the count says.
    launcher = { replicas: 1, path: fieldPath(raw, 'numLauncherReplicas') };
    // Workers run the image's entrypoint (the operator's sleep when there is none) or worker_spec_command as args:
    // the launcher's mpirun starts the ranks in them.
    const cmd = ctx.task.task.config?.[WORKER_SPEC_COMMAND_KEY];
    worker = {
      replicas: workers,
      command: [],
      args: cmd === undefined ? [] : cmd.split(' ').filter((a) => a !== ''),
      path: fieldPath(raw, 'numWorkers'),
    };
    slots = p.right.slots;
  } else {
    const p = decodePayload(MpiPayloadV1)(raw);
    if (E.isLeft(p)) return p;
    if (groupReplicas(p.right.workerReplicas) <= 0) return noWorkers(replicasPath(raw, 'workerReplicas'));
    launcher = groupOverrides(raw, 'launcherReplicas', p.right.launcherReplicas, 1);
    worker = groupOverrides(raw, 'workerReplicas', p.right.workerReplicas);
    slots = p.right.slots;
    const rp = runPolicyOf(raw, p.right.runPolicy);
    if (E.isLeft(rp)) return rp;
    runPolicy = rp.right;
  }
  return E.right({
    groups: [
      ['Launcher', launcher],
      ['Worker', worker],
    ],
    ...(runPolicy === undefined ? {} : { runPolicy }),
    extraSpec: { slotsPerWorker: slotsPerWorker(slots) },
  });
};

export const mpiKind: KubeflowKind = {
  taskType: 'mpi',
  kind: 'MPIJob',
  plural: 'mpijobs',
  replicaSpecsKey: 'mpiReplicaSpecs',
  containerName: 'mpi',
  roles: ['Launcher', 'Worker'],
  demystifiedRoles: ['Launcher', 'Worker'],
  masterRoles: ['Launcher'],
  podName: mpiPodName,
  plan,
};

/** Task type `mpi` → kubeflow.org/v1 MPIJob (the training operator's, not mpi-operator's v2beta1). */
export const mpiPlugin: Plugin = kubeflowPlugin(mpiKind);
