// The Dask plugin against dask-kubernetes' real DaskJob CRD: examples, built cases, generated tasks, operator statuses.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { daskOperator } from '../../src/adapters/operators/dask.js';
import { buildResource } from '../../src/plugins/dask/build.js';
import { daskPlugin } from '../../src/plugins/dask/plugin.js';
import { arbBuildContext, arbDaskTaskExecution } from '../../src/testing/index.js';
import { buildDask, ctxOf, daskConfig, daskCustom, daskTask } from '../plugins/dask/fixtures.js';
import { daskTask as task } from '../adapters/operators/tasks.js';
import { crdValidator } from './crd-dir.js';
import { exampleManifests } from './examples.js';
import { operatorStates, SCENARIOS } from './operator-runs.js';

// The dask-kubernetes CRD declares no apiVersion and kind at its root: the check allows them, as the API server does.
const validate = crdValidator('DaskJob', 'v1');

describe('examples/dask', () => {
  const rows = exampleManifests('examples/dask', daskPlugin);

  it('finds the examples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(2);
  });

  it.each(rows)('%s (%s) builds a DaskJob the CRD accepts', (_f, _c, make) => {
    expect(validate(make())).toEqual([]);
  });
});

describe('built DaskJobs (test/plugins/dask/build.test.ts cases)', () => {
  const cases: ReadonlyArray<readonly [string, () => unknown]> = [
    ['the default job', () => buildDask(ctxOf(daskTask()))],
    [
      'an interruptible task: workers on interruptible nodes, scheduler and runner off them',
      () =>
        buildDask(
          ctxOf(
            daskTask(daskCustom(), {}, { interruptible: true }),
            daskConfig({
              plugins: {
                k8s: {
                  'interruptible-node-selector': { spot: 'true' },
                  'interruptible-tolerations': [{ key: 'spot', operator: 'Exists' }],
                },
              },
            }),
          ),
        ),
    ],
    ['a payload without scheduler or workers', () => buildDask(ctxOf(daskTask(null)))],
  ];

  it.each(cases)('%s: the CRD accepts it', (_, make) => {
    expect(validate(make())).toEqual([]);
  });
});

describe('generated tasks', () => {
  const arbCtx = arbBuildContext.chain((ctx) =>
    arbDaskTaskExecution(fc.constant(ctx.task)).map((task) => ({ ...ctx, task })),
  );

  test.prop([arbCtx], { numRuns: 60 })('every built DaskJob is accepted by the CRD', (ctx) => {
    const r = buildResource(ctx);
    if (E.isLeft(r)) {
      expect(['BadTaskSpecification', 'PodSecurityViolation', 'MetadataTooLarge']).toContain(r.left.code);
      return;
    }
    expect(validate(r.right)).toEqual([]);
  });
});

describe('the simulated dask operator writes statuses the CRD accepts', () => {
  it.each(SCENARIOS.map(([name, a], i) => [name, a, i] as const))('%s', async (_, annotations, i) => {
    const states = await operatorStates({
      namespace: 'data',
      kind: {
        apiVersion: 'kubernetes.dask.org/v1',
        kind: 'DaskJob',
        plural: 'daskjobs',
        statusSubresource: true,
      },
      operator: daskOperator,
      plugin: daskPlugin,
      task: task(`d${i}`, annotations),
    });
    expect(states.some((s) => s['status'] !== undefined)).toBe(true);
    for (const s of states) expect(validate(s)).toEqual([]);
  });
});
