// The Kubeflow plugins against the training operator's real CRDs: examples, built cases and generated tasks.
import { test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { mpiPlugin } from '../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../src/plugins/kubeflow/tensorflow.js';
import { arbKubeflowBuildContext } from '../../src/testing/kubeflow-arbitraries.js';
import { buildCase, kubeflowBuilds } from '../plugins/kubeflow/cases.js';
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

describe('built jobs (test/plugins/kubeflow/cases.ts)', () => {
  it.each(Object.entries(kubeflowBuilds))('%s: the CRD accepts it', (_, c) => {
    expect(validate(buildCase(c))).toEqual([]);
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
