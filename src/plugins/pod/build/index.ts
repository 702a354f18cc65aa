// The pod plugin's buildResource and buildIdentityResource, and the pieces of pod construction other plugins reuse.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { guardBuild } from '../../crd/build-guard.js';
import type { Container, KubeObject, Pod } from '../../../domain/kubernetes.js';
import { checkExecutionMetadata } from '../../../domain/object-metadata.js';
import type { BuildContext, BuildError } from '../../../domain/plugin.js';
import { applyPodConfiguration } from './configure.js';
import { buildRawPod, type RawPod } from './raw-pod.js';

export { applyPodConfiguration } from './configure.js';
export { BUILT_IN } from './pod-defaults.js';
export { buildRawPod, podTaskTypes, PRIMARY_CONTAINER_CONFIG_KEY, type RawPod } from './raw-pod.js';
export {
  baseTemplate,
  decodeKubePodTemplates,
  DEFAULT_CONTAINER,
  DEFAULT_INIT_CONTAINER,
  mergeSpecOver,
  mergeSpecUnder,
  PLATFORM_NAMESPACE,
  PRIMARY_CONTAINER,
  templateStore,
  type NamedTemplate,
} from './pod-templates.js';
export { mergeValue, KEYED_LISTS } from './merge.js';
export { applyResourceRule, resourcePolicy, resourceProblem, GENERIC_GPU } from './resources.js';
export { combineEnv, systemEnv, SYSTEM_ENV_NAMES } from './env.js';
export { andRequiredNodeTerms, addRequiredRequirements, applyDefaultAffinity } from './scheduling.js';
export { acceleratorSettings, GPU_PARTITION_SLICES_LABEL, normalizeDevice } from './accelerators.js';
export { allViolations, enforce as enforcePodSecurity, explicitViolations } from './security.js';
export { perRetryUniqueKey, renderString, TASK_TEMPLATE_PATH, templateValues } from './template-vars.js';

/** The annotation naming the primary container; phase mapping reads it (spec 3.1 step 5, 5.5). */
export const PRIMARY_CONTAINER_ANNOTATION = 'primary_container_name';

/**
 * Whether a task's pod carries the primary-container annotation: sidecar tasks always, other types when the pod has
 * exactly one container, except raw-container tasks (Flyte's rule).
 */
export const annotatesPrimary = (taskType: string, containerCount: number): boolean =>
  taskType === 'sidecar' || (containerCount === 1 && taskType !== 'raw-container');

/** The primary container's name of a built pod: its annotation, else its only container's name. */
export const primaryContainerNameOf = (pod: Pod): string | undefined => {
  const annotated = pod.metadata?.annotations?.[PRIMARY_CONTAINER_ANNOTATION];
  if (annotated !== undefined && annotated !== '') return annotated;
  const containers = pod.spec?.containers ?? [];
  return containers.length === 1 ? containers[0]?.name : undefined;
};

/** The primary container of a built pod, if it can be told. */
export const primaryContainerOf = (pod: Pod): Container | undefined => {
  const name = primaryContainerNameOf(pod);
  return name === undefined ? undefined : pod.spec?.containers.find((c) => c.name === name);
};

// -------------------------------------------------------------------------------------
// VS Code readiness probe (spec 3.1 step 4)
// -------------------------------------------------------------------------------------

const VSCODE_ENV = '_F_E_VS';
const truthy = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/**
 * A task that runs VS Code (`_F_E_VS` true in the primary container's env) gets a readiness probe on the server's port
 * (6060 when ACTION_NAME is set, which kubetasks always sets; 8080 otherwise), unless it declares its own.
 */
export const withVsCodeProbe = (raw: RawPod): RawPod => {
  const containers = raw.spec.containers;
  const target =
    containers.find((c) => c.name === raw.primaryContainerName) ??
    (containers.length === 1 ? containers[0] : undefined);
  if (target === undefined || target.readinessProbe !== undefined) return raw;
  const env = target.env ?? [];
  const flag = env.find((e) => e.name === VSCODE_ENV)?.value;
  if (flag === undefined || !truthy.has(flag)) return raw;
  const port = env.some((e) => e.name === 'ACTION_NAME') ? 6060 : 8080;
  const probe: Container['readinessProbe'] = {
    httpGet: { path: '/', port },
    initialDelaySeconds: 15,
    periodSeconds: 5,
    failureThreshold: 50,
  };
  return {
    ...raw,
    spec: {
      ...raw.spec,
      containers: containers.map((c) => (c === target ? { ...c, readinessProbe: probe } : c)),
    },
  };
};

// -------------------------------------------------------------------------------------
// the plugin's build functions
// -------------------------------------------------------------------------------------

const toPod = (ctx: BuildContext, raw: RawPod): Pod => {
  const annotations = annotatesPrimary(ctx.task.task.type, raw.spec.containers.length)
    ? { ...raw.annotations, [PRIMARY_CONTAINER_ANNOTATION]: raw.primaryContainerName }
    : raw.annotations;
  const labels = raw.labels;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(Object.keys(labels).length === 0 ? {} : { labels: { ...labels } }),
      ...(Object.keys(annotations).length === 0 ? {} : { annotations: { ...annotations } }),
    },
    spec: raw.spec,
  };
};

/**
 * The pod plugin's buildResource: buildRawPod, applyPodConfiguration, the VS Code probe and the primary-container
 * annotation. Everything except what the plugin manager adds (name, namespace, the unions with config and execution
 * labels and annotations, owner reference, finalizer: see addObjectMetadata). Never throws: guardBuild turns a
 * bug's exception into a FailedToBuildResource error.
 */
export const buildPodResource = guardBuild('the pod', (ctx): E.Either<BuildError, Pod> =>
  pipe(
    checkExecutionMetadata(ctx),
    E.flatMap(() => buildRawPod(ctx)),
    E.flatMap((raw) => applyPodConfiguration(ctx, raw)),
    E.map((raw) => toPod(ctx, withVsCodeProbe(raw))),
  ),
);

/** The identity object for get, abort and finalize: a Pod (kind "Pod", unlike Flyte's "pod"); the manager names it. */
export const buildPodIdentity = (_ctx: BuildContext): E.Either<BuildError, Pod> =>
  E.right({ apiVersion: 'v1', kind: 'Pod', metadata: {} });

/** A Pod as the generic KubeObject the plugin contract speaks. */
export const podAsKubeObject = (pod: Pod): KubeObject => ({ ...pod, apiVersion: 'v1', kind: 'Pod' });

/** buildPodResource in the shape of Plugin.buildResource. */
export const buildResource = (ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.map(podAsKubeObject)(buildPodResource(ctx));

/** buildPodIdentity in the shape of Plugin.buildIdentityResource. */
export const buildIdentityResource = (ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.map(podAsKubeObject)(buildPodIdentity(ctx));
