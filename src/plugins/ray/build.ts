// The ray plugin's buildResource: a RayJob whose head, worker and submitter pods come from the pod plugin's construction.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as RA from 'fp-ts/lib/ReadonlyArray.js';
import type { PathSegment } from '../../domain/codec.js';
import type { KubeObject, PodSpec } from '../../domain/kubernetes.js';
import { dns1123LabelError } from '../../domain/names.js';
import { setOwn } from '../../domain/own-keys.js';
import { checkExecutionMetadata } from '../../domain/object-metadata.js';
import { badTaskSpecification, type BuildContext, type BuildError } from '../../domain/plugin.js';
import { buildRawPod, enforcePodSecurity, resourceProblem } from '../pod/build/index.js';
import {
  CUSTOM_PATH,
  decodePayload,
  guardBuild,
  podTemplate,
  type PodTemplateSpec,
  resourceMetadata,
} from '../crd/index.js';
import { decodeBase64Utf8 } from './base64.js';
import { rayConfigOf, type RayConfig } from './config.js';
import { buildGroupPod } from './group-pod.js';
import type { AutoscalerOptions, HeadGroupSpec, RayJobPayload, WorkerGroupSpec } from './payload.js';
import { RayJobPayload as RayJobPayloadC } from './payload.js';

export { HEAD_CONTAINER, overlaySpec, WORKER_CONTAINER } from './group-pod.js';

type Path = ReadonlyArray<PathSegment>;

export const RAY_API_VERSION = 'ray.io/v1';
export const RAY_JOB_KIND = 'RayJob';
export const SUBMITTER_CONTAINER = 'ray-job-submitter';
const CUSTOM = CUSTOM_PATH;

// -------------------------------------------------------------------------------------
// start parameters (copied, never aliased: Flyte #7860)
// -------------------------------------------------------------------------------------

const withDefaults = (
  given: Readonly<Record<string, string>>,
  extra: ReadonlyArray<readonly [string, string | undefined]>,
): Record<string, string> => {
  const out: Record<string, string> = { ...given };
  for (const [k, v] of extra) if (v !== undefined && v !== '' && !Object.hasOwn(out, k)) setOwn(out, k, v);
  return out;
};

export const headStartParams = (cfg: RayConfig, head: HeadGroupSpec | undefined): Record<string, string> =>
  withDefaults(head?.rayStartParams ?? cfg.defaults.headNode.startParameters, [
    ['include-dashboard', String(cfg.includeDashboard)],
    ['node-ip-address', cfg.defaults.headNode.ipAddress],
    ['dashboard-host', cfg.dashboardHost],
    ['disable-usage-stats', cfg.enableUsageStats ? undefined : 'true'],
  ]);

export const workerStartParams = (cfg: RayConfig, group: WorkerGroupSpec): Record<string, string> =>
  withDefaults(group.rayStartParams ?? cfg.defaults.workerNode.startParameters, [
    ['node-ip-address', cfg.defaults.workerNode.ipAddress],
    ['disable-usage-stats', cfg.enableUsageStats ? undefined : 'true'],
  ]);

// -------------------------------------------------------------------------------------
// the submitter, the autoscaler, the runtime env
// -------------------------------------------------------------------------------------

/** KubeRay's default submitter resources; the submitter only runs `ray job submit`, so it stays small. */
const SUBMITTER_RESOURCES = {
  limits: { cpu: '1', memory: '1Gi' },
  requests: { cpu: '500m', memory: '200Mi' },
} as const;

const submitterTemplate = (ctx: BuildContext, image: string | undefined): PodTemplateSpec => {
  const k8s = ctx.config.plugins.k8s;
  const affinity = k8s['default-affinity'];
  const spec: PodSpec = {
    containers: [
      {
        name: SUBMITTER_CONTAINER,
        ...(image === undefined ? {} : { image }),
        resources: {
          limits: { ...SUBMITTER_RESOURCES.limits },
          requests: { ...SUBMITTER_RESOURCES.requests },
        },
      },
    ],
    restartPolicy: 'Never',
    enableServiceLinks: false,
    ...(k8s['default-tolerations'].length === 0 ? {} : { tolerations: [...k8s['default-tolerations']] }),
    ...(affinity === undefined ? {} : { affinity }),
  };
  return podTemplate(ctx, {}, enforcePodSecurity(spec, k8s['pod-security-standard']));
};

const upscaling = { DEFAULT: 'Default', AGGRESSIVE: 'Aggressive', CONSERVATIVE: 'Conservative' } as const;

const autoscalerOptionsOf = (
  o: AutoscalerOptions,
  at: Path,
): E.Either<BuildError, Record<string, unknown>> => {
  const resources = o.resources;
  if (resources !== undefined) {
    const problem = resourceProblem(resources);
    if (problem !== undefined) {
      return E.left(badTaskSpecification(problem.message, [...at, 'resources', ...problem.path]));
    }
  }
  const mode =
    o.upscalingMode === undefined || o.upscalingMode === 'UNSPECIFIED'
      ? undefined
      : upscaling[o.upscalingMode];
  return E.right({
    ...(o.idleTimeoutSeconds !== undefined && o.idleTimeoutSeconds > 0
      ? { idleTimeoutSeconds: o.idleTimeoutSeconds }
      : {}),
    ...(mode === undefined ? {} : { upscalingMode: mode }),
    ...(o.image === undefined || o.image === '' ? {} : { image: o.image }),
    ...(resources === undefined
      ? {}
      : {
          resources: {
            ...(resources.limits === undefined ? {} : { limits: { ...resources.limits } }),
            ...(resources.requests === undefined ? {} : { requests: { ...resources.requests } }),
          },
        }),
    env: (o.env ?? []).map((kv) => ({ name: kv.key ?? '', value: kv.value ?? '' })),
  });
};

/**
 * The runtime env as KubeRay's runtimeEnvYAML: the payload's YAML, else the deprecated base64 JSON, written as JSON
 * (which YAML reads as is, so no YAML printer is needed in the pure core).
 */
const runtimeEnvOf = (p: RayJobPayload): E.Either<BuildError, string | undefined> => {
  if (p.runtimeEnvYaml !== undefined && p.runtimeEnvYaml !== '') return E.right(p.runtimeEnvYaml);
  if (p.runtimeEnv === undefined || p.runtimeEnv === '') return E.right(undefined);
  const at: Path = [...CUSTOM, 'runtimeEnv'];
  const text = decodeBase64Utf8(p.runtimeEnv);
  if (text === undefined) return E.left(badTaskSpecification('expected base64 of a JSON object', at));
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return E.left(
        badTaskSpecification('expected base64 of a JSON object, got base64 of another JSON value', at),
      );
    }
    return E.right(JSON.stringify(parsed));
  } catch {
    return E.left(
      badTaskSpecification('expected base64 of a JSON object, got base64 of text that is not JSON', at),
    );
  }
};

const SAFE_WORD = /^[A-Za-z0-9_\-./:=@%+,]+$/;

/** A shell word: KubeRay hands the entrypoint to a shell, so arguments with spaces or quotes are quoted. */
export const shellWord = (s: string): string => (SAFE_WORD.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

// -------------------------------------------------------------------------------------
// worker groups
// -------------------------------------------------------------------------------------

/** A worker group's name: a DNS label, given, and not one of the groups before it. */
const groupNameOf = (
  g: WorkerGroupSpec,
  before: ReadonlyArray<WorkerGroupSpec>,
  at: Path,
): E.Either<BuildError, string> => {
  const name = g.groupName ?? '';
  const nameError = name === '' ? 'missing, a worker group needs a name' : dns1123LabelError(name);
  if (nameError !== undefined) return E.left(badTaskSpecification(nameError, [...at, 'groupName']));
  return before.some((b) => b.groupName === name)
    ? E.left(
        badTaskSpecification(`the worker group name ${JSON.stringify(name)} is used twice`, [
          ...at,
          'groupName',
        ]),
      )
    : E.right(name);
};

const replicaCounts = (g: WorkerGroupSpec, at: Path): E.Either<BuildError, WorkerGroupSpec> => {
  const negative = (['replicas', 'minReplicas', 'maxReplicas'] as const).find((k) => (g[k] ?? 0) < 0);
  return negative === undefined
    ? E.right(g)
    : E.left(badTaskSpecification('expected a number of 0 or more', [...at, negative]));
};

const workerGroupsOf = (
  ctx: BuildContext,
  cfg: RayConfig,
  groups: ReadonlyArray<WorkerGroupSpec>,
): E.Either<BuildError, ReadonlyArray<Record<string, unknown>>> =>
  pipe(
    groups,
    RA.traverseWithIndex(E.Applicative)((i, g) => {
      const at: Path = [...CUSTOM, 'rayCluster', 'workerGroupSpec', i];
      return pipe(
        E.Do,
        E.apS('name', groupNameOf(g, groups.slice(0, i), at)),
        E.apFirst(replicaCounts(g, at)),
        E.bind('pod', () => buildGroupPod(ctx, cfg, 'worker', g, at)),
        E.map(({ name, pod }) => {
          const replicas = g.replicas ?? 0;
          return {
            groupName: name,
            replicas,
            minReplicas: Math.min(g.minReplicas ?? 0, replicas),
            maxReplicas: Math.max(g.maxReplicas ?? 0, replicas),
            rayStartParams: workerStartParams(cfg, g),
            template: pod.template,
          };
        }),
      );
    }),
  );

// -------------------------------------------------------------------------------------
// the RayJob
// -------------------------------------------------------------------------------------

/** Decodes task.custom as Flyte's RayJob message. */
export const decodeRayPayload = decodePayload(RayJobPayloadC);

const clusterOf = (p: RayJobPayload) =>
  p.rayCluster === undefined
    ? E.left(
        badTaskSpecification('missing, a Ray task describes its cluster in rayCluster', [
          ...CUSTOM,
          'rayCluster',
        ]),
      )
    : E.right(p.rayCluster);

const entrypointOf = (commandLine: ReadonlyArray<string>): E.Either<BuildError, string> => {
  const entrypoint = commandLine.map(shellWord).join(' ');
  return entrypoint === ''
    ? E.left(
        badTaskSpecification('missing, the container command or args are the Ray job entrypoint', [
          'task',
          'container',
          'args',
        ]),
      )
    : E.right(entrypoint);
};

const ttlOf = (p: RayJobPayload, cfg: RayConfig): E.Either<BuildError, number> => {
  const ttl = p.ttlSecondsAfterFinished ?? cfg.ttlSecondsAfterFinished;
  return ttl < 0 || !Number.isInteger(ttl)
    ? E.left(
        badTaskSpecification('expected a whole number of seconds, 0 or more', [
          ...CUSTOM,
          'ttlSecondsAfterFinished',
        ]),
      )
    : E.right(ttl);
};

/**
 * The RayJob for a ray task (spec 6): head and worker groups built by the pod plugin's construction, start
 * parameters with config defaults, the submitter pod in K8sJobMode, shutdown and TTL. Deterministic: no clock.
 */
export const buildRayJob = (ctx: BuildContext): E.Either<BuildError, KubeObject> => {
  const cfg = rayConfigOf(ctx.config);
  return pipe(
    checkExecutionMetadata(ctx),
    E.flatMap(() => decodeRayPayload(ctx.task.task.custom)),
    E.bindTo('p'),
    E.bind('cluster', ({ p }) => clusterOf(p)),
    E.bind('base', () => buildRawPod(ctx)),
    E.bind('head', ({ cluster }) =>
      buildGroupPod(ctx, cfg, 'head', cluster.headGroupSpec ?? {}, [
        ...CUSTOM,
        'rayCluster',
        'headGroupSpec',
      ]),
    ),
    E.bind('entrypoint', ({ head }) => entrypointOf(head.commandLine)),
    E.bind('workers', ({ cluster }) => workerGroupsOf(ctx, cfg, cluster.workerGroupSpec ?? [])),
    E.bind('autoscalerOptions', ({ cluster }) =>
      cluster.autoscalerOptions === undefined
        ? E.right(undefined)
        : autoscalerOptionsOf(cluster.autoscalerOptions, [...CUSTOM, 'rayCluster', 'autoscalerOptions']),
    ),
    E.bind('runtimeEnv', ({ p }) => runtimeEnvOf(p)),
    E.bind('ttl', ({ p }) => ttlOf(p, cfg)),
    E.map(({ p, cluster, base, head, entrypoint, workers, autoscalerOptions, runtimeEnv, ttl }) => {
      // Bug 10: the payload decides each field it states; config defaults fill the rest. KubeRay rejects a TTL
      // without shutdown, so a job that keeps its cluster carries none.
      const shutdown = p.shutdownAfterJobFinishes ?? cfg.shutdownAfterJobFinishes;
      const mode = cfg.submissionMode === '' ? 'K8sJobMode' : cfg.submissionMode;
      const headImage = head.template.spec.containers[0]?.image;
      return {
        apiVersion: RAY_API_VERSION,
        kind: RAY_JOB_KIND,
        metadata: resourceMetadata(base),
        spec: {
          entrypoint,
          ...(runtimeEnv === undefined ? {} : { runtimeEnvYAML: runtimeEnv }),
          shutdownAfterJobFinishes: shutdown,
          ...(shutdown ? { ttlSecondsAfterFinished: ttl } : {}),
          submissionMode: mode,
          ...(mode === 'K8sJobMode' ? { submitterPodTemplate: submitterTemplate(ctx, headImage) } : {}),
          rayClusterSpec: {
            headGroupSpec: {
              serviceType: cfg.serviceType,
              enableIngress: true,
              rayStartParams: headStartParams(cfg, cluster.headGroupSpec),
              template: head.template,
            },
            ...(workers.length === 0 ? {} : { workerGroupSpecs: workers }),
            enableInTreeAutoscaling: cluster.enableAutoscaling ?? false,
            ...(autoscalerOptions === undefined ? {} : { autoscalerOptions }),
          },
        },
      };
    }),
  );
};

/** buildRayJob, with any unexpected exception turned into a build error (inputs are checked, so it is a bug). */
export const buildResource = guardBuild('the RayJob', buildRayJob);

/** The identity object: an empty RayJob the manager names. */
export const buildIdentityResource = (_ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.right({ apiVersion: RAY_API_VERSION, kind: RAY_JOB_KIND, metadata: {} });
