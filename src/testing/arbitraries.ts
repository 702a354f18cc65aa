// fast-check arbitraries for task executions, platform configs, quantities and phase infos.
import fc from 'fast-check';
import { phases, type Phase } from '../domain/phase.js';
import type { ExecutionError, PhaseInfo, TaskInfo } from '../domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../domain/platform-config.js';
import type { TaskExecution } from '../domain/task.js';

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

/** A DNS-1123 label of 1..max characters. */
export const arbDnsLabel = (max = 20): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom(...ALNUM),
      fc.string({
        unit: fc.constantFrom(...ALNUM, '-'),
        maxLength: Math.max(0, max - 2),
      }),
      fc.constantFrom(...ALNUM),
    )
    .map(([a, mid, b]) => (mid.length === 0 && max === 1 ? a : `${a}${mid}${b}`));

/** A Kubernetes quantity as users write it: "500m", "2", "1Gi", "1.5", "100Ki". */
export const arbQuantityString: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0, max: 64_000 }), fc.constantFrom('', 'm', 'k', 'M', 'G', 'Ki', 'Mi', 'Gi'))
    .map(([n, s]) => `${n}${s}`),
  fc.tuple(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 9 })).map(([a, b]) => `${a}.${b}`),
);

/** CPU/memory/GPU resource lists. */
export const arbResourceList: fc.Arbitrary<Record<string, string>> = fc.record(
  {
    cpu: fc.tuple(fc.integer({ min: 1, max: 16_000 })).map(([n]) => `${n}m`),
    memory: fc.tuple(fc.integer({ min: 1, max: 65_536 })).map(([n]) => `${n}Mi`),
    gpu: fc.integer({ min: 1, max: 8 }).map(String),
    'ephemeral-storage': fc.integer({ min: 1, max: 100 }).map((n) => `${n}Gi`),
  },
  { requiredKeys: [] },
);

const arbLabels = fc.dictionary(arbDnsLabel(10), arbDnsLabel(10), { maxKeys: 3 });

const arbEnvName = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/);

/** A valid task execution of a container task, with random optional parts. */
export const arbTaskExecution: fc.Arbitrary<TaskExecution> = fc
  .record({
    name: arbDnsLabel(15),
    type: fc.constantFrom('container', 'python', 'raw-container'),
    image: fc.constantFrom('python:3.12', 'busybox:1.36', 'ghcr.io/example/trainer:v1'),
    command: fc.array(fc.constantFrom('python', '-m', 'app', '{{ .Input }}', '{{.OutputPrefix}}'), {
      maxLength: 3,
    }),
    args: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
    env: fc.array(fc.record({ name: arbEnvName, value: fc.string({ maxLength: 8 }) }), { maxLength: 3 }),
    requests: arbResourceList,
    limits: arbResourceList,
    retries: fc.integer({ min: 0, max: 5 }),
    interruptible: fc.boolean(),
    run: arbDnsLabel(20),
    action: arbDnsLabel(20),
    attempt: fc.integer({ min: 0, max: 5 }),
    namespace: arbDnsLabel(20),
    labels: arbLabels,
    annotations: arbLabels,
    environment: fc.dictionary(arbEnvName, fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  })
  .map((r): TaskExecution => ({
    task: {
      id: { name: r.name },
      type: r.type,
      metadata: { retries: r.retries, interruptible: r.interruptible },
      container: {
        image: r.image,
        command: r.command,
        args: r.args,
        env: r.env,
        resources: { requests: r.requests, limits: r.limits },
      },
    },
    execution: {
      id: { run: r.run, action: r.action },
      namespace: r.namespace,
      attempt: r.attempt,
      labels: r.labels,
      annotations: r.annotations,
      environment: r.environment,
    },
  }));

/** A valid platform config: the defaults with a random selection of settings changed. */
export const arbPlatformConfig: fc.Arbitrary<PlatformConfig> = fc
  .record({
    injectFinalizer: fc.boolean(),
    defaultCpus: fc.constantFrom('500m', '1', '2'),
    defaultMemory: fc.constantFrom('512Mi', '1Gi', '4Gi'),
    labels: arbLabels,
    schedulerName: fc.constantFrom('', 'volcano'),
    pendingTimeout: fc.constantFrom(0, 60_000, 600_000),
    maxSystemFailures: fc.integer({ min: 0, max: 10 }),
  })
  .map((r): PlatformConfig => ({
    ...defaultPlatformConfig,
    plugins: {
      ...defaultPlatformConfig.plugins,
      k8s: {
        ...defaultPlatformConfig.plugins.k8s,
        'inject-finalizer': r.injectFinalizer,
        'default-cpus': r.defaultCpus,
        'default-memory': r.defaultMemory,
        'default-labels': r.labels,
        'scheduler-name': r.schedulerName,
        'pod-pending-timeout': r.pendingTimeout,
      },
    },
    executor: { ...defaultPlatformConfig.executor, 'max-system-failures': r.maxSystemFailures },
  }));

/** Any of Flyte's eleven phases, equally likely. */
export const arbPhase: fc.Arbitrary<Phase> = fc.constantFrom(...phases);

/** A USER or SYSTEM error with a realistic code and a short message, for laws about failure phases. */
export const arbExecutionError: fc.Arbitrary<ExecutionError> = fc.record({
  code: fc.constantFrom('OOMKilled', 'Interrupted', 'ImagePullBackOff', 'PodPendingTimeout', 'Error'),
  kind: fc.constantFrom('USER' as const, 'SYSTEM' as const),
  message: fc.string({ maxLength: 20 }),
});

const arbInstant = fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 });

/**
 * Task info with log links, extra reasons and times in 2020–2030 (epoch milliseconds), optional parts
 * sometimes absent: enough variety to catch a combinator that drops a field.
 */
export const arbTaskInfo: fc.Arbitrary<TaskInfo> = fc.record(
  {
    logs: fc.array(
      fc.record({
        name: fc.string({ maxLength: 8 }),
        uri: fc.webUrl(),
        linkType: fc.constantFrom('EXTERNAL' as const, 'DASHBOARD' as const, 'IDE' as const),
        ready: fc.boolean(),
      }),
      { maxLength: 2 },
    ),
    additionalReasons: fc.array(fc.record({ reason: fc.string({ maxLength: 10 }), occurredAt: arbInstant }), {
      maxLength: 2,
    }),
    externalResources: fc.constant([]),
    occurredAt: arbInstant,
    reportedAt: arbInstant,
  },
  { requiredKeys: ['logs', 'additionalReasons', 'externalResources'] },
);

/** Any PhaseInfo a plugin could return. */
export const arbPhaseInfo: fc.Arbitrary<PhaseInfo> = fc
  .record({
    phase: arbPhase,
    version: fc.nat({ max: 20 }),
    reason: fc.string({ maxLength: 20 }),
    cleanupOnFailure: fc.boolean(),
    info: arbTaskInfo,
    error: fc.option(arbExecutionError, { nil: undefined }),
  })
  .map(({ error, ...rest }) => (error === undefined ? rest : { ...rest, error }));
