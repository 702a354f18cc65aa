// The dask plugin's buildResource: payload decoding, the job runner, scheduler and workers, worker args (CRD: test/crds).
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import { buildResource, workerArgs } from '../../../src/plugins/dask/build.js';
import { daskPlugin } from '../../../src/plugins/dask/plugin.js';
import { arbBuildContext, arbDaskTaskExecution } from '../../../src/testing/index.js';
import { buildDask, buildDaskFails, ctxOf, daskConfig, daskCustom, daskTask } from './fixtures.js';
import type { Json } from './fixtures.js';

const worker = (j: Json): Json => j.spec.cluster.spec.worker as Json;
const scheduler = (j: Json): Json => j.spec.cluster.spec.scheduler as Json;
const runner = (j: Json): Json => j.spec.job as Json;

describe('the DaskJob', () => {
  const job = buildDask(ctxOf(daskTask()));

  it('is a kubernetes.dask.org/v1 DaskJob', () => {
    expect(job.apiVersion).toBe('kubernetes.dask.org/v1');
    expect(job.kind).toBe('DaskJob');
  });

  it('runs the task command in the job runner, never restarted', () => {
    const c = runner(job).spec.containers[0];
    expect(c.name).toBe('job-runner');
    expect(c.command).toEqual(['python', '-m', 'etl']);
    expect(c.args).toEqual(['--date', '2026-01-01']);
    expect(c.image).toBe('ghcr.io/example/etl:1');
    expect(runner(job).spec.restartPolicy).toBe('Never');
  });

  it('runs dask worker in the workers, sized from their limits, restarted always', () => {
    const w = worker(job);
    expect(w.replicas).toBe(2);
    const c = w.spec.containers[0];
    expect(c.name).toBe('dask-worker');
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual([
      'dask',
      'worker',
      '--name',
      '$(DASK_WORKER_NAME)',
      '--nthreads',
      '2',
      '--memory-limit',
      '4Gi',
    ]);
    expect(c.resources).toEqual({
      limits: { cpu: '2', memory: '4Gi' },
      requests: { cpu: '2', memory: '4Gi' },
    });
    expect(w.spec.restartPolicy).toBe('Always');
  });

  it('runs dask scheduler with its ports, readiness probe and NodePort service', () => {
    const s = scheduler(job);
    const c = s.spec.containers[0];
    expect(c.name).toBe('scheduler');
    expect(c.image).toBe('ghcr.io/dask/dask:2024.8.0');
    expect(c.args).toEqual(['dask', 'scheduler']);
    expect(c.ports).toEqual([
      { name: 'tcp-comm', containerPort: 8786, protocol: 'TCP' },
      { name: 'dashboard', containerPort: 8787, protocol: 'TCP' },
    ]);
    expect(c.readinessProbe).toEqual({
      httpGet: { port: 'dashboard' },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      failureThreshold: 30,
    });
    expect(s.service.type).toBe('NodePort');
    expect(s.service.selector).toEqual({
      'dask.org/cluster-name': 'r1-a-0',
      'dask.org/component': 'scheduler',
    });
    expect(s.spec.restartPolicy).toBe('Always');
  });

  it('labels every role for the watch cache and names its primary container', () => {
    for (const [tpl, primary] of [
      [runner(job), 'job-runner'],
      [worker(job), 'dask-worker'],
      [scheduler(job), 'scheduler'],
    ] as const) {
      expect(tpl.metadata.labels[MANAGED_LABEL]).toBe('true');
      expect(tpl.metadata.labels['team']).toBe('data');
      expect(tpl.metadata.annotations['primary_container_name']).toBe(primary);
    }
  });

  it('keeps the scheduler and the job runner off interruptible nodes, unlike the workers', () => {
    const config = daskConfig({
      plugins: {
        k8s: {
          'interruptible-node-selector': { spot: 'true' },
          'interruptible-tolerations': [{ key: 'spot', operator: 'Exists' }],
        },
      },
    });
    const j = buildDask(ctxOf(daskTask(daskCustom(), {}, { interruptible: true }), config));
    expect(worker(j).spec.nodeSelector).toEqual({ spot: 'true' });
    expect(scheduler(j).spec.nodeSelector).toBeUndefined();
    expect(runner(j).spec.nodeSelector).toBeUndefined();
  });

  it('keeps the task resources for roles the payload does not size', () => {
    const j = buildDask(ctxOf(daskTask({ workers: { numberOfWorkers: 1 } })));
    expect(worker(j).spec.containers[0].resources.requests).toEqual({ cpu: '1', memory: '1Gi' });
    expect(scheduler(j).spec.containers[0].image).toBe('ghcr.io/example/etl:1');
  });

  it('tolerates a payload without scheduler or workers (Flyte: 0 workers)', () => {
    const j = buildDask(ctxOf(daskTask(null)));
    expect(worker(j).replicas).toBe(0);
  });
});

describe('worker arguments (Flyte bug 14 fixed)', () => {
  const args = (limits: Record<string, string> | undefined) =>
    workerArgs({ name: 'w', ...(limits === undefined ? {} : { resources: { limits } }) });
  it.each([
    [{ cpu: '2', memory: '4Gi' }, ['--nthreads', '2', '--memory-limit', '4Gi']],
    [{ cpu: '500m' }, ['--nthreads', '1']],
    [{ cpu: '2500m' }, ['--nthreads', '3']],
    [{ memory: '1G' }, ['--memory-limit', '1G']],
    [{}, []],
    [undefined, []],
  ] as const)('limits %j → %j', (limits, extra) => {
    expect(args(limits as Record<string, string> | undefined)).toEqual([
      'dask',
      'worker',
      '--name',
      '$(DASK_WORKER_NAME)',
      ...extra,
    ]);
  });
});

describe('payload decoding', () => {
  it('reads proto names, lowerCamel names and Flyte resource lists alike', () => {
    const camel = buildDask(
      ctxOf(
        daskTask({ workers: { numberOfWorkers: 3, resources: { limits: { cpu: '1', memory: '1Gi' } } } }),
      ),
    );
    const snake = buildDask(
      ctxOf(
        daskTask({
          workers: {
            number_of_workers: '3',
            resources: {
              limits: [
                { name: 'CPU', value: '1' },
                { name: 3, value: '1Gi' },
              ],
            },
          },
        }),
      ),
    );
    expect(snake).toEqual(camel);
  });

  it('names the offending field', () => {
    expect(buildDaskFails(ctxOf(daskTask({ workers: { numberOfWorker: 2 } }))).path).toEqual([
      'task',
      'custom',
      'workers',
      'numberOfWorker',
    ]);
    expect(buildDaskFails(ctxOf(daskTask({ workers: { numberOfWorkers: -1 } }))).path).toEqual([
      'task',
      'custom',
      'workers',
      'numberOfWorkers',
    ]);
    const bad = buildDaskFails(ctxOf(daskTask({ workers: { resources: { limits: { cpu: 'lots' } } } })));
    expect(bad.code).toBe('BadTaskSpecification');
    expect(bad.path?.slice(0, 4)).toEqual(['task', 'custom', 'workers', 'resources']);
  });
});

describe('the dashboard prefix', () => {
  it('comes from the first DASHBOARD link template, without /status', () => {
    const config = daskConfig({
      plugins: {
        dask: {
          logs: {
            templates: [
              {
                'display-name': 'Dask',
                'template-uris': ['https://dask.example.com/{{ .namespace }}/{{ .generatedName }}/status'],
                'link-type': 'DASHBOARD',
              },
            ],
          },
        },
      },
    });
    const j = buildDask(ctxOf(daskTask(), config));
    expect(scheduler(j).spec.containers[0].args).toEqual([
      'dask',
      'scheduler',
      '--dashboard-prefix',
      '/ns/r1-a-0',
    ]);
  });
});

describe('laws over generated dask tasks', () => {
  const arbCtx = arbBuildContext.chain((ctx) =>
    arbDaskTaskExecution(fc.constant(ctx.task)).map((task) => ({ ...ctx, task })),
  );

  test.prop([arbCtx], { numRuns: 40 })('buildResource is deterministic', (ctx) => {
    expect(buildResource(ctx)).toEqual(buildResource(ctx));
  });

  test.prop([fc.anything()])(
    'any payload gets a manifest or a BadTaskSpecification, never a throw',
    (custom) => {
      const r = buildResource(ctxOf(daskTask(custom as never)));
      if (E.isLeft(r)) expect(r.left.code).toBe('BadTaskSpecification');
    },
  );

  it('mostly build (so the laws are not vacuous), with names short enough for the scheduler Service', () => {
    const built = fc.sample(arbCtx, { numRuns: 40, seed: 11 }).filter((ctx) => E.isRight(buildResource(ctx)));
    expect(built.length).toBeGreaterThan(20);
    expect(daskPlugin.properties.generatedNameMaxLength).toBe(53);
  });
});
