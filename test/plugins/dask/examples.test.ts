// The Dask example task builds into a DaskJob with workers sized by their limits (the CRD check: test/crds).
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig, loadTaskExecution } from '../../../src/app/inputs.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import { daskPlugin } from '../../../src/plugins/dask/plugin.js';
import type { Json } from './fixtures.js';

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
