// Platform configuration: Flyte's plugins.k8s section plus executor, routing and log-link settings, decoded strictly.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  decode,
  describe,
  NonNegativeInt,
  oneOf,
  StringMap,
  struct,
  withDefault,
  type DecodeIssue,
} from './codec.js';
import { PodDNSConfig } from './core-v1/dns.js';
import { QuantityString } from './core-v1/scalars.js';
import { Affinity, NodeSelectorRequirement, Toleration } from './core-v1/scheduling.js';
import { PodSecurityContext, SecurityContext } from './core-v1/security.js';
import { PodSpecC } from './task.js';
import { DurationFromString } from './time.js';

const Tolerations = t.readonlyArray(Toleration);
const Strings = t.readonlyArray(t.string);

/** Pod Security Standards profile that every built pod must satisfy (kubetasks addition). */
export const PodSecurityProfile = oneOf('PodSecurityProfile', ['none', 'baseline', 'restricted']);
/** A decoded Pod Security Standards profile; `none` checks nothing. */
export type PodSecurityProfile = t.TypeOf<typeof PodSecurityProfile>;

/**
 * An image pull policy as the platform configuration spells it; `''` leaves the choice to Kubernetes
 * (`Always` for `:latest`, else `IfNotPresent`).
 */
export const PullPolicy = oneOf('PullPolicy', ['', 'Always', 'IfNotPresent', 'Never']);

/** Per accelerator device class settings; each set field overrides the global GPU settings. */
export const AcceleratorDeviceClassConfig = struct(
  'AcceleratorDeviceClassConfig',
  {},
  {
    'resource-name': t.string,
    'device-node-label': t.string,
    'partition-size-node-label': t.string,
    'unpartitioned-node-selector-requirement': NodeSelectorRequirement,
    'unpartitioned-toleration': Toleration,
    'pod-template': describe(
      struct('DeviceClassPodTemplate', { spec: PodSpecC }, { metadata: t.UnknownRecord }),
      'A pod template merged under the task pod for this device class.',
    ),
  },
);
/** A decoded device class: only the fields it sets override the global GPU settings. */
export type AcceleratorDeviceClassConfig = t.TypeOf<typeof AcceleratorDeviceClassConfig>;

const DeviceClassMap = t.record(t.string, AcceleratorDeviceClassConfig);

/** Friendly accelerator names (upper-cased for lookup) → node label values. */
export const defaultAcceleratorDevices: Readonly<Record<string, string>> = {
  A10: 'nvidia-a10',
  A10G: 'nvidia-a10g',
  A100: 'nvidia-tesla-a100',
  'A100 80G': 'nvidia-a100-80gb',
  A100G: 'nvidia-a100g',
  B200: 'nvidia-b200',
  GB200: 'nvidia-gb200',
  H100: 'nvidia-h100',
  'H100 MEGA 80G': 'nvidia-h100-mega-80gb',
  H200: 'nvidia-h200',
  K80: 'nvidia-tesla-k80',
  L4: 'nvidia-l4',
  L4_VWS: 'nvidia-l4-vws',
  L40S: 'nvidia-l40s',
  M60: 'nvidia-tesla-m60',
  P4: 'nvidia-tesla-p4',
  P100: 'nvidia-tesla-p100',
  T4: 'nvidia-tesla-t4',
  V100: 'nvidia-tesla-v100',
  V5E: 'tpu-v5-lite-podslice',
  V5P: 'tpu-v5p-slice',
  V6E: 'tpu-v6e-slice',
  INF1: 'aws-neuron-inf1',
  INF2: 'aws-neuron-inf2',
  TRN1: 'aws-neuron-trn1',
  TRN1N: 'aws-neuron-trn1n',
  TRN2: 'aws-neuron-trn2',
  TRN2U: 'aws-neuron-trn2u',
  MI100: 'amd-mi100',
  MI210: 'amd-mi210',
  MI250: 'amd-mi250',
  MI250X: 'amd-mi250x',
  MI300A: 'amd-mi300a',
  MI300X: 'amd-mi300x',
  MI325X: 'amd-mi325x',
  MI350X: 'amd-mi350x',
  MI355X: 'amd-mi355x',
  GAUDI1: 'habana-gaudi-dl1',
};

/**
 * The built-in device classes, keyed by the class name a task's accelerator names: the extended resource each
 * requests and, for TPUs, the node labels that select the chip and topology. The platform configuration can
 * override each field.
 */
export const defaultAcceleratorDeviceClasses: Readonly<Record<string, AcceleratorDeviceClassConfig>> = {
  NVIDIA_GPU: { 'resource-name': 'nvidia.com/gpu' },
  GOOGLE_TPU: {
    'resource-name': 'google.com/tpu',
    'device-node-label': 'cloud.google.com/gke-tpu-accelerator',
    'partition-size-node-label': 'cloud.google.com/gke-tpu-topology',
  },
  AMAZON_NEURON: { 'resource-name': 'aws.amazon.com/neuron' },
  AMD_GPU: { 'resource-name': 'amd.com/gpu' },
  HABANA_GAUDI: { 'resource-name': 'habana.ai/gaudi' },
};

// -------------------------------------------------------------------------------------
// plugins.k8s
// -------------------------------------------------------------------------------------

/**
 * Decodes Flyte's `plugins.k8s` section: the defaults every built pod gets, with Flyte's key names so an
 * existing Flyte configuration can be reused.
 */
export const K8sPluginConfig = struct(
  'K8sPluginConfig',
  {
    'inject-finalizer': withDefault(
      t.boolean,
      false,
      'Add the finalizer kubetasks.dev/resource to every created object.',
    ),
    'default-annotations': withDefault(
      StringMap,
      { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
      'Lowest-precedence annotations on every created object.',
    ),
    'default-labels': withDefault(StringMap, {}, 'Lowest-precedence labels on every created object.'),
    'default-env-vars': withDefault(StringMap, {}, 'Environment variables added to every container.'),
    'default-env-vars-from-env': withDefault(
      StringMap,
      {},
      'Container variable name → name of a variable of the kubetasks process whose value it takes.',
    ),
    'default-env-from-configmaps': withDefault(Strings, [], 'ConfigMaps added as optional envFrom sources.'),
    'default-env-from-secrets': withDefault(Strings, [], 'Secrets added as optional envFrom sources.'),
    'default-cpus': withDefault(QuantityString, '1', 'Default CPU request when the task sets none.'),
    'default-memory': withDefault(QuantityString, '1Gi', 'Default memory request when the task sets none.'),
    'default-tolerations': withDefault(Tolerations, [], 'Tolerations added to every pod.'),
    'default-node-selector': withDefault(StringMap, {}, "Node selector merged under the pod's own."),
    'scheduler-name': withDefault(t.string, '', 'Scheduler used when the pod names none.'),
    'interruptible-tolerations': withDefault(Tolerations, [], 'Tolerations added to interruptible tasks.'),
    'interruptible-node-selector': withDefault(
      StringMap,
      {},
      'Deprecated in Flyte: node selector merged over the pod for interruptible tasks.',
    ),
    'resource-tolerations': withDefault(
      t.record(t.string, Tolerations),
      {},
      'Resource name → tolerations added when any container requests or limits that resource.',
    ),
    'delete-resource-on-finalize': withDefault(
      t.boolean,
      false,
      'Delete the object when the task is finalized.',
    ),
    'create-container-error-grace-period': withDefault(
      DurationFromString,
      180_000,
      'How long a CreateContainerError is tolerated.',
    ),
    'create-container-config-error-grace-period': withDefault(
      DurationFromString,
      60_000,
      'How long a CreateContainerConfigError (missing Secret/ConfigMap) is tolerated. Flyte: 0.',
    ),
    'image-pull-backoff-grace-period': withDefault(
      DurationFromString,
      180_000,
      'How long an ImagePullBackOff is tolerated.',
    ),
    'image-pull-policy': withDefault(
      PullPolicy,
      '',
      'Image pull policy of containers built from a container task.',
    ),
    'pod-pending-timeout': withDefault(
      DurationFromString,
      0,
      'Fail a pod pending longer than this (0 disables), counted from creation when no condition exists.',
    ),
    'gpu-device-node-label': withDefault(
      t.string,
      'k8s.amazonaws.com/accelerator',
      'Node label (and taint key) naming the accelerator device.',
    ),
    'gpu-partition-size-node-label': withDefault(
      t.string,
      'k8s.amazonaws.com/gpu-partition-size',
      'Node label (and taint key) naming the accelerator partition size.',
    ),
    'gpu-resource-name': withDefault(t.string, 'nvidia.com/gpu', 'Resource the generic "gpu" key maps to.'),
    'accelerator-devices': withDefault(
      StringMap,
      defaultAcceleratorDevices,
      'Friendly device names → node label values.',
    ),
    'accelerator-device-classes': withDefault(
      DeviceClassMap,
      defaultAcceleratorDeviceClasses,
      'Device class (NVIDIA_GPU, GOOGLE_TPU, ...) → resource name, node labels and pod template.',
    ),
    'send-object-events': withDefault(t.boolean, true, 'Attach Kubernetes Events of the object to phases.'),
    'update-base-backoff-duration': withDefault(
      DurationFromString,
      10,
      'Base of the exponential back-off when removing a finalizer conflicts.',
    ),
    'update-backoff-retries': withDefault(NonNegativeInt, 5, 'Retries when removing a finalizer conflicts.'),
    'add-tolerations-for-extended-resources': withDefault(
      Strings,
      [],
      'Extended resources that get an Exists/NoSchedule toleration when requested.',
    ),
    'disable-inject-owner-references': withDefault(t.boolean, false, 'Do not set owner references.'),
    'pod-security-standard': withDefault(
      PodSecurityProfile,
      'none',
      'Pod Security Standard every built pod must satisfy (kubetasks addition).',
    ),
  },
  {
    'default-affinity': describe(Affinity, 'Affinity used when the pod has none.'),
    'interruptible-node-selector-requirement': describe(
      NodeSelectorRequirement,
      'AND-ed into every required node affinity term of interruptible tasks.',
    ),
    'non-interruptible-node-selector-requirement': describe(
      NodeSelectorRequirement,
      'AND-ed into every required node affinity term of non-interruptible tasks.',
    ),
    'gpu-unpartitioned-node-selector-requirement': describe(
      NodeSelectorRequirement,
      'Replaces the default DoesNotExist requirement for unpartitioned accelerator requests.',
    ),
    'gpu-unpartitioned-toleration': describe(Toleration, 'Added for unpartitioned accelerator requests.'),
    'default-pod-security-context': describe(
      PodSecurityContext,
      'Pod security context used when the pod has none.',
    ),
    'default-security-context': describe(
      SecurityContext,
      'Security context of the primary container when it has none.',
    ),
    'enable-host-networking-pod': describe(t.boolean, 'When set, forces hostNetwork to this value.'),
    'default-pod-dns-config': describe(PodDNSConfig, 'DNS config used when the pod has none.'),
    'default-pod-template-name': describe(t.string, 'Base PodTemplate when the task names none.'),
  },
  "Kubernetes plugin settings, with the keys and defaults of Flyte's plugins.k8s section.",
);
/** The decoded `plugins.k8s` section, every default filled in. */
export type K8sPluginConfig = t.TypeOf<typeof K8sPluginConfig>;

// -------------------------------------------------------------------------------------
// executor, routing, logs
// -------------------------------------------------------------------------------------

/**
 * Decodes an exponential back-off: the delay doubles per consecutive failure from `base-duration` up to
 * `max-duration` (milliseconds once decoded; written as durations such as "5s"), with a `jitter` fraction
 * randomised so that many tasks do not retry in step.
 */
export const BackoffConfig = struct('BackoffConfig', {
  'base-duration': withDefault(DurationFromString, 1000, 'First delay.'),
  'max-duration': withDefault(DurationFromString, 300_000, 'Longest delay.'),
  jitter: withDefault(
    t.refinement(t.number, (n) => n >= 0 && n <= 1, 'a fraction between 0 and 1'),
    0.2,
    'Fraction of each delay that is randomised.',
  ),
});
/** A decoded back-off; durations in milliseconds. */
export type BackoffConfig = t.TypeOf<typeof BackoffConfig>;

/** Decodes the `executor` section: how the plugin manager paces its work and tolerates failures. */
export const ExecutorConfig = struct(
  'ExecutorConfig',
  {
    'default-k8s-service-account': withDefault(
      t.string,
      '',
      'Service account when neither task nor execution names one.',
    ),
    'max-system-failures': withDefault(
      NonNegativeInt,
      3,
      'Consecutive system failures tolerated before failing.',
    ),
    'max-concurrent-reconciles': withDefault(NonNegativeInt, 512, 'Tasks reconciled at once.'),
    'resync-period': withDefault(
      DurationFromString,
      10_000,
      'How often a task is looked at without a new event.',
    ),
    'system-failure-backoff': withDefault(BackoffConfig, {
      'base-duration': 1000,
      'max-duration': 60_000,
      jitter: 0.2,
    }),
    'quota-backoff': withDefault(
      BackoffConfig,
      { 'base-duration': 5000, 'max-duration': 300_000, jitter: 0.2 },
      'Per-namespace back-off while a ResourceQuota rejects creates.',
    ),
    'cleanup-on-failure': withDefault(
      t.boolean,
      true,
      'Delete the resource of a failure whose PhaseInfo asks for cleanup (Flyte computes but ignores this).',
    ),
  },
  {},
  'Plugin manager settings.',
);
/** The decoded `executor` section; durations in milliseconds. */
export type ExecutorConfig = t.TypeOf<typeof ExecutorConfig>;

/**
 * Decodes `tasks.task-plugins`: which plugins are enabled and which plugin takes each task type, as in Flyte.
 */
export const TaskPluginsConfig = struct('TaskPluginsConfig', {
  'default-for-task-types': withDefault(StringMap, {}, 'Task type → plugin id, overriding registration.'),
  enabled: withDefault(Strings, [], 'Plugin ids to enable; empty enables every registered plugin.'),
  'unknown-task-types': withDefault(
    oneOf('UnknownTaskTypes', ['fallback', 'reject']),
    'fallback',
    'A task type no plugin registers: fallback runs it on the default plugin (Flyte; the CLI warns), reject refuses the task (an error naming task.type).',
  ),
});

/**
 * Decodes a log link template: a display name and URIs with placeholders that are filled per pod and
 * container.
 */
export const LogTemplate = struct(
  'LogTemplate',
  { 'display-name': t.string, 'template-uris': t.readonlyArray(t.string) },
  { 'link-type': oneOf('LinkType', ['EXTERNAL', 'DASHBOARD', 'IDE']) },
);

/** Decodes the `logs` section: which log links every phase report carries. */
export const LogsConfig = struct(
  'LogsConfig',
  {
    'kubernetes-enabled': withDefault(t.boolean, false, 'Link to the Kubernetes dashboard log view.'),
    'kubernetes-url': withDefault(t.string, '', 'Base URL of the Kubernetes dashboard.'),
    'kubernetes-template-uri': withDefault(t.string, '', 'Overrides the dashboard link template.'),
    'cloudwatch-enabled': withDefault(t.boolean, false, 'Link to CloudWatch Logs.'),
    'cloudwatch-region': withDefault(t.string, '', 'CloudWatch region.'),
    'cloudwatch-log-group': withDefault(t.string, '', 'CloudWatch log group.'),
    'cloudwatch-template-uri': withDefault(t.string, '', 'Overrides the CloudWatch link template.'),
    'stackdriver-enabled': withDefault(t.boolean, false, 'Link to Google Cloud Logging.'),
    'gcp-project': withDefault(t.string, '', 'Google Cloud project of the logs.'),
    'stackdriver-logresourcename': withDefault(t.string, '', 'Log resource name in Cloud Logging.'),
    'stackdriver-template-uri': withDefault(t.string, '', 'Overrides the Cloud Logging link template.'),
    templates: withDefault(
      t.readonlyArray(LogTemplate),
      [],
      'Generic link templates; placeholders such as {{ .podName }}, {{ .namespace }}, {{ .containerName }}.',
    ),
  },
  {},
  "Log links shown with every phase, as in Flyte's logs section.",
);
/** The decoded `logs` section. */
export type LogsConfig = t.TypeOf<typeof LogsConfig>;

// -------------------------------------------------------------------------------------
// the whole document
// -------------------------------------------------------------------------------------

const defaultsOf = <A>(codec: t.Decoder<unknown, A>): A => {
  const r = codec.decode({});
  // Defaults are constants of this module; the unit tests decode them, so this cannot fail at run time.
  if (E.isLeft(r)) throw new Error(`kubetasks: invalid built-in defaults for ${codec.name}`);
  return r.right;
};

/** Plugin sections; plugin-specific sections (spark, ray, ...) are added by their plugins' issue. */
export const PluginsConfig = struct(
  'PluginsConfig',
  { k8s: withDefault(K8sPluginConfig, defaultsOf(K8sPluginConfig)) },
  {},
  'One section per plugin family.',
);

/**
 * Decodes a whole platform configuration document strictly: unknown keys are errors with a did-you-mean
 * suggestion, because a misspelt setting silently ignored is worse than a refusal to start.
 */
export const PlatformConfigC = struct(
  'PlatformConfig',
  {
    plugins: withDefault(PluginsConfig, defaultsOf(PluginsConfig)),
    executor: withDefault(ExecutorConfig, defaultsOf(ExecutorConfig)),
    tasks: withDefault(
      struct('TasksConfig', {
        'task-plugins': withDefault(TaskPluginsConfig, defaultsOf(TaskPluginsConfig)),
      }),
      { 'task-plugins': defaultsOf(TaskPluginsConfig) },
    ),
    logs: withDefault(LogsConfig, defaultsOf(LogsConfig)),
  },
  {},
  'kubetasks platform configuration.',
);
/**
 * The decoded platform configuration that a manager and every plugin read; every setting present, defaults
 * filled in.
 */
export type PlatformConfig = t.TypeOf<typeof PlatformConfigC>;

/**
 * The configuration of an empty document: Flyte's defaults (with kubetasks' additions), for tests and for
 * running without a config file.
 */
export const defaultPlatformConfig: PlatformConfig = defaultsOf(PlatformConfigC);

/** Decodes a platform config document; an empty document (null) means all defaults. */
export const decodePlatformConfig = (u: unknown): E.Either<ReadonlyArray<DecodeIssue>, PlatformConfig> =>
  decode(PlatformConfigC)(u === null || u === undefined ? {} : u);
