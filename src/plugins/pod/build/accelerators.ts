// Accelerators and shared memory: device classes, GPU node selection, partition labels and the /dev/shm volume.
import * as E from 'fp-ts/lib/Either.js';
import type { PathSegment } from '../../../domain/codec.js';
import type {
  Container,
  NodeSelectorRequirement,
  PodSpec,
  Toleration,
  Volume,
  VolumeMount,
} from '../../../domain/kubernetes.js';
import { dns1123LabelError, labelValueError } from '../../../domain/names.js';
import type { AcceleratorDeviceClassConfig, K8sPluginConfig } from '../../../domain/platform-config.js';
import { buildError, type BuildContext, type BuildError } from '../../../domain/plugin.js';
import { ownValue } from '../../../domain/own-keys.js';
import * as Q from '../../../domain/quantity.js';
import type { GpuAccelerator, SharedMemory } from '../../../domain/task.js';
import { jsonEqual } from './json.js';

// -------------------------------------------------------------------------------------
// extended resources: the task's, with the override's sub-objects replacing whole ones
// -------------------------------------------------------------------------------------

/** A value with the path of the task-file field it came from. */
export interface Sourced<A> {
  readonly value: A;
  readonly path: ReadonlyArray<PathSegment>;
}

export interface ExtendedResourceChoice {
  readonly accelerator?: Sourced<GpuAccelerator>;
  readonly sharedMemory?: Sourced<SharedMemory>;
}

/** The task's extended resources; an override's accelerator or shared memory replaces the task's whole (spec 3.3). */
export const extendedResourcesOf = (ctx: BuildContext): ExtendedResourceChoice => {
  const task = ctx.task.task.extendedResources;
  const override = ctx.task.execution.overrides?.extendedResources;
  const pick = <K extends 'gpuAccelerator' | 'sharedMemory'>(
    key: K,
  ): Sourced<NonNullable<NonNullable<typeof task>[K]>> | undefined => {
    const o = override?.[key];
    if (o !== undefined) return { value: o, path: ['execution', 'overrides', 'extendedResources', key] };
    const t = task?.[key];
    return t === undefined ? undefined : { value: t, path: ['task', 'extendedResources', key] };
  };
  const accelerator = pick('gpuAccelerator');
  const sharedMemory = pick('sharedMemory');
  return {
    ...(accelerator === undefined ? {} : { accelerator }),
    ...(sharedMemory === undefined ? {} : { sharedMemory }),
  };
};

// -------------------------------------------------------------------------------------
// accelerator configuration
// -------------------------------------------------------------------------------------

export const DEFAULT_DEVICE_CLASS = 'NVIDIA_GPU';

/** The effective settings of one accelerator: the global GPU settings, overridden by its device class's. */
export interface AcceleratorSettings {
  readonly resourceName: string;
  readonly deviceLabel: string;
  readonly partitionLabel: string;
  readonly unpartitionedRequirement?: NodeSelectorRequirement;
  readonly unpartitionedToleration?: Toleration;
  readonly podTemplate?: NonNullable<AcceleratorDeviceClassConfig['pod-template']>;
}

/** Looks a key up exactly, then without regard to case (Flyte upper-cases keys, and then misses `L40s`). */
const lookupFold = <A>(map: Readonly<Record<string, A>>, key: string): A | undefined => {
  const exact = ownValue(map, key);
  if (exact !== undefined) return exact;
  const upper = key.toUpperCase();
  const found = Object.keys(map).find((k) => k.toUpperCase() === upper);
  return found === undefined ? undefined : map[found];
};

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : s);

/**
 * The settings that apply to one accelerator request: its device class's (the request's, else NVIDIA_GPU)
 * layered over the global GPU settings of `plugins.k8s`, so a class only states where it differs.
 */
export const acceleratorSettings = (
  k8s: K8sPluginConfig,
  accelerator: GpuAccelerator | undefined,
): AcceleratorSettings => {
  const cls =
    accelerator === undefined
      ? undefined
      : lookupFold(k8s['accelerator-device-classes'], accelerator.deviceClass ?? DEFAULT_DEVICE_CLASS);
  const unpartitionedRequirement =
    cls?.['unpartitioned-node-selector-requirement'] ?? k8s['gpu-unpartitioned-node-selector-requirement'];
  const unpartitionedToleration = cls?.['unpartitioned-toleration'] ?? k8s['gpu-unpartitioned-toleration'];
  const podTemplate = cls?.['pod-template'];
  return {
    resourceName: nonEmpty(cls?.['resource-name']) ?? k8s['gpu-resource-name'],
    deviceLabel: nonEmpty(cls?.['device-node-label']) ?? k8s['gpu-device-node-label'],
    partitionLabel: nonEmpty(cls?.['partition-size-node-label']) ?? k8s['gpu-partition-size-node-label'],
    ...(unpartitionedRequirement === undefined ? {} : { unpartitionedRequirement }),
    ...(unpartitionedToleration === undefined ? {} : { unpartitionedToleration }),
    ...(podTemplate === undefined ? {} : { podTemplate }),
  };
};

/** Every resource name that counts as an accelerator: the legacy GPU name and each device class's. */
export const acceleratorResourceNames = (k8s: K8sPluginConfig): ReadonlySet<string> =>
  new Set([
    k8s['gpu-resource-name'],
    ...Object.values(k8s['accelerator-device-classes']).flatMap((c) => {
      const n = nonEmpty(c['resource-name']);
      return n === undefined ? [] : [n];
    }),
  ]);

/** The node label value for a device: accelerator-devices, matched without regard to case, else the device as is. */
export const normalizeDevice = (k8s: K8sPluginConfig, device: string): string =>
  lookupFold(k8s['accelerator-devices'], device) ?? device;

const containersOf = (spec: PodSpec): ReadonlyArray<Container> => [
  ...(spec.initContainers ?? []),
  ...spec.containers,
];

/** Resource names any container or init container requests or limits. */
export const resourceNamesUsed = (spec: PodSpec): ReadonlyArray<string> =>
  [
    ...new Set(
      containersOf(spec).flatMap((c) => [
        ...Object.keys(c.resources?.requests ?? {}),
        ...Object.keys(c.resources?.limits ?? {}),
      ]),
    ),
  ].sort();

export interface GpuScheduling {
  readonly requirements: ReadonlyArray<NodeSelectorRequirement>;
  readonly tolerations: ReadonlyArray<Toleration>;
  /** Object labels (the MIG slice count). */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Label put on a pod that asks for an NVIDIA MIG partition, holding the partition's slice count (`3` for
 * `3g.40gb`); other partition sizes get no such label.
 */
export const GPU_PARTITION_SLICES_LABEL = 'platform.union.ai/gpu-partition-slices';

const migPattern = /^(\d+)g\.\d+gb$/;

/**
 * Node requirements, tolerations and labels for an accelerator (spec 3.8), or none when no container uses an
 * accelerator resource. Unlike Flyte, requests count as much as limits and init containers as much as containers.
 */
export const gpuScheduling = (
  ctx: BuildContext,
  spec: PodSpec,
  accelerator: Sourced<GpuAccelerator> | undefined,
  settings: AcceleratorSettings,
): E.Either<BuildError, GpuScheduling> => {
  const none: GpuScheduling = { requirements: [], tolerations: [], labels: {} };
  if (accelerator === undefined) return E.right(none);
  const k8s = ctx.config.plugins.k8s;
  const names = acceleratorResourceNames(k8s);
  if (!resourceNamesUsed(spec).some((n) => names.has(n))) return E.right(none);
  const a = accelerator.value;
  const device = normalizeDevice(k8s, a.device);
  const deviceProblem = labelValueError(device);
  if (deviceProblem !== undefined) {
    return E.left(
      buildError(
        'BadTaskSpecification',
        `the device ${JSON.stringify(device)} is not a valid node label value (${deviceProblem}); name a known device or a label value`,
        [...accelerator.path, 'device'],
      ),
    );
  }
  const requirements: NodeSelectorRequirement[] = [
    { key: settings.deviceLabel, operator: 'In', values: [device] },
  ];
  const tolerations: Toleration[] = [
    { key: settings.deviceLabel, operator: 'Equal', value: device, effect: 'NoSchedule' },
  ];
  const labels: Record<string, string> = {};
  if (a.partitionSize !== undefined && a.unpartitioned === true) {
    return E.left(
      buildError('BadTaskSpecification', 'set either partitionSize or unpartitioned: true, not both', [
        ...accelerator.path,
        'unpartitioned',
      ]),
    );
  }
  if (a.partitionSize !== undefined) {
    const sizeProblem = labelValueError(a.partitionSize);
    if (sizeProblem !== undefined) {
      return E.left(
        buildError('BadTaskSpecification', `not a valid node label value: ${sizeProblem}`, [
          ...accelerator.path,
          'partitionSize',
        ]),
      );
    }
    requirements.push({ key: settings.partitionLabel, operator: 'In', values: [a.partitionSize] });
    tolerations.push({
      key: settings.partitionLabel,
      operator: 'Equal',
      value: a.partitionSize,
      effect: 'NoSchedule',
    });
    const mig = migPattern.exec(a.partitionSize);
    if (mig?.[1] !== undefined) labels[GPU_PARTITION_SLICES_LABEL] = mig[1];
  } else if (a.unpartitioned === true) {
    requirements.push(
      settings.unpartitionedRequirement ?? { key: settings.partitionLabel, operator: 'DoesNotExist' },
    );
    if (settings.unpartitionedToleration !== undefined) tolerations.push(settings.unpartitionedToleration);
  }
  return E.right({ requirements, tolerations, labels });
};

/** plugins.k8s.resource-tolerations for every resource any container uses, in resource-name order. */
export const resourceTolerations = (k8s: K8sPluginConfig, spec: PodSpec): ReadonlyArray<Toleration> =>
  resourceNamesUsed(spec).flatMap((n) => k8s['resource-tolerations'][n] ?? []);

/**
 * An Exists/NoSchedule toleration for each resource in add-tolerations-for-extended-resources that some container
 * requests, in name order (Flyte applies this only outside the pod plugin).
 */
export const extendedResourceTolerations = (
  k8s: K8sPluginConfig,
  spec: PodSpec,
): ReadonlyArray<Toleration> => {
  const requested = new Set(containersOf(spec).flatMap((c) => Object.keys(c.resources?.requests ?? {})));
  return [...new Set(k8s['add-tolerations-for-extended-resources'])]
    .filter((n) => requested.has(n))
    .sort()
    .map((key): Toleration => ({ key, operator: 'Exists', effect: 'NoSchedule' }));
};

// -------------------------------------------------------------------------------------
// shared memory
// -------------------------------------------------------------------------------------

/**
 * Mounts a memory-backed emptyDir on the primary container (spec 3.8). Without a size limit the volume has none
 * (Flyte writes an explicit zero). An identical volume and mount already present count as done, so this is
 * idempotent; anything else already using the name or path is an error naming the task field.
 */
export const applySharedMemory = (
  spec: PodSpec,
  primaryName: string,
  sm: Sourced<SharedMemory> | undefined,
): E.Either<BuildError, PodSpec> => {
  if (sm === undefined) return E.right(spec);
  const { mountName, mountPath, sizeLimit } = sm.value;
  const at = (field: string): ReadonlyArray<PathSegment> => [...sm.path, field];
  const fail = (field: string, message: string) =>
    E.left(buildError('BadTaskSpecification', message, at(field)));
  if (mountName === '') return fail('mountName', 'mount name is not set');
  const nameProblem = dns1123LabelError(mountName);
  if (nameProblem !== undefined) return fail('mountName', `not a valid volume name: ${nameProblem}`);
  if (mountPath === '') return fail('mountPath', 'mount path is not set');
  if (sizeLimit !== undefined) {
    const q = Q.parse(sizeLimit);
    if (E.isLeft(q) || Q.sign(q.right) < 0)
      return fail('sizeLimit', `expected a non-negative quantity, got ${JSON.stringify(sizeLimit)}`);
  }
  const volume: Volume = {
    name: mountName,
    emptyDir: { medium: 'Memory', ...(sizeLimit === undefined ? {} : { sizeLimit }) },
  };
  const mount: VolumeMount = { name: mountName, mountPath };
  const primary = spec.containers.find((c) => c.name === primaryName);
  if (primary === undefined)
    return fail('mountName', `the primary container ${JSON.stringify(primaryName)} is not in the pod`);
  const existingVolume = (spec.volumes ?? []).find((v) => v.name === mountName);
  if (existingVolume !== undefined && !jsonEqual(existingVolume, volume)) {
    return fail('mountName', `a volume is already named ${JSON.stringify(mountName)} in the pod spec`);
  }
  const mounts = primary.volumeMounts ?? [];
  const sameName = mounts.find((m) => m.name === mountName);
  const samePath = mounts.find((m) => m.mountPath === mountPath);
  if (sameName !== undefined && !jsonEqual(sameName, mount)) {
    return fail(
      'mountName',
      `a volume named ${JSON.stringify(mountName)} is already mounted in container ${JSON.stringify(primaryName)}`,
    );
  }
  if (samePath !== undefined && !jsonEqual(samePath, mount)) {
    return fail('mountPath', `${mountPath} is already mounted in container ${JSON.stringify(primaryName)}`);
  }
  const containers = spec.containers.map((c) =>
    c.name === primaryName && sameName === undefined ? { ...c, volumeMounts: [...mounts, mount] } : c,
  );
  const volumes = existingVolume === undefined ? [...(spec.volumes ?? []), volume] : spec.volumes;
  return E.right({ ...spec, containers, ...(volumes === undefined ? {} : { volumes }) });
};
