// The example tasks build into valid pods that show the feature each one is about.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Pod as PodModel } from 'kubernetes-models/v1/Pod';
import { loadPlatformConfig, loadTaskExecution } from '../../../../src/app/inputs.js';
import { loadDocument } from '../../../../src/app/source.js';
import type { Pod } from '../../../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../../../src/domain/object-metadata.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../../src/domain/platform-config.js';
import { defaultPluginProperties, type BuildContext } from '../../../../src/domain/plugin.js';
import {
  allViolations,
  buildPodResource,
  decodeKubePodTemplates,
  templateStore,
} from '../../../../src/plugins/pod/build/index.js';
import { primaryOf } from './fixtures.js';

const load = <A>(file: string, f: (file: string, text: string) => E.Either<unknown, A>): A => {
  const r = f(file, readFileSync(file, 'utf8'));
  if (E.isLeft(r)) throw new Error(`${file}: ${JSON.stringify(r.left)}`);
  return r.right;
};

const platform = load('examples/platform.yaml', loadPlatformConfig);
const restricted = load('examples/platform-restricted.yaml', loadPlatformConfig);
const templates = templateStore(
  load('examples/pod-templates/ml-base.yaml', loadDocument(decodeKubePodTemplates)),
);

const render = (name: string, config: PlatformConfig = platform): Pod => {
  const ctx: BuildContext = {
    task: load(`examples/tasks/${name}.yaml`, loadTaskExecution),
    config,
    podTemplates: templates,
  };
  const r = buildPodResource(ctx);
  if (E.isLeft(r)) throw new Error(`${name}: ${JSON.stringify(r.left)}`);
  const pod = addObjectMetadata(ctx, defaultPluginProperties, r.right);
  new PodModel(pod as ConstructorParameters<typeof PodModel>[0]).validate();
  return pod;
};

const terms = (pod: Pod) =>
  pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];

describe('examples', () => {
  it.each([
    'hello',
    'gpu-training',
    'interruptible',
    'sidecar',
    'pod-template',
    'shared-memory',
    'restricted',
  ])(
    'examples/tasks/%s.yaml builds a valid pod with the default and the example platform configs',
    (name) => {
      expect(render(name).kind).toBe('Pod');
      expect(render(name, defaultPlatformConfig).kind).toBe('Pod');
    },
  );

  it('gpu-training: an A100 MIG slice, shared memory', () => {
    const pod = render('gpu-training');
    expect(primaryOf(pod).resources?.limits?.['nvidia.com/gpu']).toBe('1');
    expect(terms(pod)[0]?.matchExpressions).toContainEqual({
      key: 'k8s.amazonaws.com/gpu-partition-size',
      operator: 'In',
      values: ['1g.5gb'],
    });
    expect(pod.metadata?.labels?.['platform.union.ai/gpu-partition-slices']).toBe('1');
    expect(pod.spec?.volumes).toContainEqual({
      name: 'dshm',
      emptyDir: { medium: 'Memory', sizeLimit: '2Gi' },
    });
    expect(primaryOf(pod).args).toContain('10');
  });

  it('interruptible: the spot toleration and requirement', () => {
    const pod = render('interruptible');
    expect(pod.spec?.tolerations).toContainEqual({
      key: 'cloud.google.com/gke-spot',
      operator: 'Equal',
      value: 'true',
      effect: 'NoSchedule',
    });
    expect(terms(pod)).toEqual([
      { matchExpressions: [{ key: 'cloud.google.com/gke-spot', operator: 'In', values: ['true'] }] },
    ]);
    expect(primaryOf(pod).args).toEqual([
      '--day',
      '2024-06-01',
      '--checkpoint',
      'gs://etl/etl-production/n20240601/out/1/_flytecheckpoints',
    ]);
  });

  it('sidecar: the primary annotation, every container with resources', () => {
    const pod = render('sidecar');
    expect(pod.metadata?.annotations?.['primary_container_name']).toBe('scorer');
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      expect(c.resources?.requests?.['cpu'], c.name).toBeDefined();
    }
  });

  it('pod-template: base template under the task pod template under the task container', () => {
    const pod = render('pod-template');
    const main = pod.spec?.containers.find((c) => c.name === 'main');
    expect(main?.image).toBe('ghcr.io/example/eval:v1');
    expect(main?.env?.map((e) => e.name)).toContain('PIP_INDEX_URL');
    expect(main?.resources?.requests).toEqual({ cpu: '1', memory: '2Gi' });
    expect(pod.spec?.priorityClassName).toBe('batch-low');
    expect(pod.spec?.serviceAccountName).toBe('research-runner');
    expect(pod.metadata?.labels?.['cost-center']).toBe('research');
  });

  it('restricted: satisfies the restricted Pod Security Standard', () => {
    expect(allViolations(render('restricted', restricted).spec!, 'restricted')).toEqual([]);
    for (const name of ['hello', 'interruptible', 'shared-memory']) {
      expect(allViolations(render(name, restricted).spec!, 'restricted'), name).toEqual([]);
    }
  });
});
