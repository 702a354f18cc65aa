// RayJobs that must build, named: build.test.ts checks their fields, test/crds/ray.test.ts KubeRay's CRD.
import type { BuildContext } from '../../../src/domain/plugin.js';
import { ctxOf, rayConfig, rayCustom, rayTask } from './fixtures.js';

/**
 * The built RayJobs the field-by-field tests look at. A case added here is also checked against KubeRay's CRD, so a
 * job the plugin builds but the API server would refuse cannot pass unnoticed.
 */
export const rayBuilds = {
  'the default job': ctxOf(rayTask()),
  'min and max replicas clamped around replicas': ctxOf(
    rayTask({
      rayCluster: { workerGroupSpec: [{ groupName: 'w', replicas: 3, minReplicas: 5, maxReplicas: 1 }] },
    }),
  ),
  'the autoscaler options': ctxOf(
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
  'a group k8sPod laid over the renamed container': ctxOf(
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
  'the logs sidecar on the head': ctxOf(
    rayTask(),
    rayConfig({ plugins: { ray: { logsSidecar: { name: 'fluentbit', image: 'fluent/fluent-bit:3' } } } }),
  ),
  'a group with its own accelerator': ctxOf(
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
} as const satisfies Readonly<Record<string, BuildContext>>;

/** Shutdown and TTL from the payload and the platform config (Flyte bug 10 fixed), with what the RayJob says. */
export interface TtlCase {
  readonly payload: Record<string, unknown>;
  readonly config: Record<string, unknown>;
  readonly shutdown: boolean;
  readonly ttl: number | undefined;
}

/** The shutdown and TTL table; every row also builds a RayJob the CRD must accept. */
export const ttlCases: ReadonlyArray<TtlCase> = [
  { payload: {}, config: {}, shutdown: true, ttl: 3600 },
  { payload: { shutdownAfterJobFinishes: true }, config: {}, shutdown: true, ttl: 3600 },
  {
    payload: { shutdownAfterJobFinishes: true, ttlSecondsAfterFinished: 0 },
    config: {},
    shutdown: true,
    ttl: 0,
  },
  { payload: { shutdownAfterJobFinishes: false }, config: {}, shutdown: false, ttl: undefined },
  { payload: { ttlSecondsAfterFinished: 60 }, config: {}, shutdown: true, ttl: 60 },
  { payload: {}, config: { shutdownAfterJobFinishes: false }, shutdown: false, ttl: undefined },
  {
    payload: { shutdownAfterJobFinishes: true },
    config: { shutdownAfterJobFinishes: false, ttlSecondsAfterFinished: 10 },
    shutdown: true,
    ttl: 10,
  },
];

/** The task of a TTL row: its payload over the default one, its config as plugins.ray. */
export const ttlContext = (c: TtlCase): BuildContext =>
  ctxOf(rayTask(rayCustom(c.payload)), rayConfig({ plugins: { ray: c.config } }));

/** Each submission mode the platform config may name, and the mode the RayJob gets ("" being the default). */
export const submissionModes = [
  ['', 'K8sJobMode'],
  ['K8sJobMode', 'K8sJobMode'],
  ['HTTPMode', 'HTTPMode'],
  ['SidecarMode', 'SidecarMode'],
] as const;

/** The default task under a platform config naming `mode`. */
export const submissionModeContext = (mode: string): BuildContext =>
  ctxOf(rayTask(), rayConfig({ plugins: { ray: { submissionMode: mode } } }));

/** Every case above, named, for suites that check each built RayJob as a whole. */
export const allRayBuilds: ReadonlyArray<readonly [string, BuildContext]> = [
  ...Object.entries(rayBuilds),
  ...ttlCases.map(
    (c) =>
      [
        `shutdown and TTL from payload ${JSON.stringify(c.payload)} and config ${JSON.stringify(c.config)}`,
        ttlContext(c),
      ] as const,
  ),
  ...submissionModes.map(([mode]) => [`submission mode "${mode}"`, submissionModeContext(mode)] as const),
];
