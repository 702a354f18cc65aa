// What tells one training-operator kind from another: names, roles, and how a payload becomes replica groups.
import type * as E from 'fp-ts/lib/Either.js';
import type { BuildContext, BuildError } from '../../../domain/plugin.js';
import type { GroupOverrides } from './replica.js';

/** The CR's spec, minus the replica specs, and the groups to build replica specs for. */
export interface JobPlan {
  /** Replica type (e.g. `Master`) → what the group changes about the task's pod; in manifest order. */
  readonly groups: ReadonlyArray<readonly [string, GroupOverrides]>;
  /** `spec.runPolicy`, when the payload has one. */
  readonly runPolicy?: Readonly<Record<string, unknown>>;
  /** Other spec fields: `elasticPolicy`, `slotsPerWorker`. */
  readonly extraSpec: Readonly<Record<string, unknown>>;
}

export interface KubeflowKind {
  /** Task type and plugin id: `pytorch`, `tensorflow`, `mpi`. */
  readonly taskType: string;
  readonly kind: string;
  readonly plural: string;
  /** `pytorchReplicaSpecs`, `tfReplicaSpecs`, `mpiReplicaSpecs`. */
  readonly replicaSpecsKey: string;
  /** The container name the operator requires: `pytorch`, `tensorflow`, `mpi`. */
  readonly containerName: string;
  /** Every replica type of the kind, the most telling first (for log links, demystification and log context). */
  readonly roles: ReadonlyArray<string>;
  /** Replica types whose first pod is demystified (failures, bad images, pending timeouts). */
  readonly demystifiedRoles: ReadonlyArray<string>;
  /** Roles whose pods get `training.kubeflow.org/job-role=master`. */
  readonly masterRoles: ReadonlyArray<string>;
  /** The name the operator gives pod `index` of replica type `role`. */
  readonly podName: (job: string, role: string, index: number) => string;
  /** Decodes the payload of a task (type version 0 or 1) into replica groups and spec fields. */
  readonly plan: (ctx: BuildContext, version: 0 | 1) => E.Either<BuildError, JobPlan>;
}

export const KUBEFLOW_API_VERSION = 'kubeflow.org/v1';

/** The training operator's general pod name: `<job>-<lower-case replica type>-<index>`. */
export const generalPodName = (job: string, role: string, index: number): string =>
  `${job}-${role.toLowerCase()}-${index}`;
