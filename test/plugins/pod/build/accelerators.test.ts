// Accelerators and shared memory: the GPU node selection decision table, device classes, tolerations and /dev/shm.
import { describe, expect, it } from 'vitest';
import type { NodeSelectorRequirement, Toleration } from '../../../../src/domain/kubernetes.js';
import type { GpuAccelerator } from '../../../../src/domain/task.js';
import { build, buildFails, config, ctxOf, primaryOf, task } from './fixtures.js';

const gpuTask = (accelerator: GpuAccelerator | undefined, limits: Record<string, string> = { gpu: '1' }) =>
  task({
    container: { image: 'trainer', resources: { limits } },
    ...(accelerator === undefined ? {} : { extendedResources: { gpuAccelerator: accelerator } }),
  });

const requiredOf = (pod: ReturnType<typeof build>): ReadonlyArray<NodeSelectorRequirement> =>
  pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]
    ?.matchExpressions ?? [];

const DEVICE = 'k8s.amazonaws.com/accelerator';
const PARTITION = 'k8s.amazonaws.com/gpu-partition-size';

describe('GPU node selection (decision table)', () => {
  it.each<
    [
      string,
      GpuAccelerator | undefined,
      Record<string, string>,
      string,
      NodeSelectorRequirement[],
      Toleration[],
      Record<string, string>,
    ]
  >([
    [
      'a known device: its node label value, required and tolerated',
      { device: 'A100' },
      { gpu: '1' },
      'nvidia.com/gpu',
      [{ key: DEVICE, operator: 'In', values: ['nvidia-tesla-a100'] }],
      [{ key: DEVICE, operator: 'Equal', value: 'nvidia-tesla-a100', effect: 'NoSchedule' }],
      {},
    ],
    [
      'device names match without regard to case (Flyte misses "L40s")',
      { device: 'l40s' },
      { gpu: '1' },
      'nvidia.com/gpu',
      [{ key: DEVICE, operator: 'In', values: ['nvidia-l40s'] }],
      [{ key: DEVICE, operator: 'Equal', value: 'nvidia-l40s', effect: 'NoSchedule' }],
      {},
    ],
    [
      'an unknown device is used as written',
      { device: 'my-gpu' },
      { gpu: '1' },
      'nvidia.com/gpu',
      [{ key: DEVICE, operator: 'In', values: ['my-gpu'] }],
      [{ key: DEVICE, operator: 'Equal', value: 'my-gpu', effect: 'NoSchedule' }],
      {},
    ],
    [
      'a device named like an Object member is unknown too, used as written',
      { device: 'constructor' },
      { gpu: '1' },
      'nvidia.com/gpu',
      [{ key: DEVICE, operator: 'In', values: ['constructor'] }],
      [{ key: DEVICE, operator: 'Equal', value: 'constructor', effect: 'NoSchedule' }],
      {},
    ],
    [
      'a MIG partition: partition label, toleration and the slice-count label',
      { device: 'A100', partitionSize: '1g.5gb' },
      { gpu: '1' },
      'nvidia.com/gpu',
      [
        { key: DEVICE, operator: 'In', values: ['nvidia-tesla-a100'] },
        { key: PARTITION, operator: 'In', values: ['1g.5gb'] },
      ],
      [
        { key: DEVICE, operator: 'Equal', value: 'nvidia-tesla-a100', effect: 'NoSchedule' },
        { key: PARTITION, operator: 'Equal', value: '1g.5gb', effect: 'NoSchedule' },
      ],
      { 'platform.union.ai/gpu-partition-slices': '1' },
    ],
    [
      'unpartitioned: the partition label must not exist; no toleration unless configured',
      { device: 'H100', unpartitioned: true },
      { gpu: '2' },
      'nvidia.com/gpu',
      [
        { key: DEVICE, operator: 'In', values: ['nvidia-h100'] },
        { key: PARTITION, operator: 'DoesNotExist' },
      ],
      [{ key: DEVICE, operator: 'Equal', value: 'nvidia-h100', effect: 'NoSchedule' }],
      {},
    ],
    [
      'a TPU: its device class names the resource and the labels; a topology is no MIG slice',
      { device: 'V5E', deviceClass: 'GOOGLE_TPU', partitionSize: '2x2' },
      { gpu: '4' },
      'google.com/tpu',
      [
        { key: 'cloud.google.com/gke-tpu-accelerator', operator: 'In', values: ['tpu-v5-lite-podslice'] },
        { key: 'cloud.google.com/gke-tpu-topology', operator: 'In', values: ['2x2'] },
      ],
      [
        {
          key: 'cloud.google.com/gke-tpu-accelerator',
          operator: 'Equal',
          value: 'tpu-v5-lite-podslice',
          effect: 'NoSchedule',
        },
        { key: 'cloud.google.com/gke-tpu-topology', operator: 'Equal', value: '2x2', effect: 'NoSchedule' },
      ],
      {},
    ],
    [
      'an AMD GPU',
      { device: 'MI300X', deviceClass: 'AMD_GPU' },
      { gpu: '8' },
      'amd.com/gpu',
      [{ key: DEVICE, operator: 'In', values: ['amd-mi300x'] }],
      [{ key: DEVICE, operator: 'Equal', value: 'amd-mi300x', effect: 'NoSchedule' }],
      {},
    ],
    [
      'an accelerator but no container uses it: nothing',
      { device: 'A100' },
      { memory: '1Gi' },
      '',
      [],
      [],
      {},
    ],
    [
      'a GPU without an accelerator: the legacy resource name only',
      undefined,
      { gpu: '1' },
      'nvidia.com/gpu',
      [],
      [],
      {},
    ],
  ])('%s', (_name, accelerator, limits, resource, requirements, tolerations, labels) => {
    const pod = build(ctxOf(gpuTask(accelerator, limits)));
    expect(requiredOf(pod)).toEqual(requirements);
    expect(pod.spec?.tolerations ?? []).toEqual(tolerations);
    expect(pod.metadata?.labels ?? {}).toEqual(labels);
    if (resource !== '') {
      expect(primaryOf(pod).resources?.limits?.[resource]).toBe(limits['gpu']);
      expect(primaryOf(pod).resources?.requests?.[resource]).toBe(limits['gpu']);
    }
  });

  it('configured unpartitioned requirement and toleration replace the defaults', () => {
    const pod = build(
      ctxOf(
        gpuTask({ device: 'A10G', unpartitioned: true }),
        config({
          'gpu-unpartitioned-node-selector-requirement': { key: 'mig', operator: 'NotIn', values: ['on'] },
          'gpu-unpartitioned-toleration': {
            key: 'mig',
            operator: 'Equal',
            value: 'off',
            effect: 'NoSchedule',
          },
        }),
      ),
    );
    expect(requiredOf(pod)).toContainEqual({ key: 'mig', operator: 'NotIn', values: ['on'] });
    expect(pod.spec?.tolerations).toContainEqual({
      key: 'mig',
      operator: 'Equal',
      value: 'off',
      effect: 'NoSchedule',
    });
  });

  it('a GPU requested only by an init container still selects GPU nodes (Flyte looks at regular limits only)', () => {
    const pod = build(
      ctxOf(
        task({
          extendedResources: { gpuAccelerator: { device: 'T4' } },
          podTemplate: {
            primaryContainerName: 'main',
            spec: {
              initContainers: [{ name: 'warm', image: 'x', resources: { requests: { gpu: '1' } } }],
              containers: [{ name: 'main', image: 'y' }],
            },
          },
        }),
      ),
    );
    expect(requiredOf(pod)).toEqual([{ key: DEVICE, operator: 'In', values: ['nvidia-tesla-t4'] }]);
  });

  it('the override accelerator replaces the task one whole', () => {
    const pod = build(
      ctxOf(
        task(
          {
            container: { image: 'x', resources: { limits: { gpu: '1' } } },
            extendedResources: { gpuAccelerator: { device: 'A100', partitionSize: '1g.5gb' } },
          },
          { overrides: { extendedResources: { gpuAccelerator: { device: 'H100' } } } },
        ),
      ),
    );
    expect(requiredOf(pod)).toEqual([{ key: DEVICE, operator: 'In', values: ['nvidia-h100'] }]);
  });

  it.each<[string, GpuAccelerator, ReadonlyArray<string | number>]>([
    [
      'a device that is no label value',
      { device: 'A100 80X' },
      ['task', 'extendedResources', 'gpuAccelerator', 'device'],
    ],
    [
      'both a partition size and unpartitioned',
      { device: 'A100', partitionSize: '1g.5gb', unpartitioned: true },
      ['task', 'extendedResources', 'gpuAccelerator', 'unpartitioned'],
    ],
    [
      'a partition size that is no label value',
      { device: 'A100', partitionSize: '1g 5gb' },
      ['task', 'extendedResources', 'gpuAccelerator', 'partitionSize'],
    ],
  ])('refuses %s, naming the field', (_name, accelerator, path) => {
    expect(buildFails(ctxOf(gpuTask(accelerator))).path).toEqual(path);
  });
});

describe('tolerations for resources', () => {
  it('resource-tolerations apply to any resource a container uses; extended-resource tolerations to requested ones', () => {
    const pod = build(
      ctxOf(
        gpuTask(undefined, { gpu: '1' }),
        config({
          'resource-tolerations': {
            'nvidia.com/gpu': [{ key: 'gpu-node', operator: 'Exists', effect: 'NoSchedule' }],
          },
          'add-tolerations-for-extended-resources': ['nvidia.com/gpu', 'example.com/fpga'],
        }),
      ),
    );
    expect(pod.spec?.tolerations).toEqual([
      { key: 'gpu-node', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });
});

describe('device class pod templates', () => {
  it('sit under the base template, which sits under the task', () => {
    const cfg = config({
      'default-pod-template-name': 'base',
      'accelerator-device-classes': {
        NVIDIA_GPU: {
          'resource-name': 'nvidia.com/gpu',
          'pod-template': {
            spec: {
              schedulerName: 'gpu-scheduler',
              priorityClassName: 'gpu',
              tolerations: [{ key: 'dc', operator: 'Exists' }],
            },
          },
        },
      },
    });
    const base = { spec: { priorityClassName: 'base', tolerations: [{ key: 'base', operator: 'Exists' }] } };
    const pod = build(ctxOf(gpuTask({ device: 'A100' }), cfg, { base: base }));
    expect(pod.spec?.schedulerName).toBe('gpu-scheduler');
    expect(pod.spec?.priorityClassName).toBe('base');
    expect(pod.spec?.tolerations?.slice(0, 2)).toEqual([
      { key: 'dc', operator: 'Exists' },
      { key: 'base', operator: 'Exists' },
    ]);
  });
});

describe('shared memory', () => {
  const shmTask = (sm: { mountName: string; mountPath: string; sizeLimit?: string }, spec?: object) =>
    task(
      spec === undefined
        ? { extendedResources: { sharedMemory: sm } }
        : {
            extendedResources: { sharedMemory: sm },
            podTemplate: { primaryContainerName: 'main', spec: spec },
          },
    );

  it('mounts a memory-backed emptyDir on the primary container', () => {
    const pod = build(ctxOf(shmTask({ mountName: 'dshm', mountPath: '/dev/shm', sizeLimit: '2Gi' })));
    expect(pod.spec?.volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } }]);
    expect(primaryOf(pod).volumeMounts).toEqual([{ name: 'dshm', mountPath: '/dev/shm' }]);
  });

  it('leaves the size unset when none is given (Flyte writes an explicit zero)', () => {
    const pod = build(ctxOf(shmTask({ mountName: 'dshm', mountPath: '/dev/shm' })));
    expect(pod.spec?.volumes).toEqual([{ name: 'dshm', emptyDir: { medium: 'Memory' } }]);
  });

  it.each<[string, { mountName: string; mountPath: string }, object, string]>([
    [
      'an empty mount name',
      { mountName: '', mountPath: '/dev/shm' },
      { containers: [{ name: 'main', image: 'x' }] },
      'mountName',
    ],
    [
      'a mount name that is no volume name',
      { mountName: 'Dshm', mountPath: '/dev/shm' },
      { containers: [{ name: 'main', image: 'x' }] },
      'mountName',
    ],
    [
      'an empty mount path',
      { mountName: 'dshm', mountPath: '' },
      { containers: [{ name: 'main', image: 'x' }] },
      'mountPath',
    ],
    [
      'a different volume of that name',
      { mountName: 'dshm', mountPath: '/dev/shm' },
      { containers: [{ name: 'main', image: 'x' }], volumes: [{ name: 'dshm', emptyDir: {} }] },
      'mountName',
    ],
    [
      'another mount at that path',
      { mountName: 'dshm', mountPath: '/data' },
      {
        containers: [{ name: 'main', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
      'mountPath',
    ],
  ])('refuses %s, naming the field', (_name, sm, spec, field) => {
    expect(buildFails(ctxOf(shmTask(sm, spec))).path).toEqual([
      'task',
      'extendedResources',
      'sharedMemory',
      field,
    ]);
  });
});
