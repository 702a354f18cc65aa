// Task execution input: codecs for a task template and its execution metadata, in one document format.
import type * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import {
  decode,
  describe,
  isPlainObject,
  JsonObject,
  NonEmptyString,
  NonNegativeInt,
  oneOf,
  StringMap,
  struct,
  withDefault,
  type DecodeIssue,
} from './codec.js';
import type { OwnerReference, PodSpec } from './kubernetes.js';
import { dns1123LabelError, objectName } from './names.js';
import { QuantityString, ResourceList } from './core-v1/scalars.js';
import { DurationFromString } from './time.js';

// -------------------------------------------------------------------------------------
// building blocks
// -------------------------------------------------------------------------------------

/** Decodes the requests and limits a task asks for, quantities in canonical form. */
export const Resources = struct(
  'Resources',
  {},
  { requests: ResourceList, limits: ResourceList },
  'Requests and limits; a missing limit takes the request, a missing request takes the platform default.',
);
/**
 * Decoded requests and limits; either may be absent, and pod construction fills it from the other or from the
 * platform defaults.
 */
export type Resources = t.TypeOf<typeof Resources>;

/** An environment variable as a task writes it. */
export const KeyValue = struct('EnvVar', { name: NonEmptyString, value: withDefault(t.string, '') });

/** A PodSpec as tasks and templates write it: `containers` may be absent (a template may only add tolerations). */
export type PodSpecInput = Omit<PodSpec, 'containers'> & { readonly containers?: PodSpec['containers'] };

/** A Kubernetes PodSpec, checked only for its shape here; pod construction validates it in depth. */
export const PodSpecC = new t.Type<PodSpecInput, PodSpecInput, unknown>(
  'PodSpec',
  (u): u is PodSpecInput => isPlainObject(u),
  (u, c) => {
    if (!isPlainObject(u)) return t.failure(u, c, 'a Kubernetes PodSpec object');
    const containers = u['containers'];
    if (containers !== undefined) {
      if (!Array.isArray(containers)) {
        return t.failure(containers, t.appendContext(c, 'containers', t.UnknownArray, containers), 'a list');
      }
      const errors: t.ValidationError[] = [];
      containers.forEach((ct: unknown, i) => {
        const cc = t.appendContext(
          t.appendContext(c, 'containers', t.UnknownArray, containers),
          String(i),
          t.unknown,
          ct,
        );
        if (!isPlainObject(ct))
          errors.push({ value: ct, context: cc, message: 'a Kubernetes Container object' });
        else if (typeof ct['name'] !== 'string' || ct['name'] === '') {
          errors.push({
            value: ct['name'],
            context: t.appendContext(cc, 'name', t.string, ct['name']),
            message: 'a container name',
          });
        }
      });
      if (errors.length > 0) return t.failures(errors);
    }
    return t.success(u);
  },
  (a) => a,
);

/**
 * Decodes the labels and annotations a task or a pod template adds to the pod; nothing else of a pod's
 * metadata is the task's to set.
 */
export const ObjectMetadata = struct('ObjectMetadata', {}, { labels: StringMap, annotations: StringMap });

/** A pod template carried by a task or an override: metadata, a pod spec and the primary container's name. */
export const PodTemplate = struct(
  'PodTemplate',
  { spec: PodSpecC },
  { metadata: ObjectMetadata, primaryContainerName: NonEmptyString },
);
/** A decoded pod template, merged under the task's pod by pod construction. */
export type PodTemplate = t.TypeOf<typeof PodTemplate>;

/**
 * Decodes which accelerator a task needs: `device` names the model (a friendly name such as "T4", or a node
 * label value), `deviceClass` the vendor family (NVIDIA_GPU when absent), and `partitionSize` a slice of one
 * device (e.g. an NVIDIA MIG profile); `unpartitioned` asks for a whole device explicitly.
 */
export const GpuAccelerator = struct(
  'GpuAccelerator',
  { device: NonEmptyString },
  {
    deviceClass: oneOf('DeviceClass', [
      'NVIDIA_GPU',
      'GOOGLE_TPU',
      'AMAZON_NEURON',
      'AMD_GPU',
      'HABANA_GAUDI',
    ]),
    partitionSize: NonEmptyString,
    unpartitioned: t.boolean,
  },
);
/**
 * A decoded accelerator request; pod construction turns it into a resource request, a node selector and
 * tolerations.
 */
export type GpuAccelerator = t.TypeOf<typeof GpuAccelerator>;

/**
 * Decodes a memory-backed volume mounted at `mountPath`, for frameworks (PyTorch data loaders, NCCL) that
 * need a larger /dev/shm than the container runtime's 64 MiB; `sizeLimit` caps it.
 */
export const SharedMemory = struct(
  'SharedMemory',
  { mountName: t.string, mountPath: t.string },
  { sizeLimit: QuantityString },
);
/** A decoded shared-memory request. */
export type SharedMemory = t.TypeOf<typeof SharedMemory>;

/** Decodes the resources beyond cpu and memory that a task can ask for: an accelerator and shared memory. */
export const ExtendedResources = struct(
  'ExtendedResources',
  {},
  { gpuAccelerator: GpuAccelerator, sharedMemory: SharedMemory },
);
/** Decoded extended resources; an execution's overrides replace the template's field by field. */
export type ExtendedResources = t.TypeOf<typeof ExtendedResources>;

// -------------------------------------------------------------------------------------
// task template
// -------------------------------------------------------------------------------------

/**
 * Decodes the identity of the task definition (not of one run of it); only `name` is required, the rest is
 * Flyte's project/domain/version addressing.
 */
export const TaskId = struct(
  'TaskId',
  { name: NonEmptyString },
  { project: t.string, domain: t.string, version: t.string },
);

/** Decodes a log link a task brings itself, added to those of the platform's templates. */
export const LogLink = struct('LogLink', { name: NonEmptyString, uri: NonEmptyString });

/**
 * Decodes how a task may run: retries, timeout, whether it tolerates interruption (spot nodes), and a named
 * base pod template.
 */
export const TaskMetadata = struct(
  'TaskMetadata',
  {},
  {
    interruptible: t.boolean,
    retries: describe(NonNegativeInt, 'Retries after the first attempt; max attempts = retries + 1.'),
    timeout: DurationFromString,
    podTemplateName: NonEmptyString,
    logLinks: t.readonlyArray(LogLink),
  },
);

/** Decodes the container a task runs: image, command, arguments, environment and resources. */
export const Container = struct(
  'Container',
  { image: NonEmptyString },
  {
    command: t.readonlyArray(t.string),
    args: t.readonlyArray(t.string),
    env: t.readonlyArray(KeyValue),
    resources: Resources,
  },
);
/** A decoded task container, before pod construction adds the platform's defaults. */
export type TaskContainer = t.TypeOf<typeof Container>;

/** Decodes what identity a task runs as: a Kubernetes service account, and the secrets it asks for. */
export const SecurityContext = struct(
  'TaskSecurityContext',
  {},
  {
    runAs: struct('RunAs', {}, { k8sServiceAccount: t.string }),
    secrets: t.readonlyArray(JsonObject),
  },
);

/** Decodes the template half of a task file. */
export const TaskTemplate = struct(
  'TaskTemplate',
  { id: TaskId, type: NonEmptyString },
  {
    typeVersion: NonNegativeInt,
    metadata: TaskMetadata,
    container: Container,
    podTemplate: PodTemplate,
    custom: describe(JsonObject, 'Plugin-specific task configuration (for example a Spark job).'),
    securityContext: SecurityContext,
    extendedResources: ExtendedResources,
    config: describe(StringMap, 'Free-form task configuration, e.g. primary_container_name.'),
  },
  'What to run: the task as its author wrote it.',
);
/**
 * The decoded task as its author wrote it, shared by all its executions; `type` selects the plugin and
 * `custom` carries the plugin's own payload.
 */
export type TaskTemplate = t.TypeOf<typeof TaskTemplate>;

// -------------------------------------------------------------------------------------
// execution metadata
// -------------------------------------------------------------------------------------

/**
 * A namespace name: a DNS-1123 label, as the API server requires of namespaces. Checked when the task file is
 * decoded, so a typo is an input error with its line and column, not a create the server refuses (which the manager
 * would retry as a SYSTEM failure).
 */
export const NamespaceName = new t.Type<string, string, unknown>(
  'Dns1123Label',
  (u): u is string => typeof u === 'string' && dns1123LabelError(u) === undefined,
  (u, c) => {
    if (typeof u !== 'string' || u === '') return t.failure(u, c, 'a namespace name such as "my-team"');
    const why = dns1123LabelError(u);
    return why === undefined ? t.success(u) : t.failure(u, c, `a namespace name (${why})`);
  },
  (a) => a,
);

/**
 * Decodes the identity of one execution; `run` and `action` name it, and with the attempt they make the names
 * of the objects created for it.
 */
export const ExecutionId = struct(
  'ExecutionId',
  { run: NonEmptyString, action: NonEmptyString },
  { project: t.string, domain: t.string },
);
/** A decoded execution identity. */
export type ExecutionId = t.TypeOf<typeof ExecutionId>;

/**
 * Decodes the owner an execution's objects get, so that deleting the owner (a workflow object, say)
 * garbage-collects them.
 */
export const OwnerReferenceC = struct(
  'OwnerReference',
  { apiVersion: NonEmptyString, kind: NonEmptyString, name: NonEmptyString, uid: NonEmptyString },
  { controller: t.boolean, blockOwnerDeletion: t.boolean },
);

/**
 * Decodes what one execution changes of its template (resources, image, pod template) without a new task
 * version.
 */
export const Overrides = struct(
  'Overrides',
  {},
  {
    resources: Resources,
    extendedResources: ExtendedResources,
    containerImage: NonEmptyString,
    podTemplate: PodTemplate,
  },
  'Per-execution overrides; they beat the task template.',
);
/** Decoded per-execution overrides. */
export type Overrides = t.TypeOf<typeof Overrides>;

/**
 * Decodes where the task reads inputs and writes outputs and checkpoints (blob store prefixes), made
 * available to the command as template variables.
 */
export const IoPaths = struct(
  'IoPaths',
  {},
  {
    inputPrefix: t.string,
    outputPrefix: t.string,
    rawOutputPrefix: t.string,
    checkpointPrefix: t.string,
    previousCheckpointPrefix: t.string,
  },
);

/** Decodes the execution half of a task file. */
export const ExecutionMetadata = struct(
  'ExecutionMetadata',
  { id: ExecutionId, namespace: NamespaceName },
  {
    attempt: describe(NonNegativeInt, 'Zero-based retry attempt of this execution.'),
    labels: StringMap,
    annotations: StringMap,
    ownerReference: OwnerReferenceC,
    maxAttempts: NonNegativeInt,
    interruptible: t.boolean,
    serviceAccount: t.string,
    environment: describe(StringMap, 'Environment variables for every container of the task.'),
    overrides: Overrides,
    platformResources: Resources,
    io: IoPaths,
    inputs: describe(JsonObject, 'Input values, referenced from command and args as {{ .Inputs.name }}.'),
  },
  'Where and how it runs: one execution of a task.',
);
/**
 * The decoded execution: where (namespace), as which attempt, with which labels, owner, environment and
 * overrides.
 */
export type ExecutionMetadata = t.TypeOf<typeof ExecutionMetadata>;

/**
 * The `apiVersion` of a task file. Optional in a file, but checked when present, so a file written for a
 * future, incompatible version is refused rather than misread.
 */
export const API_VERSION = 'kubetasks.dev/v1alpha1';
/** The `kind` of a task file, checked like `API_VERSION`. */
export const KIND = 'TaskExecution';

/** The task file format: one document holding the template and its execution. */
export const TaskExecutionC = struct(
  'TaskExecution',
  { task: TaskTemplate, execution: ExecutionMetadata },
  { apiVersion: oneOf('ApiVersion', [API_VERSION]), kind: oneOf('Kind', [KIND]) },
  'A task template and one execution of it.',
);
/**
 * A decoded task file: what to run (`task`) and one execution of it (`execution`). It is the input of every
 * plugin's build and of `Manager.submit`.
 */
export type TaskExecution = t.TypeOf<typeof TaskExecutionC>;

/**
 * Decodes a task file's parsed YAML or JSON strictly, every problem reported with its path (unknown keys with
 * a did-you-mean suggestion), so the CLI can point at the line to fix.
 */
export const decodeTaskExecution: (u: unknown) => E.Either<ReadonlyArray<DecodeIssue>, TaskExecution> =
  decode(TaskExecutionC);

// -------------------------------------------------------------------------------------
// derived values (Flyte's TaskExecutionMetadata accessors)
// -------------------------------------------------------------------------------------

/** Zero-based attempt. */
export const attemptOf = (te: TaskExecution): number => te.execution.attempt ?? 0;

/** Retries + 1 from the template unless the execution states it. */
export const maxAttemptsOf = (te: TaskExecution): number =>
  te.execution.maxAttempts ?? (te.task.metadata?.retries ?? 0) + 1;

/**
 * Whether the task may run on interruptible (spot, preemptible) nodes: the execution's setting, else the
 * template's, else no. Interruptible pods get the platform's interruptible tolerations and node selector.
 */
export const isInterruptible = (te: TaskExecution): boolean =>
  te.execution.interruptible ?? te.task.metadata?.interruptible ?? false;

/** The template's RunAs service account, else the execution's. */
export const serviceAccountOf = (te: TaskExecution): string | undefined => {
  const runAs = te.task.securityContext?.runAs?.k8sServiceAccount;
  if (runAs !== undefined && runAs !== '') return runAs;
  const sa = te.execution.serviceAccount;
  return sa === undefined || sa === '' ? undefined : sa;
};

/** `<run>-<action>-<attempt>`, Flyte v2's generated name, kept a valid DNS-1123 label of at most `maxLength`. */
export const generatedName = (te: TaskExecution, maxLength?: number): string =>
  objectName([te.execution.id.run, te.execution.id.action, String(attemptOf(te))], maxLength);

/** The owner reference the task's objects should carry, when the execution names an owner. */
export const ownerReferenceOf = (te: TaskExecution): OwnerReference | undefined =>
  te.execution.ownerReference;
