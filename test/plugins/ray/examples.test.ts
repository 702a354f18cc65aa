// The Ray example tasks build into RayJobs showing what each is about (the CRD check: test/crds).
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig, loadTaskExecution } from '../../../src/app/inputs.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import { rayPlugin } from '../../../src/plugins/ray/plugin.js';
import type { Json } from './fixtures.js';

const load = <A>(file: string, f: (file: string, text: string) => E.Either<unknown, A>): A => {
  const r = f(file, readFileSync(file, 'utf8'));
  if (E.isLeft(r)) throw new Error(`${file}: ${JSON.stringify(r.left)}`);
  return r.right;
};

const render = (name: string): Json => {
  const config = load('examples/platform.yaml', loadPlatformConfig);
  const ctx: BuildContext = { task: load(`examples/ray/${name}.yaml`, loadTaskExecution), config };
  const r = rayPlugin.buildResource(ctx);
  if (E.isLeft(r)) throw new Error(`${name}: ${JSON.stringify(r.left)}`);
  const job = addObjectMetadata(ctx, rayPlugin.properties, r.right);
  expect(job.metadata?.name?.length).toBeLessThanOrEqual(47);
  return job;
};

describe('examples/ray', () => {
  it('train: the command line with its inputs is the entrypoint; a runtime env; a 10-minute TTL', () => {
    const job = render('train');
    expect(job.spec.entrypoint).toBe(
      'python -m trainer --epochs 5 --output-prefix s3://ml-bucket/runs/rx7k2a/train/0',
    );
    expect(job.spec.runtimeEnvYAML).toContain('xgboost');
    expect(job.spec.ttlSecondsAfterFinished).toBe(600);
    expect(job.spec.rayClusterSpec.workerGroupSpecs[0]).toMatchObject({
      groupName: 'workers',
      replicas: 2,
      minReplicas: 1,
      maxReplicas: 4,
    });
  });

  it('gpu-workers: proto field names; the GPU group alone gets the accelerator and the autoscaler is on', () => {
    const job = render('gpu-workers');
    const cluster = job.spec.rayClusterSpec as Json;
    expect(cluster.enableInTreeAutoscaling).toBe(true);
    expect(cluster.autoscalerOptions).toMatchObject({
      upscalingMode: 'Conservative',
      idleTimeoutSeconds: 120,
    });
    const gpu = (cluster.workerGroupSpecs as Json[])[0] as Json;
    expect(gpu.template.metadata.labels['pool']).toBe('gpu');
    expect(JSON.stringify(gpu.template.spec)).toContain('nvidia-l4');
    expect(JSON.stringify(cluster.headGroupSpec.template.spec)).not.toContain('nvidia-l4');
  });
});
