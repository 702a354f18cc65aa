// Kubeflow jobs that must build, named: build.test.ts checks their fields, test/crds/kubeflow.test.ts the CRD.
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import type { BuildContext, Plugin } from '../../../src/domain/plugin.js';
import { mpiPlugin } from '../../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../../src/plugins/kubeflow/tensorflow.js';
import { built, ctxOf, kfTask } from './fixtures.js';

/** A task and the plugin that builds it. */
export interface BuildCase {
  readonly plugin: Plugin;
  readonly ctx: BuildContext;
}

/**
 * The built jobs the field-by-field tests look at. A case added here is also checked against the training
 * operator's CRD, so a job the plugin builds but the API server would refuse cannot pass unnoticed.
 */
export const kubeflowBuilds = {
  'pytorch version 0': { plugin: pytorchPlugin, ctx: ctxOf(kfTask('pytorch', { workers: 3 })) },
  'pytorch elastic with every elastic field': {
    plugin: pytorchPlugin,
    ctx: ctxOf(
      kfTask('pytorch', {
        workers: 2,
        elasticConfig: {
          rdzvBackend: 'c10d',
          minReplicas: 2,
          maxReplicas: 2,
          nprocPerNode: 4,
          maxRestarts: 0,
        },
      }),
    ),
  },
  'pytorch version 1 (replica groups, run policy)': {
    plugin: pytorchPlugin,
    ctx: ctxOf(
      kfTask(
        'pytorch',
        {
          worker_replicas: {
            common: {
              replicas: 4,
              image: 'ghcr.io/example/worker:v2',
              resources: {
                requests: [
                  { name: 'CPU', value: '2' },
                  { name: 'GPU', value: '1' },
                ],
                limits: [{ name: 'GPU', value: '1' }],
              },
              restart_policy: 'RESTART_POLICY_ON_FAILURE',
            },
          },
          masterReplicas: { replicas: 3, image: 'ghcr.io/example/master:v2', restartPolicy: 2 },
          runPolicy: {
            cleanPodPolicy: 'CLEANPOD_POLICY_ALL',
            backoffLimit: 3,
            activeDeadlineSeconds: 0,
            ttlSecondsAfterFinished: 600,
          },
        },
        1,
      ),
    ),
  },
  'tensorflow version 0': {
    plugin: tensorflowPlugin,
    ctx: ctxOf(kfTask('tensorflow', { workers: 2, ps_replicas: 1, chiefReplicas: 1 })),
  },
  'tensorflow version 1 (groups, evaluator, run policy)': {
    plugin: tensorflowPlugin,
    ctx: ctxOf(
      kfTask(
        'tensorflow',
        {
          workerReplicas: { common: { replicas: 2 } },
          chiefReplicas: { replicas: 2 },
          evaluatorReplicas: { replicas: 1, image: 'eval:1' },
          psReplicas: { replicas: 0 },
          runPolicy: { cleanPodPolicy: 1 },
        },
        1,
      ),
    ),
  },
  'mpi version 0': {
    plugin: mpiPlugin,
    ctx: ctxOf(kfTask('mpi', { num_workers: 2, num_launcher_replicas: 0, slots: 4 })),
  },
  'mpi version 1 (slots, group commands)': {
    plugin: mpiPlugin,
    ctx: ctxOf(
      kfTask(
        'mpi',
        {
          workerReplicas: { common: { replicas: 3 }, command: ['sleep', 'infinity'] },
          launcherReplicas: { replicas: 5, command: ['mpirun', '-np', '6', 'python', 'train.py'] },
          slots: 2,
        },
        1,
      ),
    ),
  },
} as const satisfies Readonly<Record<string, BuildCase>>;

/** The job a case builds; throws when it does not. */
export const buildCase = (c: BuildCase): KubeObject => built(c.plugin, c.ctx);
