// The pods of a RayJob's head and worker groups: the task's pod by the pod plugin's rules, Ray's container, the overlay.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { PathSegment } from '../../domain/codec.js';
import type { Container, EnvVar, PodSpec } from '../../domain/kubernetes.js';
import { annotationsError, labelsError } from '../../domain/object-metadata.js';
import { buildError, type BuildContext, type BuildError } from '../../domain/plugin.js';
import { serviceAccountOf, type ExtendedResources } from '../../domain/task.js';
import {
  applyPodConfiguration,
  buildRawPod,
  mergeSpecOver,
  mergeValue,
  PRIMARY_CONTAINER_ANNOTATION,
  type RawPod,
} from '../pod/build/index.js';
import { checkPodSpec, issueToBuildError } from '../pod/build/spec-check.js';
import { podTemplate, renamePrimary, type PodTemplateSpec, type RolePod } from '../crd/index.js';
import type { RayConfig } from './config.js';
import type { K8sPod } from './payload.js';

type Path = ReadonlyArray<PathSegment>;

export const HEAD_CONTAINER = 'ray-head';
export const WORKER_CONTAINER = 'ray-worker';

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

const overlayOf = (pod: K8sPod | undefined, at: Path): E.Either<BuildError, Partial<PodSpec> | undefined> =>
  pod?.podSpec === undefined
    ? E.right(undefined)
    : pipe(
        checkPodSpec(pod.podSpec, { requireContainers: false }),
        E.mapLeft((issues) => issueToBuildError(issues, [...at, 'podSpec'])),
      );

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

/** A group's pod template, and the task's command line before the rename (the job's entrypoint). */
export interface GroupPod {
  readonly template: PodTemplateSpec;
  readonly commandLine: ReadonlyArray<string>;
}

/** The task's pod with its primary container made Ray's head or worker container. */
const rayPod = (raw: RawPod, role: 'head' | 'worker'): E.Either<BuildError, RolePod> =>
  renamePrimary(raw, containerOf(role), `the Ray ${role}`, (c) => rayContainer(c, role));

/** The head with the configured logs sidecar, if any. */
const withSidecar = (
  cfg: RayConfig,
  role: 'head' | 'worker',
  spec: PodSpec,
): E.Either<BuildError, PodSpec> => {
  if (role !== 'head' || cfg.logsSidecar === null) return E.right(spec);
  const sidecar = checkPodSpec({ containers: [cfg.logsSidecar] }, { requireContainers: true });
  const container = E.isRight(sidecar) ? sidecar.right.containers[0] : undefined;
  return container === undefined
    ? E.left(buildError('BadTaskSpecification', 'plugins.ray.logsSidecar: expected a container with a name'))
    : E.right(withLogsSidecar(spec, container));
};

const containerOf = (role: 'head' | 'worker'): string =>
  role === 'head' ? HEAD_CONTAINER : WORKER_CONTAINER;

/**
 * A head or worker group's pod: the task's pod (with the group's extended resources) by the pod plugin's rules, its
 * primary container made Ray's, the logs sidecar on the head, the group's k8sPod laid over it, then the platform
 * configuration, the service account and the pod-template metadata policy.
 */
export const buildGroupPod = (
  ctx: BuildContext,
  cfg: RayConfig,
  role: 'head' | 'worker',
  group: { readonly k8sPod?: K8sPod; readonly extendedResources?: ExtendedResources },
  at: Path,
): E.Either<BuildError, GroupPod> => {
  const gctx = groupContext(ctx, group.extendedResources);
  const podAt = [...at, 'k8sPod'];
  const name = containerOf(role);
  const serviceAccount =
    serviceAccountOf(ctx.task) ?? (cfg.serviceAccount === '' ? undefined : cfg.serviceAccount);
  return pipe(
    E.Do,
    E.apS('raw', buildRawPod(gctx)),
    E.bind('ray', ({ raw }) => rayPod(raw, role)),
    E.bind('spec', ({ ray }) => withSidecar(cfg, role, ray.spec)),
    E.bind('overlay', () => overlayOf(group.k8sPod, podAt)),
    E.bind('meta', () => metadataOf(group.k8sPod, podAt)),
    E.bind('configured', ({ raw, spec, overlay, meta }) =>
      applyPodConfiguration(gctx, {
        labels: { ...raw.labels, ...meta.labels },
        annotations: { ...raw.annotations, ...meta.annotations },
        spec: overlay === undefined ? spec : overlaySpec(spec, overlay),
        primaryContainerName: name,
      }),
    ),
    E.map(({ ray, configured }) => ({
      template: podTemplate(
        ctx,
        configured,
        serviceAccount === undefined
          ? configured.spec
          : { ...configured.spec, serviceAccountName: serviceAccount },
        { [PRIMARY_CONTAINER_ANNOTATION]: name },
      ),
      commandLine: [...(ray.primary.command ?? []), ...(ray.primary.args ?? [])],
    })),
  );
};
