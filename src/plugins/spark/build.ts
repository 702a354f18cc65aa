// buildResource for Spark: a SparkApplication whose driver and executor pods are built by the pod plugin's rules.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Container, EnvVar, KubeObject, PodSpec } from '../../domain/kubernetes.js';
import {
  annotationsError,
  checkExecutionMetadata,
  labelsError,
  taskPodMetadata,
} from '../../domain/object-metadata.js';
import { badTaskSpecification, type BuildContext, type BuildError } from '../../domain/plugin.js';
import { readPluginConfig } from '../../domain/plugin-config.js';
import { generatedName, isInterruptible, maxAttemptsOf } from '../../domain/task.js';
import type { PathSegment } from '../../domain/codec.js';
import {
  applyPodConfiguration,
  buildRawPod,
  mergeSpecOver,
  mergeValue,
  templateValues,
  type RawPod,
} from '../pod/build/index.js';
import { checkPodSpec, issueToBuildError } from '../pod/build/spec-check.js';
import { renderList, type TemplateValues } from '../pod/build/template-vars.js';
import { guardBuild } from '../crd/index.js';
import { sparkConfigSection } from './config.js';
import {
  assembleSparkConf,
  DRIVER_CONTAINER,
  EXECUTOR_CONTAINER,
  POD_NAME_PREFIX_MAX,
  positiveInt,
} from './conf.js';
import { decodeSparkJob, type RolePod, type SparkJob } from './payload.js';

export const SPARK_API_VERSION = 'sparkoperator.k8s.io/v1beta2';
export const SPARK_KIND = 'SparkApplication';

/** Flyte's fixed submission retry policy, to ride out quota and API pressure at spark-submit time. */
export const RESTART_POLICY = { type: 'OnFailure', onSubmissionFailureRetries: 14 } as const;

/** The Spark version kubetasks declares: the CRD requires one, and the operator needs >= 3.0.0 for pod templates. */
export const SPARK_VERSION = '3.0.0';

/** The service account of Spark pods when neither the task nor the platform names one (Flyte's). */
export const DEFAULT_SPARK_SERVICE_ACCOUNT = 'spark';

export type Role = 'driver' | 'executor';

const CONTAINER: Readonly<Record<Role, string>> = { driver: DRIVER_CONTAINER, executor: EXECUTOR_CONTAINER };

/** A role's pod, built and configured, with its primary container renamed for Spark. */
export interface RoleBuild {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
  /** The configured primary container before renaming (image, args, env for the application spec). */
  readonly primary: Container;
  readonly serviceAccount: string;
}

const withInterruptible = (ctx: BuildContext, interruptible: boolean): BuildContext => ({
  ...ctx,
  task: { ...ctx.task, execution: { ...ctx.task.execution, interruptible } },
});

/** A container of a role's pod spec with the task's template variables rendered in its command and args. */
const renderCommand = (
  c: Container,
  values: TemplateValues,
  at: ReadonlyArray<PathSegment>,
): E.Either<BuildError, Container> =>
  pipe(
    E.Do,
    E.apS('command', renderList(c.command, values, [...at, 'command'])),
    E.apS('args', renderList(c.args, values, [...at, 'args'])),
    E.map(({ command, args }) => ({
      ...c,
      ...(command === undefined ? {} : { command: [...command] }),
      ...(args === undefined ? {} : { args: [...args] }),
    })),
  );

/**
 * The role's custom pod spec over the task's pod: its container named like the role's primary (the K8sPod's
 * primaryContainerName, else Spark's container name) merges field by field into the task's primary container,
 * other containers are added, pod fields win. Platform configuration runs after this, so nothing here escapes it.
 */
const overlayRolePod = (
  ctx: BuildContext,
  raw: { readonly spec: PodSpec; readonly primaryContainerName: string },
  role: Role,
  pod: RolePod,
): E.Either<BuildError, PodSpec> => {
  if (pod.podSpec === undefined) return E.right(raw.spec);
  const values = templateValues(ctx.task);
  const overlayName = pod.primaryContainerName ?? CONTAINER[role];
  return pipe(
    checkPodSpec(pod.podSpec, { requireContainers: false }),
    E.mapLeft((issues) => issueToBuildError(issues, pod.podSpecAt)),
    E.bindTo('checked'),
    E.bind('containers', ({ checked }) =>
      pipe(
        checked.containers ?? [],
        E.traverseArrayWithIndex((i, c) => renderCommand(c, values, [...pod.podSpecAt, 'containers', i])),
      ),
    ),
    E.filterOrElse(
      ({ containers }) =>
        pod.primaryContainerName === undefined || containers.some((c) => c.name === overlayName),
      () =>
        badTaskSpecification(
          `the primary container ${JSON.stringify(overlayName)} is not one of the pod spec's containers`,
          pod.primaryContainerNameAt,
        ),
    ),
    E.map(({ checked, containers }) => {
      const primaryOverlay = containers.find((c) => c.name === overlayName);
      const others = containers.filter((c) => c.name !== overlayName);
      const merged = mergeSpecOver(raw.spec, { ...checked, containers: others });
      return primaryOverlay === undefined
        ? merged
        : {
            ...merged,
            containers: merged.containers.map((c) =>
              c.name === raw.primaryContainerName
                ? (mergeValue(c, { ...primaryOverlay, name: raw.primaryContainerName }) as Container)
                : c,
            ),
          };
    }),
  );
};

/** The task's raw pod with the role's own pod (metadata and pod spec) over it, before the platform configuration. */
const withRolePod = (
  ctx: BuildContext,
  raw: RawPod,
  role: Role,
  pod: RolePod | undefined,
): E.Either<BuildError, RawPod> => {
  if (pod === undefined) return E.right(raw);
  const metaAt = [...pod.podSpecAt.slice(0, -1), 'metadata'];
  const metaError =
    labelsError(pod.labels, [...metaAt, 'labels']) ??
    annotationsError(pod.annotations, [...metaAt, 'annotations']);
  if (metaError !== undefined) return E.left(metaError);
  return pipe(
    overlayRolePod(ctx, raw, role, pod),
    E.map((spec) => ({
      ...raw,
      spec,
      labels: { ...raw.labels, ...pod.labels },
      annotations: { ...raw.annotations, ...pod.annotations },
    })),
  );
};

const withEnv = (env: ReadonlyArray<EnvVar> | undefined, add: EnvVar): EnvVar[] => [
  ...(env ?? []).filter((e) => e.name !== add.name),
  add,
];

/**
 * The configured pod as Spark runs it: the primary container renamed to Spark's name (no sidecar may hold that
 * name), without command and args, with FLYTE_MAX_ATTEMPTS; Spark's default service account when none is named.
 */
const sparkRole = (
  ctx: BuildContext,
  role: Role,
  pod: RolePod | undefined,
  configured: RawPod,
): E.Either<BuildError, RoleBuild> => {
  const name = configured.primaryContainerName;
  const cspec = configured.spec;
  const primary = cspec.containers.find((c) => c.name === name);
  if (primary === undefined) {
    return E.left(
      badTaskSpecification(
        `the primary container ${JSON.stringify(name)} is not one of the pod's containers`,
      ),
    );
  }
  if (name !== CONTAINER[role] && cspec.containers.some((c) => c.name === CONTAINER[role])) {
    return E.left(
      badTaskSpecification(
        `a sidecar must not be named ${JSON.stringify(CONTAINER[role])}: Spark names the ${role} container so`,
        pod?.podSpecAt ?? ['task', 'podTemplate', 'spec'],
      ),
    );
  }
  const maxAttempts: EnvVar = { name: 'FLYTE_MAX_ATTEMPTS', value: String(maxAttemptsOf(ctx.task)) };
  const { command: _c, args: _a, ...rest } = primary;
  const sparkPrimary: Container = { ...rest, name: CONTAINER[role], env: withEnv(primary.env, maxAttempts) };
  const serviceAccount = cspec.serviceAccountName ?? DEFAULT_SPARK_SERVICE_ACCOUNT;
  return E.right({
    labels: configured.labels,
    annotations: configured.annotations,
    spec: {
      ...cspec,
      serviceAccountName: serviceAccount,
      containers: cspec.containers.map((c) => (c === primary ? sparkPrimary : c)),
    },
    primary: { ...primary, env: withEnv(primary.env, maxAttempts) },
    serviceAccount,
  });
};

/**
 * One role's pod, as the pod plugin builds a task's pod (buildRawPod, the role's custom pod spec over it, then
 * applyPodConfiguration: templates, resources, env, tolerations, node selectors, affinity, Pod Security), with
 * interruptibility as given (the driver never is). The primary container is renamed to Spark's name and loses its
 * command and args (Spark's entrypoint runs the driver and executors; the task's args become the application's).
 */
export const buildRolePod = (
  ctx: BuildContext,
  role: Role,
  pod: RolePod | undefined,
  interruptible: boolean,
): E.Either<BuildError, RoleBuild> => {
  const roleCtx = withInterruptible(ctx, interruptible);
  return pipe(
    buildRawPod(roleCtx),
    E.flatMap((raw) => withRolePod(ctx, raw, role, pod)),
    E.flatMap((raw) => applyPodConfiguration(roleCtx, raw)),
    E.flatMap((configured) => sparkRole(ctx, role, pod, configured)),
  );
};

// -------------------------------------------------------------------------------------
// the SparkApplication
// -------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const nonEmpty = (key: string, m: Readonly<Record<string, unknown>> | undefined): Json =>
  m === undefined || Object.keys(m).length === 0 ? {} : { [key]: { ...m } };

const defined = (key: string, v: unknown): Json => (v === undefined || v === '' ? {} : { [key]: v });

/** The SparkPodSpec of a role: pod template (when enabled) or the legacy fields, plus Spark's sizing from conf. */
const sparkPodSpec = (
  ctx: BuildContext,
  role: Role,
  b: RoleBuild,
  conf: Readonly<Record<string, string>>,
  templates: boolean,
): Json => {
  const { labels, annotations } = taskPodMetadata(ctx, b);
  const sizing: Json = {
    ...defined('cores', positiveInt(conf[`spark.${role}.cores`])),
    ...defined('memory', conf[`spark.${role}.memory`]),
    ...(role === 'executor' ? defined('instances', positiveInt(conf['spark.executor.instances'])) : {}),
  };
  const common: Json = {
    ...defined('image', b.primary.image),
    ...nonEmpty('labels', labels),
    ...nonEmpty('annotations', annotations),
    serviceAccount: b.serviceAccount,
    ...sizing,
  };
  if (templates) {
    return {
      ...common,
      template: {
        metadata: { ...nonEmpty('labels', labels), ...nonEmpty('annotations', annotations) },
        spec: b.spec,
      },
    };
  }
  // Legacy fields (Flyte's list), for operators without pod templates: no resources, volumes or sidecars.
  const s = b.spec;
  return {
    ...common,
    ...(b.primary.env === undefined || b.primary.env.length === 0 ? {} : { env: b.primary.env }),
    ...defined('affinity', s.affinity),
    ...defined('podSecurityContext', s.securityContext),
    ...defined('dnsConfig', s.dnsConfig),
    ...(s.tolerations === undefined || s.tolerations.length === 0 ? {} : { tolerations: s.tolerations }),
    ...defined('schedulerName', s.schedulerName),
    ...nonEmpty('nodeSelector', s.nodeSelector),
    ...defined('hostNetwork', s.hostNetwork),
  };
};

const mainApplicationFileOf = (j: SparkJob): E.Either<BuildError, string> =>
  j.mainApplicationFile !== ''
    ? E.right(j.mainApplicationFile)
    : E.left(
        badTaskSpecification(
          j.mainClass === ''
            ? 'missing, expected mainApplicationFile (the application file; either it or mainClass must be set)'
            : 'missing, expected mainApplicationFile: the SparkApplication CRD requires it (the jar holding mainClass)',
          ['task', 'custom', 'mainApplicationFile'],
        ),
      );

const buildSpark = (ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  pipe(
    checkExecutionMetadata(ctx),
    E.flatMap(() => decodeSparkJob(ctx.task.task.custom)),
    E.bindTo('j'),
    E.bind('mainApplicationFile', ({ j }) => mainApplicationFileOf(j)),
    E.bind('driver', ({ j }) => buildRolePod(ctx, 'driver', j.driverPod, false)),
    E.bind('executor', ({ j }) => buildRolePod(ctx, 'executor', j.executorPod, isInterruptible(ctx.task))),
    E.map(({ j, mainApplicationFile, driver, executor }) => {
      const config = readPluginConfig(sparkConfigSection, ctx.config);
      const templates = config['enable-pod-template'];
      const prefix = generatedName(ctx.task, POD_NAME_PREFIX_MAX);
      const conf = assembleSparkConf(config, j, prefix, templates);
      const args = executor.primary.args ?? [];
      const batchScheduler = conf['spark.batchScheduler'];
      const spec: Json = {
        type: j.applicationType,
        ...defined('image', executor.primary.image),
        ...(args.length === 0 ? {} : { arguments: [...args] }),
        mainApplicationFile,
        ...defined('mainClass', j.mainClass),
        sparkVersion: SPARK_VERSION,
        restartPolicy: { ...RESTART_POLICY },
        sparkConf: conf,
        ...nonEmpty('hadoopConf', j.hadoopConf),
        ...(batchScheduler === undefined ? {} : { batchScheduler }),
        driver: sparkPodSpec(ctx, 'driver', driver, conf, templates),
        executor: sparkPodSpec(ctx, 'executor', executor, conf, templates),
      };
      return { apiVersion: SPARK_API_VERSION, kind: SPARK_KIND, metadata: {}, spec };
    }),
  );

/**
 * buildResource: the SparkApplication for a `spark` task. The plugin manager adds name (bounded to 47 characters,
 * Spark's limit for the executor pod name prefix, which is the same name), namespace, labels, owner, finalizer.
 * Deterministic: no clock, sorted conf. Never throws.
 */
export const buildSparkApplication = guardBuild('the SparkApplication', buildSpark);

/** The identity object for get, abort and finalize; the manager names it. */
export const buildSparkIdentity = (_ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.right({ apiVersion: SPARK_API_VERSION, kind: SPARK_KIND, metadata: {} });
