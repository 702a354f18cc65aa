// applyPodConfiguration: templates, resources, env, platform defaults and constraints on a raw pod, in one fixed order.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { renderPath } from '../../../domain/codec.js';
import type { PodSpec } from '../../../domain/kubernetes.js';
import { annotationsError, labelsError } from '../../../domain/object-metadata.js';
import {
  badTaskSpecification,
  buildError,
  type BuildContext,
  type BuildError,
} from '../../../domain/plugin.js';
import { isInterruptible } from '../../../domain/task.js';
import {
  acceleratorSettings,
  applySharedMemory,
  extendedResourceTolerations,
  extendedResourcesOf,
  gpuScheduling,
  resourceTolerations,
  type GpuScheduling,
} from './accelerators.js';
import { applyOverrides, configureContainers, missingImage, type ContainerRules } from './containers.js';
import { executionEnv, platformEnv, systemEnv } from './env.js';
import { setOptional, unionMaps } from './json.js';
import { applyPodDefaults } from './pod-defaults.js';
import { suppliedValuesError } from './platform-checks.js';
import type { RawPod } from './raw-pod.js';
import { resourcePolicy } from './resources.js';
import { addRequiredRequirements, applyDefaultAffinity, unionTolerations } from './scheduling.js';
import { allViolations, annotationViolations, enforce } from './security.js';
import { underTemplates } from './template-layers.js';

/**
 * Scheduling constraints, AND-ed or added so nothing escapes them: node selectors, tolerations (resource,
 * interruptible, default, accelerator, extended-resource), the default affinity and the (non-)interruptible and
 * accelerator node requirements in every required term.
 */
const constrained = (ctx: BuildContext, spec: PodSpec, gpu: GpuScheduling): PodSpec => {
  const k8s = ctx.config.plugins.k8s;
  const interruptible = isInterruptible(ctx.task);
  const nodeSelector = unionMaps(
    k8s['default-node-selector'],
    spec.nodeSelector,
    interruptible ? k8s['interruptible-node-selector'] : undefined,
  );
  const tolerations = unionTolerations(
    spec.tolerations,
    resourceTolerations(k8s, spec),
    interruptible ? k8s['interruptible-tolerations'] : [],
    k8s['default-tolerations'],
    gpu.tolerations,
    extendedResourceTolerations(k8s, spec),
  );
  const requirement = interruptible
    ? k8s['interruptible-node-selector-requirement']
    : k8s['non-interruptible-node-selector-requirement'];
  const affinity = addRequiredRequirements(
    addRequiredRequirements(
      applyDefaultAffinity(spec.affinity, k8s['default-affinity']),
      requirement === undefined ? [] : [requirement],
    ),
    gpu.requirements,
  );
  return setOptional(
    setOptional(
      setOptional(spec, 'nodeSelector', nodeSelector),
      'tolerations',
      tolerations.length === 0 ? undefined : [...tolerations],
    ),
    'affinity',
    affinity,
  );
};

/** The last word on the finished pod: the Pod Security Standard, an image for every container, valid metadata. */
const finalCheck = (ctx: BuildContext, pod: RawPod): E.Either<BuildError, RawPod> => {
  const profile = ctx.config.plugins.k8s['pod-security-standard'];
  const violation = [
    ...allViolations(pod.spec, profile).map((v) => ({ ...v, where: `spec.${renderPath(v.path)}` })),
    ...annotationViolations(pod.annotations, profile).map((v) => ({
      ...v,
      where: `metadata.annotations.${renderPath(v.path)}`,
    })),
  ][0];
  if (violation !== undefined)
    return E.left(buildError('PodSecurityViolation', `${violation.where}: ${violation.message}`));
  const noImage = missingImage(ctx, pod.spec);
  if (noImage !== undefined) return E.left(noImage);
  const metaError = labelsError(pod.labels, []) ?? annotationsError(pod.annotations, []);
  if (metaError !== undefined) {
    return E.left(
      buildError(metaError.code, `metadata: ${renderPath(metaError.path ?? [])}: ${metaError.message}`),
    );
  }
  return E.right(pod);
};

/**
 * Applies the platform to a raw pod, in this order (see docs/pod-construction.md for the precedence table):
 *  1. checks of platform-supplied values (env names, the Pod Security Standard against the config's own contexts);
 *  2. base PodTemplate, then the accelerator device class's pod template, merged under the pod;
 *  3. execution overrides on the primary container: resources (per resource name) and image;
 *  4. every container and init container: the resource rule, env (system > execution > container > platform),
 *     envFrom, image pull policy, termination message policy, default security context;
 *  5. pod defaults for what is still unset: restart policy Never, service links off, service account
 *     (task pod spec > task runAs > execution > template > executor default), scheduler name, pod security context,
 *     DNS config; host networking forced when the config says so;
 *  6. scheduling constraints, AND-ed or added so nothing escapes them: node selectors, tolerations (resource,
 *     interruptible, default, accelerator, extended-resource), default affinity and the (non-)interruptible and
 *     accelerator node requirements in every required term;
 *  7. shared memory on the primary container; the GPU partition label;
 *  8. the Pod Security Standard: restricted fills what it requires, then every violation is an error.
 * Idempotent: applying it to its own output changes nothing.
 */
export const applyPodConfiguration = (ctx: BuildContext, raw: RawPod): E.Either<BuildError, RawPod> => {
  const k8s = ctx.config.plugins.k8s;
  const early = suppliedValuesError(ctx);
  if (early !== undefined) return E.left(early);

  const ext = extendedResourcesOf(ctx);
  const accelerator = acceleratorSettings(k8s, ext.accelerator?.value);
  const gpuName = ext.accelerator === undefined ? k8s['gpu-resource-name'] : accelerator.resourceName;
  const primary = raw.primaryContainerName;
  const rules: ContainerRules = {
    policy: resourcePolicy(ctx, gpuName),
    system: systemEnv(ctx.task),
    platform: platformEnv(ctx),
    execution: executionEnv(ctx.task),
  };
  return pipe(
    E.Do,
    E.bind('templated', () => underTemplates(ctx, raw, accelerator, ext.accelerator !== undefined, gpuName)),
    E.filterOrElse(
      ({ templated }) => templated.spec.containers.some((c) => c.name === primary),
      () =>
        badTaskSpecification(
          `the primary container ${JSON.stringify(primary)} is not one of the pod's containers`,
        ),
    ),
    E.bind('configured', ({ templated }) =>
      pipe(
        applyOverrides(ctx, templated.spec, primary, gpuName),
        E.flatMap((spec) => configureContainers(ctx, rules, spec)),
        E.map((spec) => applyPodDefaults(ctx, raw.spec, spec)),
      ),
    ),
    E.bind('gpu', ({ configured }) => gpuScheduling(ctx, configured, ext.accelerator, accelerator)),
    E.bind('spec', ({ configured, gpu }) =>
      applySharedMemory(constrained(ctx, configured, gpu), primary, ext.sharedMemory),
    ),
    E.flatMap(({ templated, gpu, spec }) =>
      finalCheck(ctx, {
        labels: { ...templated.labels, ...gpu.labels },
        annotations: templated.annotations,
        spec: enforce(spec, k8s['pod-security-standard']),
        primaryContainerName: primary,
      }),
    ),
  );
};
