// Richer fast-check arbitraries for pod construction: pod tasks, overrides, accelerators, templates and platform configs.
import fc from 'fast-check';
import type { Container, PodSpec } from '../domain/kubernetes.js';
import type { Affinity, NodeSelectorRequirement, Toleration } from '../domain/core-v1/scheduling.js';
import type { SecurityContext } from '../domain/core-v1/security.js';
import type { BuildContext } from '../domain/plugin.js';
import { defaultPlatformConfig, type PlatformConfig } from '../domain/platform-config.js';
import type { PodTemplate, TaskExecution } from '../domain/task.js';
import { arbDnsLabel } from './arbitraries.js';

// -------------------------------------------------------------------------------------
// Kubernetes pieces
// -------------------------------------------------------------------------------------

const keyLabel = fc.constantFrom('pool', 'zone', 'example.com/tier', 'gpu', 'spot');
const valueLabel = fc.constantFrom('a', 'b', 'blue', 'large', 'true');

/**
 * A valid toleration over a handful of keys and values, so generated tolerations often collide and merges get
 * exercised.
 */
export const arbToleration: fc.Arbitrary<Toleration> = fc.oneof(
  fc.record({
    key: keyLabel,
    operator: fc.constant('Equal'),
    value: valueLabel,
    effect: fc.constantFrom('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
  }),
  fc.record({
    key: keyLabel,
    operator: fc.constant('Exists'),
    effect: fc.constantFrom('NoSchedule', 'NoExecute'),
  }),
);

/** A valid node label test over a handful of keys and values, so generated requirements often collide. */
export const arbNodeSelectorRequirement: fc.Arbitrary<NodeSelectorRequirement> = fc.oneof(
  fc.record({
    key: keyLabel,
    operator: fc.constantFrom('In', 'NotIn'),
    values: fc.array(valueLabel, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ key: keyLabel, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);

/** A node affinity with one or two required terms, the shape platform configs and task templates use. */
export const arbAffinity: fc.Arbitrary<Affinity> = fc
  .array(fc.array(arbNodeSelectorRequirement, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 })
  .map((terms) => ({
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })),
      },
    },
  }));

const arbStringMap = fc.dictionary(keyLabel, valueLabel, { maxKeys: 2 });

/** A container security context that every Pod Security Standard profile accepts (or leaves to be filled). */
export const arbCompliantSecurityContext: fc.Arbitrary<SecurityContext> = fc.record(
  {
    runAsUser: fc.integer({ min: 1000, max: 2000 }),
    allowPrivilegeEscalation: fc.constant(false),
    readOnlyRootFilesystem: fc.boolean(),
    capabilities: fc.constant({ drop: ['ALL'] }),
  },
  { requiredKeys: [] },
);

// -------------------------------------------------------------------------------------
// resources: what one source writes, always consistent (request ≤ limit; GPUs equal)
// -------------------------------------------------------------------------------------

interface Sides {
  readonly requests?: Record<string, string>;
  readonly limits?: Record<string, string>;
}

const arbSide = (unit: string, max: number): fc.Arbitrary<{ req?: string; lim?: string }> =>
  fc
    .tuple(
      fc.integer({ min: 1, max }),
      fc.integer({ min: 1, max }),
      fc.constantFrom('both', 'request', 'limit'),
    )
    .map(([a, b, which]) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      return which === 'both'
        ? { req: `${lo}${unit}`, lim: `${hi}${unit}` }
        : which === 'request'
          ? { req: `${lo}${unit}` }
          : { lim: `${hi}${unit}` };
    });

/** Resources as a task writes them: cpu, memory, ephemeral storage and GPUs, each request ≤ its limit. */
export const arbConsistentResources: fc.Arbitrary<Sides> = fc
  .record(
    {
      cpu: arbSide('m', 8000),
      memory: arbSide('Mi', 16_384),
      'ephemeral-storage': arbSide('Gi', 50),
      gpu: fc
        .tuple(fc.integer({ min: 1, max: 4 }), fc.constantFrom('both', 'request', 'limit'))
        .map(([n, which]) => ({
          ...(which === 'limit' ? {} : { req: String(n) }),
          ...(which === 'request' ? {} : { lim: String(n) }),
        })),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const requests: Record<string, string> = {};
    const limits: Record<string, string> = {};
    for (const [name, side] of Object.entries(r)) {
      if (side.req !== undefined) requests[name] = side.req;
      if (side.lim !== undefined) limits[name] = side.lim;
    }
    return {
      ...(Object.keys(requests).length === 0 ? {} : { requests }),
      ...(Object.keys(limits).length === 0 ? {} : { limits }),
    };
  });

// -------------------------------------------------------------------------------------
// containers and pod specs
// -------------------------------------------------------------------------------------

const ENV_NAMES = ['TZ', 'HOME', 'MODE', 'LOG_LEVEL', 'DATA_DIR'];
const arbEnvVars = fc.array(
  fc.record({ name: fc.constantFrom(...ENV_NAMES), value: fc.string({ maxLength: 6 }) }),
  {
    maxLength: 4,
  },
);

const arbArgs = fc.array(
  fc.constantFrom(
    '--in={{ .Input }}',
    '{{.OutputPrefix}}',
    '{{ .Namespace }}',
    '{{ .PerRetryUniqueKey }}',
    'run',
    '--x={{.Inputs.n}}',
  ),
  { maxLength: 3 },
);

const arbContainer = (name: string, withImage: boolean): fc.Arbitrary<Container> =>
  fc
    .record(
      {
        image: fc.constantFrom('busybox:1.36', 'python:3.12', 'ghcr.io/example/sidecar:v2'),
        args: arbArgs,
        env: arbEnvVars,
        resources: arbConsistentResources,
        securityContext: arbCompliantSecurityContext,
        volumeMounts: fc.constant([{ name: 'scratch', mountPath: '/scratch' }]),
      },
      { requiredKeys: withImage ? ['image'] : [] },
    )
    .map((c) => ({ name, ...c }) as unknown as Container);

/** Distinct container names. */
const arbNames = (min: number, max: number): fc.Arbitrary<ReadonlyArray<string>> =>
  fc.uniqueArray(arbDnsLabel(10), { minLength: min, maxLength: max });

/** A pod spec as a task or override writes it; containers named from `names`, those in `imageless` maybe without image. */
export const arbPodSpec = (
  names: ReadonlyArray<string>,
  imageless: ReadonlyArray<string> = [],
): fc.Arbitrary<PodSpec> =>
  fc
    .record(
      {
        containers: fc.tuple(...names.map((n) => arbContainer(n, !imageless.includes(n)))),
        tolerations: fc.array(arbToleration, { maxLength: 2 }),
        nodeSelector: arbStringMap,
        affinity: arbAffinity,
        serviceAccountName: fc.constantFrom('task-sa', 'runner'),
        schedulerName: fc.constantFrom('task-scheduler'),
        restartPolicy: fc.constantFrom('Never', 'OnFailure'),
        volumes: fc.constant([{ name: 'scratch', emptyDir: {} }]),
        hostNetwork: fc.constant(false),
      },
      { requiredKeys: ['containers'] },
    )
    .map((s) => s as unknown as PodSpec);

// -------------------------------------------------------------------------------------
// task executions
// -------------------------------------------------------------------------------------

const arbAccelerator = fc
  .record(
    {
      device: fc.constantFrom('A100', 'a100', 'T4', 'H100', 'nvidia-l4', 'v5e'),
      deviceClass: fc.constantFrom('NVIDIA_GPU' as const, 'GOOGLE_TPU' as const, 'AMD_GPU' as const),
      partitionSize: fc.constantFrom('1g.5gb', '3g.20gb', '2x2'),
      unpartitioned: fc.boolean(),
    },
    { requiredKeys: ['device'] },
  )
  .map((a) =>
    a.partitionSize !== undefined && a.unpartitioned === true ? { ...a, unpartitioned: false } : a,
  );

const arbSharedMemory = fc.record(
  {
    mountName: fc.constant('dshm'),
    mountPath: fc.constant('/dev/shm'),
    sizeLimit: fc.constantFrom('1Gi', '512Mi'),
  },
  { requiredKeys: ['mountName', 'mountPath'] },
);

const arbExtended = fc.record(
  { gpuAccelerator: arbAccelerator, sharedMemory: arbSharedMemory },
  { requiredKeys: [] },
);

/**
 * A valid pod-plugin task execution of every shape: a container task, a pod task (sidecars), or both (a container
 * with a pod template), with optional overrides (resources, image, accelerator, shared memory, pod template),
 * interruptibility, io paths and inputs so every template variable has a value.
 */
export const arbPodTaskExecution: fc.Arbitrary<TaskExecution> = fc
  .record({
    shape: fc.constantFrom('container', 'pod', 'both'),
    type: fc.constantFrom('container', 'python', 'raw-container', 'sidecar'),
    names: arbNames(1, 3),
    image: fc.constantFrom('python:3.12', 'ghcr.io/example/trainer:v1'),
    taskEnv: arbEnvVars,
    taskResources: arbConsistentResources,
    args: arbArgs,
    run: arbDnsLabel(12),
    action: arbDnsLabel(12),
    attempt: fc.integer({ min: 0, max: 3 }),
    namespace: fc.constantFrom('team-a', 'team-b'),
    interruptible: fc.option(fc.boolean(), { nil: undefined }),
    environment: fc.dictionary(fc.constantFrom(...ENV_NAMES, 'EXTRA'), fc.string({ maxLength: 5 }), {
      maxKeys: 2,
    }),
    extended: fc.option(arbExtended, { nil: undefined }),
    overrides: fc.record(
      {
        resources: arbConsistentResources,
        containerImage: fc.constantFrom('override/image:v9'),
        extendedResources: arbExtended,
        podTemplate: fc.record({ sidecar: arbDnsLabel(8), replacePrimary: fc.boolean() }),
      },
      { requiredKeys: [] },
    ),
    podTemplateName: fc.option(fc.constantFrom('base', 'gpu'), { nil: undefined }),
    labels: fc.dictionary(arbDnsLabel(8), arbDnsLabel(8), { maxKeys: 2 }),
  })
  .chain((r) =>
    fc
      .record({
        spec: arbPodSpec(r.names, r.shape === 'pod' ? [] : r.names.slice(0, 1)),
        overrideSpec: arbPodSpec([r.overrides.podTemplate?.sidecar ?? 'side']),
      })
      .map(({ spec, overrideSpec }) => ({ r, spec, overrideSpec })),
  )
  .map(({ r, spec, overrideSpec }): TaskExecution => {
    const primary = r.names[0] ?? 'main';
    const container = {
      image: r.image,
      args: r.args,
      env: r.taskEnv,
      resources: r.taskResources,
    };
    const podTemplate: PodTemplate = { spec, primaryContainerName: primary };
    const o = r.overrides;
    const overridePodTemplate: PodTemplate | undefined =
      o.podTemplate === undefined
        ? undefined
        : o.podTemplate.replacePrimary && r.shape !== 'container'
          ? {
              spec: {
                ...overrideSpec,
                containers: overrideSpec.containers.map((c) => ({ ...c, name: primary })),
              },
            }
          : { spec: { containers: overrideSpec.containers.filter((c) => !r.names.includes(c.name)) } };
    return {
      task: {
        id: { name: 'train', project: 'demo', domain: 'dev', version: 'v1' },
        type: r.type,
        metadata: {
          retries: 1,
          ...(r.interruptible === undefined ? {} : { interruptible: r.interruptible }),
          ...(r.podTemplateName === undefined ? {} : { podTemplateName: r.podTemplateName }),
        },
        ...(r.shape === 'pod' ? {} : { container }),
        ...(r.shape === 'container' ? {} : { podTemplate }),
        ...(r.extended === undefined ? {} : { extendedResources: r.extended }),
      },
      execution: {
        id: { run: r.run, action: r.action, project: 'demo', domain: 'dev' },
        namespace: r.namespace,
        attempt: r.attempt,
        labels: r.labels,
        environment: r.environment,
        ownerReference: {
          apiVersion: 'kubetasks.dev/v1alpha1',
          kind: 'TaskAction',
          name: r.run,
          uid: 'uid-1',
          controller: true,
        },
        io: {
          inputPrefix: 's3://bucket/{{ .Namespace }}/inputs',
          outputPrefix: 's3://bucket/out',
        },
        inputs: { n: 3 },
        overrides: {
          ...(o.resources === undefined ? {} : { resources: o.resources }),
          ...(o.containerImage === undefined ? {} : { containerImage: o.containerImage }),
          ...(o.extendedResources === undefined ? {} : { extendedResources: o.extendedResources }),
          ...(overridePodTemplate === undefined ? {} : { podTemplate: overridePodTemplate }),
        },
      },
    };
  });

// -------------------------------------------------------------------------------------
// platform configs and template stores
// -------------------------------------------------------------------------------------

/** A platform config exercising every pod-construction setting, with a random Pod Security Standard profile. */
export const arbPodPlatformConfig: fc.Arbitrary<PlatformConfig> = fc
  .record({
    defaultCpus: fc.constantFrom('250m', '1', '2'),
    defaultMemory: fc.constantFrom('256Mi', '1Gi'),
    envVars: fc.dictionary(fc.constantFrom('TZ', 'REGION', 'MODE'), fc.constantFrom('UTC', 'eu', 'x'), {
      maxKeys: 2,
    }),
    envFromSecrets: fc.array(fc.constantFrom('platform-secrets'), { maxLength: 1 }),
    envFromConfigMaps: fc.array(fc.constantFrom('platform-config'), { maxLength: 1 }),
    tolerations: fc.array(arbToleration, { maxLength: 2 }),
    nodeSelector: arbStringMap,
    affinity: fc.option(arbAffinity, { nil: undefined }),
    scheduler: fc.constantFrom('', 'volcano'),
    interruptibleTolerations: fc.array(arbToleration, { maxLength: 1 }),
    interruptibleSelector: arbStringMap,
    interruptibleReq: fc.option(arbNodeSelectorRequirement, { nil: undefined }),
    nonInterruptibleReq: fc.option(arbNodeSelectorRequirement, { nil: undefined }),
    resourceTolerations: fc.boolean(),
    extendedTolerations: fc.boolean(),
    pullPolicy: fc.constantFrom('' as const, 'IfNotPresent' as const, 'Always' as const),
    podSecurityContext: fc.option(
      fc.record({ runAsUser: fc.integer({ min: 1000, max: 3000 }), fsGroup: fc.constant(2000) }),
      {
        nil: undefined,
      },
    ),
    securityContext: fc.option(fc.record({ readOnlyRootFilesystem: fc.boolean() }), { nil: undefined }),
    dns: fc.option(fc.record({ nameservers: fc.constant(['10.0.0.10']).map((a) => [...a]) }), {
      nil: undefined,
    }),
    profile: fc.constantFrom('none' as const, 'baseline' as const, 'restricted' as const),
    defaultTemplate: fc.constantFrom('', 'base'),
    serviceAccount: fc.constantFrom('', 'executor-default'),
  })
  .map((r): PlatformConfig => {
    const k8s = defaultPlatformConfig.plugins.k8s;
    return {
      ...defaultPlatformConfig,
      plugins: {
        ...defaultPlatformConfig.plugins,
        k8s: {
          ...k8s,
          'default-cpus': r.defaultCpus,
          'default-memory': r.defaultMemory,
          'default-env-vars': r.envVars,
          'default-env-from-secrets': r.envFromSecrets,
          'default-env-from-configmaps': r.envFromConfigMaps,
          'default-tolerations': r.tolerations,
          'default-node-selector': r.nodeSelector,
          'scheduler-name': r.scheduler,
          'interruptible-tolerations': r.interruptibleTolerations,
          'interruptible-node-selector': r.interruptibleSelector,
          'resource-tolerations': r.resourceTolerations
            ? { 'nvidia.com/gpu': [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] }
            : {},
          'add-tolerations-for-extended-resources': r.extendedTolerations
            ? ['nvidia.com/gpu', 'google.com/tpu']
            : [],
          'image-pull-policy': r.pullPolicy,
          'pod-security-standard': r.profile,
          ...(r.affinity === undefined ? {} : { 'default-affinity': r.affinity }),
          ...(r.interruptibleReq === undefined
            ? {}
            : { 'interruptible-node-selector-requirement': r.interruptibleReq }),
          ...(r.nonInterruptibleReq === undefined
            ? {}
            : { 'non-interruptible-node-selector-requirement': r.nonInterruptibleReq }),
          ...(r.podSecurityContext === undefined
            ? {}
            : { 'default-pod-security-context': r.podSecurityContext }),
          ...(r.securityContext === undefined ? {} : { 'default-security-context': r.securityContext }),
          ...(r.dns === undefined ? {} : { 'default-pod-dns-config': r.dns }),
          ...(r.defaultTemplate === '' ? {} : { 'default-pod-template-name': r.defaultTemplate }),
        },
      },
      executor: { ...defaultPlatformConfig.executor, 'default-k8s-service-account': r.serviceAccount },
    };
  });

/** Base templates named "base" and "gpu" in the platform's namespace and team-a, using the magic container names. */
export const arbPodTemplateStore: fc.Arbitrary<ReadonlyMap<string, ReadonlyMap<string, PodTemplate>>> = fc
  .record({
    tolerations: fc.array(arbToleration, { maxLength: 2 }),
    nodeSelector: arbStringMap,
    env: arbEnvVars,
    resources: arbConsistentResources,
    scheduler: fc.option(fc.constantFrom('template-scheduler'), { nil: undefined }),
    serviceAccount: fc.option(fc.constantFrom('template-sa'), { nil: undefined }),
    affinity: fc.option(arbAffinity, { nil: undefined }),
    labels: fc.dictionary(arbDnsLabel(6), arbDnsLabel(6), { maxKeys: 2 }),
  })
  .map((r) => {
    const template: PodTemplate = {
      metadata: { labels: r.labels, annotations: { 'example.com/from-template': 'yes' } },
      spec: {
        containers: [
          { name: 'default', env: r.env, securityContext: { readOnlyRootFilesystem: true } },
          { name: 'primary', resources: r.resources, volumeMounts: [{ name: 'cache', mountPath: '/cache' }] },
        ],
        volumes: [{ name: 'cache', emptyDir: {} }],
        tolerations: r.tolerations,
        nodeSelector: r.nodeSelector,
        priorityClassName: 'batch',
        ...(r.scheduler === undefined ? {} : { schedulerName: r.scheduler }),
        ...(r.serviceAccount === undefined ? {} : { serviceAccountName: r.serviceAccount }),
        ...(r.affinity === undefined ? {} : { affinity: r.affinity }),
      },
    };
    const gpu: PodTemplate = {
      spec: { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] },
    };
    return new Map([
      [
        '',
        new Map([
          ['base', template],
          ['gpu', gpu],
        ]),
      ],
      ['team-a', new Map([['base', template]])],
    ]);
  });

/** Everything pod construction reads: a pod task, a rich platform config and a base template store. */
export const arbBuildContext: fc.Arbitrary<BuildContext> = fc
  .record({ task: arbPodTaskExecution, config: arbPodPlatformConfig, podTemplates: arbPodTemplateStore })
  .map((r) => ({ ...r, processEnv: { HOME: '/root' } }));
