// The Kubeflow example task files build into the jobs they describe (the CRD check: test/crds); the config section decodes.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig, loadTaskExecution } from '../../../src/app/inputs.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import { readPluginConfig } from '../../../src/domain/plugin-config.js';
import type { Plugin } from '../../../src/domain/plugin.js';
import * as R from '../../../src/domain/registry.js';
import { kfOperatorSection } from '../../../src/plugins/kubeflow/common/index.js';
import { mpiPlugin } from '../../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../../src/plugins/kubeflow/tensorflow.js';
import { builtInRegistry } from '../../../src/plugins/index.js';
import { replica, specOf, templateOf } from './fixtures.js';

const buildExample = (plugin: Plugin, name: string) => {
  const file = `examples/kubeflow/${name}.yaml`;
  const task = loadTaskExecution(file, readFileSync(file, 'utf8'));
  if (E.isLeft(task)) throw new Error(JSON.stringify(task.left));
  const ctx = { task: task.right, config: defaultPlatformConfig };
  const r = plugin.buildResource(ctx);
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
  return addObjectMetadata(ctx, plugin.properties, r.right);
};

describe('examples/kubeflow', () => {
  it('pytorch.yaml: a master and four GPU workers with a run policy', () => {
    const job = buildExample(pytorchPlugin, 'pytorch');
    expect(job.metadata?.name).toBe('rk8f2p-train-0');
    expect(replica(job, 'pytorchReplicaSpecs', 'Worker')['replicas']).toBe(4);
    const w = templateOf(replica(job, 'pytorchReplicaSpecs', 'Worker')).containers[0] ?? {};
    expect(w['image']).toBe('ghcr.io/example/trainer:v1-cuda');
    expect(w['args']).toEqual(['--epochs', '10', '--output', 's3://ml-bucket/runs/rk8f2p/train/0']);
    expect(specOf(job)['runPolicy']).toEqual({
      cleanPodPolicy: 'Running',
      backoffLimit: 2,
      activeDeadlineSeconds: 86400,
      ttlSecondsAfterFinished: 3600,
    });
  });

  it('tensorflow.yaml: chief, workers and a parameter server', () => {
    const job = buildExample(tensorflowPlugin, 'tensorflow');
    expect(Object.keys(specOf(job)['tfReplicaSpecs'] as object)).toEqual(['Chief', 'Worker', 'PS']);
  });

  it('mpi.yaml: a launcher and three workers with two slots each', () => {
    const job = buildExample(mpiPlugin, 'mpi');
    expect(specOf(job)['slotsPerWorker']).toBe(2);
  });
});

describe('registration and the plugins.kf-operator section', () => {
  it('the registry routes the three task types to the three plugins', () => {
    const reg = builtInRegistry();
    if (E.isLeft(reg)) throw new Error('the built-in registry does not build');
    for (const p of [pytorchPlugin, tensorflowPlugin, mpiPlugin]) {
      expect(O.toUndefined(R.lookupByTaskType(p.id)(reg.right))?.id).toBe(p.id);
      expect(R.lookupByKind(p.watches)(reg.right).map((x) => x.id)).toEqual([p.id]);
    }
  });

  it('decodes plugins.kf-operator.timeout strictly, with the 1m default', () => {
    const ok = loadPlatformConfig('p.yaml', 'plugins:\n  kf-operator:\n    timeout: 5m\n');
    if (E.isLeft(ok)) throw new Error(JSON.stringify(ok.left));
    expect(readPluginConfig(kfOperatorSection, ok.right).timeout).toBe(300_000);
    expect(readPluginConfig(kfOperatorSection, defaultPlatformConfig).timeout).toBe(60_000);
    expect(E.isLeft(loadPlatformConfig('p.yaml', 'plugins:\n  kf-operator:\n    timout: 5m\n'))).toBe(true);
    expect(E.isLeft(loadPlatformConfig('p.yaml', 'plugins:\n  kf-operator:\n    timeout: soon\n'))).toBe(
      true,
    );
  });
});
