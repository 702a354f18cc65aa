// The Kubeflow plugins against the training operator's real CRDs: examples, built cases and generated tasks.
import { test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { mpiPlugin } from '../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../src/plugins/kubeflow/tensorflow.js';
import { arbKubeflowBuildContext } from '../../src/testing/kubeflow-arbitraries.js';
import { built, ctxOf, kfTask } from '../plugins/kubeflow/fixtures.js';
import { crdValidator, type CrdValidator } from './crd-dir.js';
import { exampleManifests } from './examples.js';

const validators: Readonly<Record<string, CrdValidator>> = {
  PyTorchJob: crdValidator('PyTorchJob', 'v1'),
  TFJob: crdValidator('TFJob', 'v1'),
  MPIJob: crdValidator('MPIJob', 'v1'),
};
const validate = (o: KubeObject): ReadonlyArray<string> => {
  const v = validators[o.kind];
  return v === undefined ? [`no validator for ${o.kind}`] : v(o);
};
const all = [pytorchPlugin, tensorflowPlugin, mpiPlugin];

describe('examples/kubeflow', () => {
  it.each(all.flatMap((p) => exampleManifests('examples/kubeflow', p, `${p.id}.yaml`)))(
    '%s (%s) builds a job the CRD accepts',
    (_f, _c, make) => {
      expect(validate(make())).toEqual([]);
    },
  );
});

describe('built jobs (test/plugins/kubeflow/build.test.ts cases)', () => {
  const cases: ReadonlyArray<readonly [string, () => KubeObject]> = [
    ['pytorch version 0', () => built(pytorchPlugin, ctxOf(kfTask('pytorch', { workers: 3 })))],
    [
      'pytorch elastic with every elastic field',
      () =>
        built(
          pytorchPlugin,
          ctxOf(
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
        ),
    ],
    [
      'pytorch version 1 (replica groups, run policy)',
      () =>
        built(
          pytorchPlugin,
          ctxOf(
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
        ),
    ],
    [
      'tensorflow version 0',
      () =>
        built(
          tensorflowPlugin,
          ctxOf(kfTask('tensorflow', { workers: 2, ps_replicas: 1, chiefReplicas: 1 })),
        ),
    ],
    [
      'tensorflow version 1 (groups, evaluator, run policy)',
      () =>
        built(
          tensorflowPlugin,
          ctxOf(
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
        ),
    ],
    [
      'mpi version 0',
      () => built(mpiPlugin, ctxOf(kfTask('mpi', { num_workers: 2, num_launcher_replicas: 0, slots: 4 }))),
    ],
    [
      'mpi version 1 (slots, group commands)',
      () =>
        built(
          mpiPlugin,
          ctxOf(
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
        ),
    ],
  ];

  it.each(cases)('%s: the CRD accepts it', (_, make) => {
    expect(validate(make())).toEqual([]);
  });
});

describe('generated tasks', () => {
  for (const plugin of all) {
    test.prop([arbKubeflowBuildContext(plugin.id as 'pytorch' | 'tensorflow' | 'mpi')], { numRuns: 40 })(
      `${plugin.id}: every built ${plugin.watches.kind} validates against its CRD`,
      (ctx) => {
        const r = plugin.buildResource(ctx);
        if (E.isLeft(r)) {
          expect(['BadTaskSpecification', 'PodSecurityViolation', 'MetadataTooLarge']).toContain(r.left.code);
          return;
        }
        expect(validate(r.right)).toEqual([]);
      },
    );
  }
});
