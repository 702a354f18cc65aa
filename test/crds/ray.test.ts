// The Ray plugin against KubeRay's real RayJob CRD: examples, built cases, generated tasks, operator statuses.
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { rayOperator } from '../../src/adapters/operators/ray.js';
import { decodePlatformConfigWith } from '../../src/domain/plugin-config.js';
import type { PlatformConfig } from '../../src/domain/platform-config.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { buildResource } from '../../src/plugins/ray/build.js';
import { raySection } from '../../src/plugins/ray/config.js';
import { rayPlugin } from '../../src/plugins/ray/plugin.js';
import { arbBuildContext, arbRayTaskExecution } from '../../src/testing/index.js';
import { buildRay, ctxOf, rayConfig, rayCustom, rayTask } from '../plugins/ray/fixtures.js';
import { crdValidator } from './crd-dir.js';
import { exampleManifests } from './examples.js';
import { operatorStates, SCENARIOS } from './operator-runs.js';

const validate = crdValidator('RayJob', 'v1');

describe('examples/ray', () => {
  const rows = exampleManifests('examples/ray', rayPlugin);

  it('finds the examples', () => {
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });

  it.each(rows)('%s (%s) builds a RayJob the CRD accepts', (_f, _c, make) => {
    expect(validate(make())).toEqual([]);
  });
});

describe('built RayJobs (test/plugins/ray/build.test.ts cases)', () => {
  const ttl: ReadonlyArray<readonly [Record<string, unknown>, Record<string, unknown>]> = [
    [{}, {}],
    [{ shutdownAfterJobFinishes: true }, {}],
    [{ shutdownAfterJobFinishes: true, ttlSecondsAfterFinished: 0 }, {}],
    [{ shutdownAfterJobFinishes: false }, {}],
    [{ ttlSecondsAfterFinished: 60 }, {}],
    [{}, { shutdownAfterJobFinishes: false }],
    [{ shutdownAfterJobFinishes: true }, { shutdownAfterJobFinishes: false, ttlSecondsAfterFinished: 10 }],
  ];
  const cases: ReadonlyArray<readonly [string, () => unknown]> = [
    ['the default job', () => buildRay(ctxOf(rayTask()))],
    [
      'min and max replicas clamped around replicas',
      () =>
        buildRay(
          ctxOf(
            rayTask({
              rayCluster: {
                workerGroupSpec: [{ groupName: 'w', replicas: 3, minReplicas: 5, maxReplicas: 1 }],
              },
            }),
          ),
        ),
    ],
    ...ttl.map(
      ([payload, config]) =>
        [
          `shutdown and TTL from payload ${JSON.stringify(payload)} and config ${JSON.stringify(config)}`,
          () => buildRay(ctxOf(rayTask(rayCustom(payload)), rayConfig({ plugins: { ray: config } }))),
        ] as const,
    ),
    [
      'the autoscaler options',
      () =>
        buildRay(
          ctxOf(
            rayTask({
              rayCluster: {
                enableAutoscaling: true,
                autoscalerOptions: {
                  upscalingMode: 'UPSCALING_MODE_CONSERVATIVE',
                  idleTimeoutSeconds: 0,
                  env: [{ key: 'A', value: '1' }],
                  image: 'ray:autoscaler',
                  resources: {
                    limits: [
                      { name: 'CPU', value: '1' },
                      { name: 'MEMORY', value: '1Gi' },
                    ],
                  },
                },
              },
            }),
          ),
        ),
    ],
    [
      'a group k8sPod laid over the renamed container',
      () =>
        buildRay(
          ctxOf(
            rayTask({
              rayCluster: {
                headGroupSpec: {
                  k8sPod: {
                    metadata: { labels: { tier: 'head' }, annotations: { note: 'x' } },
                    podSpec: {
                      containers: [{ name: 'ray-head', resources: { limits: { cpu: '4', memory: '8Gi' } } }],
                      nodeSelector: { pool: 'head' },
                    },
                  },
                },
              },
            }),
          ),
        ),
    ],
    [
      'the logs sidecar on the head',
      () =>
        buildRay(
          ctxOf(
            rayTask(),
            rayConfig({
              plugins: { ray: { logsSidecar: { name: 'fluentbit', image: 'fluent/fluent-bit:3' } } },
            }),
          ),
        ),
    ],
    [
      'a group with its own accelerator',
      () =>
        buildRay(
          ctxOf(
            rayTask({
              rayCluster: {
                workerGroupSpec: [
                  {
                    groupName: 'gpu',
                    replicas: 1,
                    extendedResources: { gpuAccelerator: { device: 'nvidia-tesla-t4' } },
                    k8sPod: {
                      podSpec: { containers: [{ name: 'ray-worker', resources: { limits: { gpu: '1' } } }] },
                    },
                  },
                ],
              },
            }),
          ),
        ),
    ],
    ...(['', 'K8sJobMode', 'HTTPMode', 'SidecarMode'] as const).map(
      (mode) =>
        [
          `submission mode "${mode}"`,
          () => buildRay(ctxOf(rayTask(), rayConfig({ plugins: { ray: { submissionMode: mode } } }))),
        ] as const,
    ),
  ];

  it.each(cases)('%s: the CRD accepts it', (_, make) => {
    expect(validate(make())).toEqual([]);
  });
});

describe('generated tasks', () => {
  const arbCtx = arbBuildContext.chain((ctx) =>
    arbRayTaskExecution(fc.constant(ctx.task)).map((task) => ({ ...ctx, task })),
  );

  test.prop([arbCtx], { numRuns: 60 })('every built RayJob is accepted by the CRD', (ctx) => {
    const r = buildResource(ctx);
    if (E.isLeft(r)) {
      expect(['BadTaskSpecification', 'PodSecurityViolation', 'MetadataTooLarge']).toContain(r.left.code);
      return;
    }
    expect(validate(r.right)).toEqual([]);
  });
});

describe('the simulated KubeRay writes statuses the CRD accepts', () => {
  const configOf = (ray: Record<string, unknown> = {}): PlatformConfig => {
    const r = decodePlatformConfigWith([raySection])({ plugins: { ray } });
    if (E.isLeft(r)) throw new Error('bad config');
    return r.right;
  };
  const task = (run: string, annotations: Readonly<Record<string, string>>): TaskExecution => ({
    task: {
      id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
      type: 'ray',
      container: { image: 'rayproject/ray:2.40.0', args: ['python', 'train.py'] },
      custom: {
        rayCluster: {
          headGroupSpec: { rayStartParams: { 'num-cpus': '0' } },
          workerGroupSpec: [{ groupName: 'workers', replicas: 2, minReplicas: 2, maxReplicas: 2 }],
        },
      },
    },
    execution: {
      id: { run, action: 'train', project: 'p', domain: 'd' },
      namespace: 'ml',
      annotations,
      labels: { team: 'ml' },
    },
  });
  const scenarios: ReadonlyArray<
    readonly [string, Readonly<Record<string, string>>, Record<string, unknown>]
  > = [
    ...SCENARIOS.map(([name, a]) => [name, a, {}] as const),
    [
      'HTTPMode with a failing driver',
      { 'kubetasks.dev/scenario': 'exit:1' },
      { submissionMode: 'HTTPMode' },
    ],
  ];

  it.each(scenarios.map(([name, a, c], i) => [name, a, c, i] as const))(
    '%s',
    async (_, annotations, ray, i) => {
      const states = await operatorStates({
        namespace: 'ml',
        kind: { apiVersion: 'ray.io/v1', kind: 'RayJob', plural: 'rayjobs', statusSubresource: true },
        operator: rayOperator,
        plugin: rayPlugin,
        task: task(`r${i}`, annotations),
        config: configOf(ray),
      });
      expect(states.some((s) => s['status'] !== undefined)).toBe(true);
      for (const s of states) expect(validate(s)).toEqual([]);
    },
  );
});
