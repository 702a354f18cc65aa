// The Dask example task builds into a DaskJob the operator's CRD accepts, with workers sized by their limits.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig, loadTaskExecution } from '../../../src/app/inputs.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import { daskPlugin } from '../../../src/plugins/dask/plugin.js';
import { crdValidator } from '../crd-schema.js';
import type { Json } from './fixtures.js';

const crd = crdValidator('kubernetes.dask.org_daskjobs.yaml', 'v1');

const load = <A>(file: string, f: (file: string, text: string) => E.Either<unknown, A>): A => {
  const r = f(file, readFileSync(file, 'utf8'));
  if (E.isLeft(r)) throw new Error(`${file}: ${JSON.stringify(r.left)}`);
  return r.right;
};

describe('examples/dask', () => {
  it('etl: the runner runs the command; three workers with --nthreads 2 --memory-limit 4Gi', () => {
    const config = load('examples/platform.yaml', loadPlatformConfig);
    const ctx: BuildContext = { task: load('examples/dask/etl.yaml', loadTaskExecution), config };
    const r = daskPlugin.buildResource(ctx);
    if (E.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const { apiVersion: _a, kind: _k, ...rest } = addObjectMetadata(ctx, daskPlugin.properties, r.right);
    expect(crd(rest)).toEqual([]);
    const job = r.right as Json;
    expect(job.spec.job.spec.containers[0].command).toEqual(['python', '-m', 'etl.daily']);
    expect(job.spec.job.spec.containers[0].args).toEqual(['--date', '2026-11-25']);
    const worker = job.spec.cluster.spec.worker as Json;
    expect(worker.replicas).toBe(3);
    expect(worker.spec.containers[0].args).toEqual([
      'dask',
      'worker',
      '--name',
      '$(DASK_WORKER_NAME)',
      '--nthreads',
      '2',
      '--memory-limit',
      '4Gi',
    ]);
    expect(job.spec.cluster.spec.scheduler.spec.containers[0].image).toBe('ghcr.io/dask/dask:2024.8.0');
  });
});
