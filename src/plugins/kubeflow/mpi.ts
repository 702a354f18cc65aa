// The mpi plugin: a training-operator MPIJob (one Launcher, Workers, slots per worker) as the Kubeflow common pattern.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
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
  MpiReplicaGroupC,
  requireWorkers,
  RunPolicyC,
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

/** An MPIJob's plan: the launcher group, the workers, and the slots per worker. */
const mpiPlan = (
  launcher: GroupOverrides,
  worker: GroupOverrides,
  slots: number | undefined,
  runPolicy?: Readonly<Record<string, unknown>>,
): JobPlan =>
  jobPlan(
    [
      ['Launcher', launcher],
      ['Worker', worker],
    ],
    runPolicy,
    { slotsPerWorker: slotsPerWorker(slots) },
  );

const plan = (ctx: BuildContext, version: 0 | 1): E.Either<BuildError, JobPlan> => {
  const raw = ctx.task.task.custom;
  if (version === 0) {
    // Workers run the image's entrypoint (the operator's sleep when there is none) or worker_spec_command as args:
    // the launcher's mpirun starts the ranks in them.
    const cmd = ctx.task.task.config?.[WORKER_SPEC_COMMAND_KEY];
    return pipe(
      decodePayload(MpiPayloadV0)(raw),
      requireWorkers((p) => p.numWorkers ?? 0, fieldPath(raw, 'numWorkers')),
      E.map((p) =>
        mpiPlan(
          // The operator's v1 MPIJob runs exactly one launcher pod, whatever the count says.
          { replicas: 1, path: fieldPath(raw, 'numLauncherReplicas') },
          {
            replicas: p.numWorkers ?? 0,
            command: [],
            args: cmd === undefined ? [] : cmd.split(' ').filter((a) => a !== ''),
            path: fieldPath(raw, 'numWorkers'),
          },
          p.slots,
        ),
      ),
    );
  }
  return planV1(MpiPayloadV1, raw, (p, runPolicy) =>
    mpiPlan(
      groupOverrides(raw, 'launcherReplicas', p.launcherReplicas, 1),
      groupOverrides(raw, 'workerReplicas', p.workerReplicas),
      p.slots,
      runPolicy,
    ),
  );
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
