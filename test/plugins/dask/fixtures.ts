// Builders for dask plugin tests: a dask task, a platform config with a plugins.dask section, built DaskJobs.
import * as E from 'fp-ts/lib/Either.js';
import { decodePlatformConfigWith } from '../../../src/domain/plugin-config.js';
import type { PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext, BuildError } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { buildResource } from '../../../src/plugins/dask/build.js';
import { daskSection } from '../../../src/plugins/dask/config.js';

export const daskCustom = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  scheduler: { image: 'ghcr.io/dask/dask:2024.8.0' },
  workers: { numberOfWorkers: 2, resources: { limits: { cpu: '2', memory: '4Gi' } } },
  ...extra,
});

/** A dask task `etl` of run r1, action a, in namespace ns. */
export const daskTask = (
  custom: Record<string, unknown> | null = daskCustom(),
  task: Partial<TaskExecution['task']> = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'etl', project: 'p', domain: 'd', version: 'v1' },
    type: 'dask',
    container: {
      image: 'ghcr.io/example/etl:1',
      command: ['python', '-m', 'etl'],
      args: ['--date', '2026-01-01'],
      resources: { requests: { cpu: '1', memory: '1Gi' } },
    },
    ...(custom === null ? {} : { custom }),
    ...task,
  },
  execution: {
    id: { run: 'r1', action: 'a', project: 'p', domain: 'd' },
    namespace: 'ns',
    labels: { team: 'data' },
    ...execution,
  },
});

export const daskConfig = (doc: Record<string, unknown> = {}): PlatformConfig => {
  const r = decodePlatformConfigWith([daskSection])(doc);
  if (E.isLeft(r)) throw new Error(`bad config: ${JSON.stringify(r.left)}`);
  return r.right;
};

export const ctxOf = (task: TaskExecution, config: PlatformConfig = daskConfig()): BuildContext => ({
  task,
  config,
  podTemplates: new Map(),
  processEnv: {},
});

export const buildDask = (ctx: BuildContext): Json => {
  const r = buildResource(ctx);
  if (E.isLeft(r)) throw new Error(`expected a DaskJob, got ${JSON.stringify(r.left)}`);
  return r.right;
};

export const buildDaskFails = (ctx: BuildContext): BuildError => {
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
