// The batch-job examples build into valid Jobs that show the knob each one is about.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { loadPlatformConfig, loadTaskExecution } from '../../../src/app/inputs.js';
import type { Job } from '../../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import { buildJobResource } from '../../../src/plugins/job/build.js';
import { jobPlugin } from '../../../src/plugins/job/plugin.js';
import { validateJob } from './fixtures.js';

const load = <A>(file: string, f: (file: string, text: string) => E.Either<unknown, A>): A => {
  const r = f(file, readFileSync(file, 'utf8'));
  if (E.isLeft(r)) throw new Error(`${file}: ${JSON.stringify(r.left)}`);
  return r.right;
};

const platform = load('examples/platform.yaml', loadPlatformConfig);

const render = (name: string, config = platform): Job => {
  const ctx = { task: load(`examples/job/${name}.yaml`, loadTaskExecution), config };
  const r = buildJobResource(ctx);
  if (E.isLeft(r)) throw new Error(`${name}: ${JSON.stringify(r.left)}`);
  const job = addObjectMetadata(ctx, jobPlugin.properties, r.right);
  validateJob(job);
  return job;
};

describe('examples/job', () => {
  it.each(['retries', 'indexed-shards', 'success-policy'])(
    '%s builds a valid Job with both platform configs',
    (name) => {
      expect(render(name).kind).toBe('Job');
      expect(render(name, defaultPlatformConfig).kind).toBe('Job');
    },
  );

  it("retries: backoffLimit from metadata.retries, the task's own pod failure policy", () => {
    const spec = render('retries').spec!;
    expect(spec.backoffLimit).toBe(2);
    expect(spec.activeDeadlineSeconds).toBe(7200);
    expect(spec.podFailurePolicy?.rules[0]).toEqual({
      action: 'FailJob',
      onExitCodes: { operator: 'In', values: [2] },
    });
    expect(spec.template.spec?.containers[0]?.args ?? spec.template.spec?.containers[0]?.command).toContain(
      '2026-06-01',
    );
  });

  it('indexed-shards: per-index retries from proto names', () => {
    const spec = render('indexed-shards').spec!;
    expect(spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 16,
      parallelism: 4,
      backoffLimitPerIndex: 2,
      maxFailedIndexes: 2,
    });
    expect(spec.backoffLimit).toBeUndefined();
  });

  it('success-policy: the leader decides', () => {
    expect(render('success-policy').spec?.successPolicy).toEqual({ rules: [{ succeededIndexes: '0' }] });
  });
});
