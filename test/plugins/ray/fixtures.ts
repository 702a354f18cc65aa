// Builders for ray plugin tests: a ray task, a platform config with a plugins.ray section, built RayJobs.
import * as E from 'fp-ts/lib/Either.js';
import { decodePlatformConfigWith } from '../../../src/domain/plugin-config.js';
import type { PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext, BuildError } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { buildResource } from '../../../src/plugins/ray/build.js';
import { raySection } from '../../../src/plugins/ray/config.js';

export const rayCustom = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  rayCluster: {
    headGroupSpec: { rayStartParams: { 'num-cpus': '1' } },
    workerGroupSpec: [{ groupName: 'workers', replicas: 2, minReplicas: 1, maxReplicas: 4 }],
  },
  ...extra,
});

/** A ray task `train` of run r1, action a, in namespace ns. */
export const rayTask = (
  custom: Record<string, unknown> | null = rayCustom(),
  task: Partial<TaskExecution['task']> = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type: 'ray',
    container: {
      image: 'rayproject/ray:2.40.0',
      args: ['pyflyte-execute', '--inputs', 's3://b/in', '--output-prefix', 's3://b/out'],
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    },
    ...(custom === null ? {} : { custom }),
    ...task,
  },
  execution: {
    id: { run: 'r1', action: 'a', project: 'p', domain: 'd' },
    namespace: 'ns',
    labels: { team: 'ml' },
    ...execution,
  },
});

/** A platform config document decoded with the ray section (plugins.ray is optional). */
export const rayConfig = (doc: Record<string, unknown> = {}): PlatformConfig => {
  const r = decodePlatformConfigWith([raySection])(doc);
  if (E.isLeft(r)) throw new Error(`bad config: ${JSON.stringify(r.left)}`);
  return r.right;
};

export const ctxOf = (task: TaskExecution, config: PlatformConfig = rayConfig()): BuildContext => ({
  task,
  config,
  podTemplates: new Map(),
  processEnv: {},
});

export const buildRay = (ctx: BuildContext): Json => {
  const r = buildResource(ctx);
  if (E.isLeft(r)) throw new Error(`expected a RayJob, got ${JSON.stringify(r.left)}`);
  return r.right;
};

export const buildRayFails = (ctx: BuildContext): BuildError => {
  const r = buildResource(ctx);
  if (E.isRight(r)) throw new Error(`expected a BuildError, got ${JSON.stringify(r.right)}`);
  return r.left;
};

/**
 * A loose view of a built manifest for reading it in tests: the fields the tests look at, untyped (the CRD validator
 * checks the shape).
 */

export type Json = { [K in JsonKey]?: any };
type JsonKey =
  | 'spec'
  | 'rayClusterSpec'
  | 'headGroupSpec'
  | 'template'
  | 'containers'
  | 'workerGroupSpecs'
  | 'metadata'
  | 'labels'
  | 'annotations'
  | 'env'
  | 'ports'
  | 'name'
  | 'value'
  | 'valueFrom'
  | 'lifecycle'
  | 'preStop'
  | 'exec'
  | 'command'
  | 'args'
  | 'resources'
  | 'image'
  | 'entrypoint'
  | 'submissionMode'
  | 'submitterPodTemplate'
  | 'restartPolicy'
  | 'serviceType'
  | 'enableIngress'
  | 'rayStartParams'
  | 'shutdownAfterJobFinishes'
  | 'ttlSecondsAfterFinished'
  | 'runtimeEnvYAML'
  | 'enableInTreeAutoscaling'
  | 'autoscalerOptions'
  | 'nodeSelector'
  | 'serviceAccountName'
  | 'volumes'
  | 'volumeMounts'
  | 'affinity'
  | 'containerPort'
  | 'cluster'
  | 'worker'
  | 'scheduler'
  | 'job'
  | 'replicas'
  | 'service'
  | 'type'
  | 'selector'
  | 'readinessProbe'
  | 'apiVersion'
  | 'kind'
  | 'minReplicas'
  | 'maxReplicas'
  | 'groupName'
  | 'status'
  | 'requests'
  | 'limits';
