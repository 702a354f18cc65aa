// The ray plugin's buildResource: a RayJob whose head, worker and submitter pods come from the pod plugin's construction.
import * as E from 'fp-ts/lib/Either.js';
import type { PathSegment } from '../../domain/codec.js';
import type { Container, EnvVar, KubeObject, PodSpec } from '../../domain/kubernetes.js';
import { dns1123LabelError } from '../../domain/names.js';
import { setOwn } from '../../domain/own-keys.js';
import {
  annotationsError,
  checkExecutionMetadata,
  labelsError,
  MANAGED_LABEL,
  unionStringMaps,
} from '../../domain/object-metadata.js';
import { badTaskSpecification, buildError, type BuildContext, type BuildError } from '../../domain/plugin.js';
import { serviceAccountOf, type ExtendedResources } from '../../domain/task.js';
import {
  applyPodConfiguration,
  buildRawPod,
  enforcePodSecurity,
  mergeSpecOver,
  mergeValue,
  PRIMARY_CONTAINER_ANNOTATION,
  resourceProblem,
  type RawPod,
} from '../pod/build/index.js';
import { checkPodSpec, issueToBuildError } from '../pod/build/spec-check.js';
import { rayConfigOf, type RayConfig } from './config.js';
import type { AutoscalerOptions, HeadGroupSpec, K8sPod, RayJobPayload, WorkerGroupSpec } from './payload.js';
import { RayJobPayload as RayJobPayloadC } from './payload.js';
import { decodeCustom } from './proto-json.js';
import { decodeBase64Utf8 } from './base64.js';

type Path = ReadonlyArray<PathSegment>;

export const RAY_API_VERSION = 'ray.io/v1';
export const RAY_JOB_KIND = 'RayJob';
export const HEAD_CONTAINER = 'ray-head';
export const WORKER_CONTAINER = 'ray-worker';
export const SUBMITTER_CONTAINER = 'ray-job-submitter';
const CUSTOM: Path = ['task', 'custom'];

/** The pod template of a RayJob's group, as the CRD holds it. */
export interface PodTemplateSpec {
  readonly metadata: {
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec: PodSpec;
}

// -------------------------------------------------------------------------------------
// metadata
// -------------------------------------------------------------------------------------

/**
 * Labels and annotations for a pod template of the custom resource, with the manager's precedence: config defaults
 * < the pod's own < the execution's, plus the managed label so the watch cache holds the operator's pods.
 */
export const templateMetadata = (
  ctx: BuildContext,
  own: {
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  },
): PodTemplateSpec['metadata'] => {
  const k8s = ctx.config.plugins.k8s;
  const labels = unionStringMaps(k8s['default-labels'], own.labels, ctx.task.execution.labels, {
    [MANAGED_LABEL]: 'true',
  });
  const annotations = unionStringMaps(
    k8s['default-annotations'],
    own.annotations,
    ctx.task.execution.annotations,
  );
  return { labels, ...(Object.keys(annotations).length === 0 ? {} : { annotations }) };
};

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
// containers
// -------------------------------------------------------------------------------------

const fieldEnv = (name: string, fieldPath: string): EnvVar => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});
const resourceEnv = (name: string, resource: string): EnvVar => ({
  name,
  valueFrom: { resourceFieldRef: { containerName: WORKER_CONTAINER, resource } },
});

const RAY_PORTS: NonNullable<Container['ports']> = [
  { name: 'redis', containerPort: 6379 },
  { name: 'head', containerPort: 10001 },
  { name: 'dashboard', containerPort: 8265 },
];

const headEnv: ReadonlyArray<EnvVar> = [
  fieldEnv('MY_POD_IP', 'status.podIP'),
  { name: 'RAY_COLOR_PREFIX', value: '0' },
  { name: 'RAY_DATA_DISABLE_PROGRESS_BARS', value: '1' },
];

/** Worker env; MEMORY_* point at memory, where Flyte (copying KubeRay's apiserver) pointed them at cpu. */
const workerEnv: ReadonlyArray<EnvVar> = [
  { name: 'RAY_DISABLE_DOCKER_CPU_WARNING', value: '1' },
  { name: 'TYPE', value: 'worker' },
  resourceEnv('CPU_REQUEST', 'requests.cpu'),
  resourceEnv('CPU_LIMITS', 'limits.cpu'),
  resourceEnv('MEMORY_REQUESTS', 'requests.memory'),
  resourceEnv('MEMORY_LIMITS', 'limits.memory'),
  fieldEnv('MY_POD_NAME', 'metadata.name'),
  fieldEnv('MY_POD_IP', 'status.podIP'),
  { name: 'RAY_COLOR_PREFIX', value: '0' },
  { name: 'RAY_DATA_DISABLE_PROGRESS_BARS', value: '1' },
];

const appendByName = <A extends { readonly name?: string | undefined }>(
  base: ReadonlyArray<A> | undefined,
  extra: ReadonlyArray<A>,
): A[] => {
  const names = new Set(extra.map((x) => x.name));
  return [...(base ?? []).filter((x) => !names.has(x.name)), ...extra];
};

const rayContainer = (c: Container, role: 'head' | 'worker'): Container => {
  const { args: _args, ...rest } = c;
  return {
    ...rest,
    name: role === 'head' ? HEAD_CONTAINER : WORKER_CONTAINER,
    env: appendByName(c.env, role === 'head' ? headEnv : workerEnv),
    ports: appendByName(c.ports, RAY_PORTS),
    ...(role === 'worker'
      ? { lifecycle: { ...c.lifecycle, preStop: { exec: { command: ['/bin/sh', '-c', 'ray stop'] } } } }
      : {}),
  };
};

const RAY_STATE = '/tmp/ray';

/** The logs sidecar shares the head's /tmp/ray read-only (an emptyDir `system-ray-state` when the head has none). */
const withLogsSidecar = (spec: PodSpec, sidecar: Container): PodSpec => {
  const head = spec.containers.find((c) => c.name === HEAD_CONTAINER);
  if (head === undefined) return spec;
  const existing = (head.volumeMounts ?? []).find((m) => m.mountPath === RAY_STATE);
  const mount = existing ?? { name: 'system-ray-state', mountPath: RAY_STATE };
  const volumes =
    existing === undefined
      ? [...(spec.volumes ?? []).filter((v) => v.name !== mount.name), { name: mount.name, emptyDir: {} }]
      : spec.volumes;
  const containers = spec.containers.map((c) =>
    c === head && existing === undefined ? { ...c, volumeMounts: [...(c.volumeMounts ?? []), mount] } : c,
  );
  const readOnly = { ...mount, readOnly: true };
  const sidecarMounts = [...(sidecar.volumeMounts ?? []).filter((m) => m.mountPath !== RAY_STATE), readOnly];
  return {
    ...spec,
    ...(volumes === undefined ? {} : { volumes }),
    containers: [
      ...containers.filter((c) => c.name !== sidecar.name),
      { ...sidecar, volumeMounts: sidecarMounts },
    ],
  };
};

// -------------------------------------------------------------------------------------
// group pods
// -------------------------------------------------------------------------------------

/** The task seen with a group's extended resources laid over the execution's overrides (Flyte rebuilds the pod). */
const groupContext = (ctx: BuildContext, ext: ExtendedResources | undefined): BuildContext => {
  if (ext === undefined) return ctx;
  const execution = ctx.task.execution;
  const overrides = execution.overrides ?? {};
  return {
    ...ctx,
    task: {
      ...ctx.task,
      execution: {
        ...execution,
        overrides: { ...overrides, extendedResources: { ...overrides.extendedResources, ...ext } },
      },
    },
  };
};

const overlayOf = (pod: K8sPod | undefined, at: Path): E.Either<BuildError, Partial<PodSpec> | undefined> => {
  if (pod?.podSpec === undefined) return E.right(undefined);
  const checked = checkPodSpec(pod.podSpec, { requireContainers: false });
  return E.isLeft(checked)
    ? E.left(issueToBuildError(checked.left, [...at, 'podSpec']))
    : E.right(checked.right);
};

const metadataOf = (
  pod: K8sPod | undefined,
  at: Path,
): E.Either<
  BuildError,
  { labels: Readonly<Record<string, string>>; annotations: Readonly<Record<string, string>> }
> => {
  const labels = pod?.metadata?.labels ?? {};
  const annotations = pod?.metadata?.annotations ?? {};
  const e =
    labelsError(labels, [...at, 'metadata', 'labels']) ??
    annotationsError(annotations, [...at, 'metadata', 'annotations']);
  return e === undefined ? E.right({ labels, annotations }) : E.left(e);
};

/**
 * Flyte's MergeOverlayPodSpecOntoBase: the group's pod spec over the task's, a container of the same name merged
 * field by field (so `{name: ray-head, resources: ...}` changes only the head's resources), new containers added.
 */
export const overlaySpec = (base: PodSpec, overlay: Partial<PodSpec>): PodSpec => {
  const mergeList = (
    lower: ReadonlyArray<Container> | undefined,
    higher: ReadonlyArray<Container> | undefined,
  ) => {
    if (higher === undefined) return lower;
    const names = new Set((lower ?? []).map((c) => c.name));
    return [
      ...(lower ?? []).map((c) => {
        const h = higher.find((x) => x.name === c.name);
        return h === undefined ? c : (mergeValue(c, h) as Container);
      }),
      ...higher.filter((c) => !names.has(c.name)),
    ];
  };
  const { containers, initContainers, ...rest } = overlay;
  const merged = mergeSpecOver(base, rest);
  const cs = mergeList(base.containers, containers) ?? [];
  const init = mergeList(base.initContainers, initContainers);
  return { ...merged, containers: [...cs], ...(init === undefined ? {} : { initContainers: [...init] }) };
};

interface GroupPod {
  readonly template: PodTemplateSpec;
  /** The task's command line before the rename, for the job's entrypoint. */
  readonly commandLine: ReadonlyArray<string>;
}

const buildGroupPod = (
  ctx: BuildContext,
  cfg: RayConfig,
  role: 'head' | 'worker',
  group: { readonly k8sPod?: K8sPod; readonly extendedResources?: ExtendedResources },
  at: Path,
): E.Either<BuildError, GroupPod> => {
  const gctx = groupContext(ctx, group.extendedResources);
  const raw = buildRawPod(gctx);
  if (E.isLeft(raw)) return raw;
  const primary = raw.right.spec.containers.find((c) => c.name === raw.right.primaryContainerName);
  if (primary === undefined) {
    return E.left(badTaskSpecification('the task has no primary container', ['task', 'container']));
  }
  const name = role === 'head' ? HEAD_CONTAINER : WORKER_CONTAINER;
  const clash = raw.right.spec.containers.find((c) => c !== primary && c.name === name);
  if (clash !== undefined) {
    return E.left(
      badTaskSpecification(`the container name ${JSON.stringify(name)} is reserved for the Ray ${role}`, [
        'task',
        'podTemplate',
        'spec',
        'containers',
      ]),
    );
  }
  let spec: PodSpec = {
    ...raw.right.spec,
    containers: raw.right.spec.containers.map((c) => (c === primary ? rayContainer(c, role) : c)),
  };
  if (role === 'head' && cfg.logsSidecar !== null) {
    const sidecar = checkPodSpec({ containers: [cfg.logsSidecar] }, { requireContainers: true });
    const container = E.isRight(sidecar) ? sidecar.right.containers[0] : undefined;
    if (container === undefined) {
      return E.left(
        buildError('BadTaskSpecification', 'plugins.ray.logsSidecar: expected a container with a name'),
      );
    }
    spec = withLogsSidecar(spec, container);
  }
  const overlay = overlayOf(group.k8sPod, [...at, 'k8sPod']);
  if (E.isLeft(overlay)) return overlay;
  if (overlay.right !== undefined) spec = overlaySpec(spec, overlay.right);
  const meta = metadataOf(group.k8sPod, [...at, 'k8sPod']);
  if (E.isLeft(meta)) return meta;
  const pod: RawPod = {
    labels: { ...raw.right.labels, ...meta.right.labels },
    annotations: { ...raw.right.annotations, ...meta.right.annotations },
    spec,
    primaryContainerName: name,
  };
  const configured = applyPodConfiguration(gctx, pod);
  if (E.isLeft(configured)) return configured;
  const serviceAccount =
    serviceAccountOf(ctx.task) ?? (cfg.serviceAccount === '' ? undefined : cfg.serviceAccount);
  const finalSpec: PodSpec =
    serviceAccount === undefined
      ? configured.right.spec
      : { ...configured.right.spec, serviceAccountName: serviceAccount };
  return E.right({
    template: {
      metadata: templateMetadata(ctx, {
        labels: configured.right.labels,
        annotations: { ...configured.right.annotations, [PRIMARY_CONTAINER_ANNOTATION]: name },
      }),
      spec: finalSpec,
    },
    commandLine: [...(primary.command ?? []), ...(primary.args ?? [])],
  });
};

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
  return {
    metadata: templateMetadata(ctx, { labels: {}, annotations: {} }),
    spec: enforcePodSecurity(spec, k8s['pod-security-standard']),
  };
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

const workerGroupOf = (
  ctx: BuildContext,
  cfg: RayConfig,
  g: WorkerGroupSpec,
  i: number,
  seen: Set<string>,
): E.Either<BuildError, Record<string, unknown>> => {
  const at: Path = [...CUSTOM, 'rayCluster', 'workerGroupSpec', i];
  const name = g.groupName ?? '';
  const nameError = name === '' ? 'missing, a worker group needs a name' : dns1123LabelError(name);
  if (nameError !== undefined) return E.left(badTaskSpecification(nameError, [...at, 'groupName']));
  if (seen.has(name))
    return E.left(
      badTaskSpecification(`the worker group name ${JSON.stringify(name)} is used twice`, [
        ...at,
        'groupName',
      ]),
    );
  seen.add(name);
  for (const k of ['replicas', 'minReplicas', 'maxReplicas'] as const) {
    const v = g[k];
    if (v !== undefined && v < 0)
      return E.left(badTaskSpecification('expected a number of 0 or more', [...at, k]));
  }
  const replicas = g.replicas ?? 0;
  const pod = buildGroupPod(ctx, cfg, 'worker', g, at);
  if (E.isLeft(pod)) return pod;
  return E.right({
    groupName: name,
    replicas,
    minReplicas: Math.min(g.minReplicas ?? 0, replicas),
    maxReplicas: Math.max(g.maxReplicas ?? 0, replicas),
    rayStartParams: workerStartParams(cfg, g),
    template: pod.right.template,
  });
};

// -------------------------------------------------------------------------------------
// the RayJob
// -------------------------------------------------------------------------------------

export const decodeRayPayload = decodeCustom(RayJobPayloadC, 'Ray job (task.custom)');

/**
 * The RayJob for a ray task (spec 6): head and worker groups built by the pod plugin's construction, start
 * parameters with config defaults, the submitter pod in K8sJobMode, shutdown and TTL. Deterministic: no clock.
 */
export const buildRayJob = (ctx: BuildContext): E.Either<BuildError, KubeObject> => {
  const meta = checkExecutionMetadata(ctx);
  if (E.isLeft(meta)) return meta;
  const payload = decodeRayPayload(ctx.task.task.custom);
  if (E.isLeft(payload)) return payload;
  const p = payload.right;
  const cluster = p.rayCluster;
  if (cluster === undefined) {
    return E.left(
      badTaskSpecification('missing, a Ray task describes its cluster in rayCluster', [
        ...CUSTOM,
        'rayCluster',
      ]),
    );
  }
  const cfg = rayConfigOf(ctx.config);
  const base = buildRawPod(ctx);
  if (E.isLeft(base)) return base;
  const head = buildGroupPod(ctx, cfg, 'head', cluster.headGroupSpec ?? {}, [
    ...CUSTOM,
    'rayCluster',
    'headGroupSpec',
  ]);
  if (E.isLeft(head)) return head;
  const entrypoint = head.right.commandLine.map(shellWord).join(' ');
  if (entrypoint === '') {
    return E.left(
      badTaskSpecification('missing, the container command or args are the Ray job entrypoint', [
        'task',
        'container',
        'args',
      ]),
    );
  }
  const seen = new Set<string>();
  const workers: Record<string, unknown>[] = [];
  for (const [i, g] of (cluster.workerGroupSpec ?? []).entries()) {
    const w = workerGroupOf(ctx, cfg, g, i, seen);
    if (E.isLeft(w)) return w;
    workers.push(w.right);
  }
  let autoscalerOptions: Record<string, unknown> | undefined;
  if (cluster.autoscalerOptions !== undefined) {
    const a = autoscalerOptionsOf(cluster.autoscalerOptions, [...CUSTOM, 'rayCluster', 'autoscalerOptions']);
    if (E.isLeft(a)) return a;
    autoscalerOptions = a.right;
  }
  const runtimeEnv = runtimeEnvOf(p);
  if (E.isLeft(runtimeEnv)) return runtimeEnv;
  const ttl = p.ttlSecondsAfterFinished ?? cfg.ttlSecondsAfterFinished;
  if (ttl < 0 || !Number.isInteger(ttl)) {
    return E.left(
      badTaskSpecification('expected a whole number of seconds, 0 or more', [
        ...CUSTOM,
        'ttlSecondsAfterFinished',
      ]),
    );
  }
  // Bug 10: the payload decides each field it states; config defaults fill the rest. KubeRay rejects a TTL without
  // shutdown, so a job that keeps its cluster carries none.
  const shutdown = p.shutdownAfterJobFinishes ?? cfg.shutdownAfterJobFinishes;
  const mode = cfg.submissionMode === '' ? 'K8sJobMode' : cfg.submissionMode;
  const headImage = head.right.template.spec.containers[0]?.image;
  const spec: Record<string, unknown> = {
    entrypoint,
    ...(runtimeEnv.right === undefined ? {} : { runtimeEnvYAML: runtimeEnv.right }),
    shutdownAfterJobFinishes: shutdown,
    ...(shutdown ? { ttlSecondsAfterFinished: ttl } : {}),
    submissionMode: mode,
    ...(mode === 'K8sJobMode' ? { submitterPodTemplate: submitterTemplate(ctx, headImage) } : {}),
    rayClusterSpec: {
      headGroupSpec: {
        serviceType: cfg.serviceType,
        enableIngress: true,
        rayStartParams: headStartParams(cfg, cluster.headGroupSpec),
        template: head.right.template,
      },
      ...(workers.length === 0 ? {} : { workerGroupSpecs: workers }),
      enableInTreeAutoscaling: cluster.enableAutoscaling ?? false,
      ...(autoscalerOptions === undefined ? {} : { autoscalerOptions }),
    },
  };
  const labels = base.right.labels;
  const annotations = base.right.annotations;
  return E.right({
    apiVersion: RAY_API_VERSION,
    kind: RAY_JOB_KIND,
    metadata: {
      ...(Object.keys(labels).length === 0 ? {} : { labels: { ...labels } }),
      ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
    },
    spec,
  });
};

/** buildRayJob, with any unexpected exception turned into a build error (inputs are checked, so it is a bug). */
export const buildResource = (ctx: BuildContext): E.Either<BuildError, KubeObject> => {
  try {
    return buildRayJob(ctx);
  } catch (e) {
    return E.left(
      buildError(
        'FailedToBuildResource',
        `internal error while building the RayJob: ${e instanceof Error ? e.message : String(e)}`,
      ),
    );
  }
};

/** The identity object: an empty RayJob the manager names. */
export const buildIdentityResource = (_ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.right({ apiVersion: RAY_API_VERSION, kind: RAY_JOB_KIND, metadata: {} });
