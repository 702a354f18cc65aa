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
import { QuantityString, ResourceList } from './kubernetes-codecs.js';
import { DurationFromString } from './time.js';

// -------------------------------------------------------------------------------------
// building blocks
// -------------------------------------------------------------------------------------

export const Resources = struct(
  'Resources',
  {},
  { requests: ResourceList, limits: ResourceList },
  'Requests and limits; a missing limit takes the request, a missing request takes the platform default.',
);
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

export const ObjectMetadata = struct('ObjectMetadata', {}, { labels: StringMap, annotations: StringMap });

/** A pod template carried by a task or an override: metadata, a pod spec and the primary container's name. */
export const PodTemplate = struct(
  'PodTemplate',
  { spec: PodSpecC },
  { metadata: ObjectMetadata, primaryContainerName: NonEmptyString },
);
export type PodTemplate = t.TypeOf<typeof PodTemplate>;

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
export type GpuAccelerator = t.TypeOf<typeof GpuAccelerator>;

export const SharedMemory = struct(
  'SharedMemory',
  { mountName: t.string, mountPath: t.string },
  { sizeLimit: QuantityString },
);
export type SharedMemory = t.TypeOf<typeof SharedMemory>;

export const ExtendedResources = struct(
  'ExtendedResources',
  {},
  { gpuAccelerator: GpuAccelerator, sharedMemory: SharedMemory },
);
export type ExtendedResources = t.TypeOf<typeof ExtendedResources>;

// -------------------------------------------------------------------------------------
// task template
// -------------------------------------------------------------------------------------

export const TaskId = struct(
  'TaskId',
  { name: NonEmptyString },
  { project: t.string, domain: t.string, version: t.string },
);

export const LogLink = struct('LogLink', { name: NonEmptyString, uri: NonEmptyString });

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
export type TaskContainer = t.TypeOf<typeof Container>;

export const SecurityContext = struct(
  'TaskSecurityContext',
  {},
  {
    runAs: struct('RunAs', {}, { k8sServiceAccount: t.string }),
    secrets: t.readonlyArray(JsonObject),
  },
);

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

export const ExecutionId = struct(
  'ExecutionId',
  { run: NonEmptyString, action: NonEmptyString },
  { project: t.string, domain: t.string },
);
export type ExecutionId = t.TypeOf<typeof ExecutionId>;

export const OwnerReferenceC = struct(
  'OwnerReference',
  { apiVersion: NonEmptyString, kind: NonEmptyString, name: NonEmptyString, uid: NonEmptyString },
  { controller: t.boolean, blockOwnerDeletion: t.boolean },
);

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
export type Overrides = t.TypeOf<typeof Overrides>;

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
export type ExecutionMetadata = t.TypeOf<typeof ExecutionMetadata>;

export const API_VERSION = 'kubetasks.dev/v1alpha1';
export const KIND = 'TaskExecution';

/** The task file format: one document holding the template and its execution. */
export const TaskExecutionC = struct(
  'TaskExecution',
  { task: TaskTemplate, execution: ExecutionMetadata },
  { apiVersion: oneOf('ApiVersion', [API_VERSION]), kind: oneOf('Kind', [KIND]) },
  'A task template and one execution of it.',
);
export type TaskExecution = t.TypeOf<typeof TaskExecutionC>;

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

export const ownerReferenceOf = (te: TaskExecution): OwnerReference | undefined =>
  te.execution.ownerReference;
