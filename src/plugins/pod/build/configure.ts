// applyPodConfiguration: templates, resources, env, platform defaults and constraints on a raw pod, in one fixed order.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { renderPath, type PathSegment } from '../../../domain/codec.js';
import type { Container, PodSpec } from '../../../domain/kubernetes.js';
import { envVarNameError } from '../../../domain/names.js';
import { annotationsError, labelsError } from '../../../domain/object-metadata.js';
import type { K8sPluginConfig } from '../../../domain/platform-config.js';
import {
  badTaskSpecification,
  buildError,
  type BuildContext,
  type BuildError,
} from '../../../domain/plugin.js';
import { isInterruptible, serviceAccountOf } from '../../../domain/task.js';
import {
  acceleratorSettings,
  applySharedMemory,
  extendedResourceTolerations,
  extendedResourcesOf,
  gpuScheduling,
  resourceTolerations,
  type AcceleratorSettings,
} from './accelerators.js';
import { combineEnv, combineEnvFrom, executionEnv, platformEnv, systemEnv } from './env.js';
import { setOptional, unionMaps } from './json.js';
import { merge, mergeValue } from './merge.js';
import { baseTemplate, mergeSpecUnder, templateLabel } from './pod-templates.js';
import type { RawPod } from './raw-pod.js';
import {
  applyResourceRule,
  convertGpuKey,
  resourcePolicy,
  resourceProblem,
  type ResourcePolicy,
} from './resources.js';
import { addRequiredRequirements, applyDefaultAffinity, unionTolerations } from './scheduling.js';
import { allViolations, annotationViolations, enforce, explicitViolations } from './security.js';
import { checkPodSpec, issueMessage } from './spec-check.js';

type Path = ReadonlyArray<PathSegment>;

/** The built-in defaults, lowest of all: what a task pod is when nobody says otherwise. */
export const BUILT_IN = {
  restartPolicy: 'Never',
  enableServiceLinks: false,
  terminationMessagePolicy: 'FallbackToLogsOnError',
} as const;

const at = (path: Path): string => renderPath(path);

// -------------------------------------------------------------------------------------
// templates: base PodTemplate and the accelerator device class's, under the pod
// -------------------------------------------------------------------------------------

interface TemplateSource {
  readonly label: string;
  readonly spec: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
}

const asStringMap = (u: unknown): Readonly<Record<string, string>> | undefined =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  Object.values(u).every((v) => typeof v === 'string')
    ? (u as Readonly<Record<string, string>>)
    : undefined;

const templateSources = (
  ctx: BuildContext,
  accelerator: AcceleratorSettings,
  withAccelerator: boolean,
): E.Either<BuildError, ReadonlyArray<TemplateSource>> => {
  const base = baseTemplate(ctx);
  if (E.isLeft(base)) return base;
  const out: TemplateSource[] = [];
  if (base.right !== undefined) {
    const tpl = base.right.template;
    out.push({
      label: templateLabel(base.right),
      spec: tpl.spec,
      labels: tpl.metadata?.labels,
      annotations: tpl.metadata?.annotations,
    });
  }
  const dc = accelerator.podTemplate;
  if (withAccelerator && dc !== undefined) {
    const meta = dc.metadata;
    out.push({
      label: 'the accelerator device class pod-template',
      spec: dc.spec,
      labels: meta?.['labels'],
      annotations: meta?.['annotations'],
    });
  }
  return E.right(out);
};

/** Every container's generic `gpu` resource as the accelerator's resource name, so sources merge by real names. */
const convertSpecGpu = (spec: PodSpec, gpuName: string): PodSpec => {
  const convert = (c: Container): Container =>
    setOptional(c, 'resources', convertGpuKey(c.resources, gpuName));
  return {
    ...spec,
    ...(spec.containers === undefined ? {} : { containers: spec.containers.map(convert) }),
    ...(spec.initContainers === undefined ? {} : { initContainers: spec.initContainers.map(convert) }),
  };
};

/** Merges each template under the pod, highest-precedence template first (base, then device class). */
const mergeTemplates = (
  ctx: BuildContext,
  raw: RawPod,
  templates: ReadonlyArray<TemplateSource>,
  gpuName: string,
): E.Either<BuildError, RawPod> => {
  let pod = raw;
  const profile = ctx.config.plugins.k8s['pod-security-standard'];
  for (const tpl of templates) {
    const fail = (message: string) => E.left(buildError('BadTaskSpecification', `${tpl.label}: ${message}`));
    const checked = checkPodSpec(tpl.spec, { requireContainers: false });
    if (E.isLeft(checked)) {
      const issue = checked.left[0];
      return fail(issue === undefined ? 'invalid spec' : `spec.${at(issue.path)}: ${issueMessage(issue)}`);
    }
    const spec = convertSpecGpu(checked.right, gpuName);
    for (const list of ['containers', 'initContainers'] as const) {
      for (const [i, c] of (spec[list] ?? []).entries()) {
        const problem = resourceProblem(c.resources);
        if (problem !== undefined)
          return fail(`spec.${list}[${i}].resources.${at(problem.path)}: ${problem.message}`);
      }
    }
    const violation = explicitViolations(spec, profile)[0];
    if (violation !== undefined) {
      return E.left(
        buildError('PodSecurityViolation', `${tpl.label}: spec.${at(violation.path)}: ${violation.message}`),
      );
    }
    const labels = tpl.labels === undefined ? {} : asStringMap(tpl.labels);
    const annotations = tpl.annotations === undefined ? {} : asStringMap(tpl.annotations);
    if (labels === undefined || annotations === undefined)
      return fail('metadata labels and annotations must map names to strings');
    const metaError =
      labelsError(labels, ['metadata', 'labels']) ??
      annotationsError(annotations, ['metadata', 'annotations']);
    if (metaError !== undefined) return fail(`${at(metaError.path ?? [])}: ${metaError.message}`);
    pod = {
      ...pod,
      labels: { ...labels, ...pod.labels },
      annotations: { ...annotations, ...pod.annotations },
      spec: mergeSpecUnder(spec, pod.spec, pod.primaryContainerName),
    };
  }
  return E.right(pod);
};

// -------------------------------------------------------------------------------------
// containers
// -------------------------------------------------------------------------------------

interface ContainerRules {
  readonly policy: ResourcePolicy;
  readonly system: ReturnType<typeof systemEnv>;
  readonly platform: ReturnType<typeof platformEnv>;
  readonly execution: ReturnType<typeof executionEnv>;
}

const configureContainer = (
  ctx: BuildContext,
  rules: ContainerRules,
  c: Container,
): E.Either<BuildError, Container> => {
  const k8s = ctx.config.plugins.k8s;
  const resources = applyResourceRule(c.resources, rules.policy);
  if (E.isLeft(resources)) {
    return E.left(
      badTaskSpecification(
        `container ${JSON.stringify(c.name)}: resources.${at(resources.left.path)}: ${resources.left.message}`,
      ),
    );
  }
  const env = combineEnv(rules.system, rules.platform, rules.execution, c.env ?? []);
  const envFrom = combineEnvFrom(ctx, c.envFrom);
  const pullPolicy = k8s['image-pull-policy'];
  const securityContext = merge(k8s['default-security-context'], c.securityContext);
  let out: Container = {
    ...c,
    env: [...env],
    resources: resources.right,
    terminationMessagePolicy: c.terminationMessagePolicy ?? BUILT_IN.terminationMessagePolicy,
  };
  out = setOptional(out, 'envFrom', envFrom.length === 0 ? undefined : [...envFrom]);
  out = setOptional(
    out,
    'imagePullPolicy',
    c.imagePullPolicy ?? (pullPolicy === '' ? undefined : pullPolicy),
  );
  out = setOptional(out, 'securityContext', securityContext);
  return E.right(out);
};

const configureContainers = (
  ctx: BuildContext,
  rules: ContainerRules,
  spec: PodSpec,
): E.Either<BuildError, PodSpec> => {
  const run = (cs: ReadonlyArray<Container>): E.Either<BuildError, Container[]> =>
    pipe(
      cs,
      E.traverseArray((c) => configureContainer(ctx, rules, c)),
      E.map((out) => [...out]),
    );
  const init = spec.initContainers;
  return pipe(
    E.Do,
    E.apS('containers', run(spec.containers)),
    E.apS('initContainers', init === undefined ? E.right(undefined) : run(init)),
    E.map(({ containers, initContainers }) => ({
      ...spec,
      containers,
      ...(initContainers === undefined ? {} : { initContainers }),
    })),
  );
};

/** Execution overrides on the primary container: resources (whole resources, per name) and the image. */
const applyOverrides = (
  ctx: BuildContext,
  spec: PodSpec,
  primary: string,
  gpuName: string,
): E.Either<BuildError, PodSpec> => {
  const overrides = ctx.task.execution.overrides;
  const resources = overrides?.resources;
  const image = overrides?.containerImage;
  if (resources === undefined && image === undefined) return E.right(spec);
  if (resources !== undefined) {
    const problem = resourceProblem(resources);
    if (problem !== undefined) {
      return E.left(
        badTaskSpecification(problem.message, ['execution', 'overrides', 'resources', ...problem.path]),
      );
    }
  }
  if (image !== undefined && image.trim() !== image) {
    return E.left(
      badTaskSpecification('a container image must not have leading or trailing spaces', [
        'execution',
        'overrides',
        'containerImage',
      ]),
    );
  }
  const containers = spec.containers.map((c) => {
    if (c.name !== primary) return c;
    const withResources =
      resources === undefined
        ? c
        : setOptional(
            c,
            'resources',
            mergeValue(
              convertGpuKey(c.resources, gpuName),
              convertGpuKey(resources, gpuName),
              'resources',
            ) as Container['resources'],
          );
    return image === undefined ? withResources : { ...withResources, image };
  });
  return E.right({ ...spec, containers });
};

// -------------------------------------------------------------------------------------
// checks of platform-supplied values
// -------------------------------------------------------------------------------------

const configError = (k8s: K8sPluginConfig): BuildError | undefined => {
  for (const key of ['default-env-vars', 'default-env-vars-from-env'] as const) {
    for (const name of Object.keys(k8s[key])) {
      const why = envVarNameError(name);
      if (why !== undefined)
        return badTaskSpecification(`plugins.k8s.${key}[${JSON.stringify(name)}]: ${why}`);
    }
  }
  const profile = k8s['pod-security-standard'];
  const hostNetwork = k8s['enable-host-networking-pod'];
  const probe: PodSpec = {
    ...(hostNetwork === undefined ? {} : { hostNetwork }),
    ...(k8s['default-pod-security-context'] === undefined
      ? {}
      : { securityContext: k8s['default-pod-security-context'] }),
    containers: [
      {
        name: 'probe',
        ...(k8s['default-security-context'] === undefined
          ? {}
          : { securityContext: k8s['default-security-context'] }),
      },
    ],
  };
  const v = explicitViolations(probe, profile)[0];
  if (v === undefined) return undefined;
  const [head, ...rest] = v.path;
  const where =
    head === 'hostNetwork'
      ? 'plugins.k8s.enable-host-networking-pod'
      : head === 'securityContext'
        ? `plugins.k8s.default-pod-security-context.${at(rest)}`
        : `plugins.k8s.default-security-context.${at(rest.slice(2))}`;
  return buildError('PodSecurityViolation', `${where}: ${v.message}`);
};

const executionEnvError = (ctx: BuildContext): BuildError | undefined => {
  for (const name of Object.keys(ctx.task.execution.environment ?? {})) {
    const why = envVarNameError(name);
    if (why !== undefined) return badTaskSpecification(why, ['execution', 'environment', name]);
  }
  return undefined;
};

/** Where a container of the final pod was written in the task file, for errors found late. */
const containerPath = (ctx: BuildContext, name: string): Path | undefined => {
  const sources: ReadonlyArray<[unknown, Path]> = [
    [ctx.task.execution.overrides?.podTemplate?.spec, ['execution', 'overrides', 'podTemplate', 'spec']],
    [ctx.task.task.podTemplate?.spec, ['task', 'podTemplate', 'spec']],
  ];
  for (const [spec, path] of sources) {
    const cs = (spec as { containers?: unknown } | undefined)?.containers;
    if (!Array.isArray(cs)) continue;
    const i = (cs as ReadonlyArray<{ name?: unknown }>).findIndex((c) => c.name === name);
    if (i >= 0) return [...path, 'containers', i];
  }
  return undefined;
};

// -------------------------------------------------------------------------------------
// the pipeline
// -------------------------------------------------------------------------------------

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
  const te = ctx.task;
  const profile = k8s['pod-security-standard'];
  const early = configError(k8s) ?? executionEnvError(ctx);
  if (early !== undefined) return E.left(early);

  const ext = extendedResourcesOf(ctx);
  const accelerator = acceleratorSettings(k8s, ext.accelerator?.value);
  const gpuName = ext.accelerator === undefined ? k8s['gpu-resource-name'] : accelerator.resourceName;

  // 2. templates
  const templates = templateSources(ctx, accelerator, ext.accelerator !== undefined);
  if (E.isLeft(templates)) return templates;
  const templated = mergeTemplates(
    ctx,
    { ...raw, spec: convertSpecGpu(raw.spec, gpuName) },
    templates.right,
    gpuName,
  );
  if (E.isLeft(templated)) return templated;
  const primary = raw.primaryContainerName;
  let spec = templated.right.spec;
  let labels = templated.right.labels;
  const annotations = templated.right.annotations;
  if (!spec.containers.some((c) => c.name === primary)) {
    return E.left(
      badTaskSpecification(
        `the primary container ${JSON.stringify(primary)} is not one of the pod's containers`,
      ),
    );
  }

  // 3. overrides
  const overridden = applyOverrides(ctx, spec, primary, gpuName);
  if (E.isLeft(overridden)) return overridden;
  spec = overridden.right;

  // 4. containers
  const rules: ContainerRules = {
    policy: resourcePolicy(ctx, gpuName),
    system: systemEnv(te),
    platform: platformEnv(ctx),
    execution: executionEnv(te),
  };
  const configured = configureContainers(ctx, rules, spec);
  if (E.isLeft(configured)) return configured;
  spec = configured.right;

  // 5. pod defaults
  const serviceAccount =
    raw.spec.serviceAccountName ??
    serviceAccountOf(te) ??
    spec.serviceAccountName ??
    (ctx.config.executor['default-k8s-service-account'] === ''
      ? undefined
      : ctx.config.executor['default-k8s-service-account']);
  const scheduler = spec.schedulerName ?? (k8s['scheduler-name'] === '' ? undefined : k8s['scheduler-name']);
  spec = {
    ...spec,
    restartPolicy: spec.restartPolicy ?? BUILT_IN.restartPolicy,
    enableServiceLinks: spec.enableServiceLinks ?? BUILT_IN.enableServiceLinks,
  };
  spec = setOptional(spec, 'serviceAccountName', serviceAccount);
  spec = setOptional(spec, 'schedulerName', scheduler);
  spec = setOptional(
    spec,
    'securityContext',
    merge(k8s['default-pod-security-context'], spec.securityContext),
  );
  spec = setOptional(spec, 'dnsConfig', merge(k8s['default-pod-dns-config'], spec.dnsConfig));
  const hostNetwork = k8s['enable-host-networking-pod'];
  if (hostNetwork !== undefined) spec = { ...spec, hostNetwork };

  // 6. scheduling
  const interruptible = isInterruptible(te);
  const gpu = gpuScheduling(ctx, spec, ext.accelerator, accelerator);
  if (E.isLeft(gpu)) return gpu;
  spec = setOptional(
    spec,
    'nodeSelector',
    unionMaps(
      k8s['default-node-selector'],
      spec.nodeSelector,
      interruptible ? k8s['interruptible-node-selector'] : undefined,
    ),
  );
  const tolerations = unionTolerations(
    spec.tolerations,
    resourceTolerations(k8s, spec),
    interruptible ? k8s['interruptible-tolerations'] : [],
    k8s['default-tolerations'],
    gpu.right.tolerations,
    extendedResourceTolerations(k8s, spec),
  );
  spec = setOptional(spec, 'tolerations', tolerations.length === 0 ? undefined : [...tolerations]);
  const requirement = interruptible
    ? k8s['interruptible-node-selector-requirement']
    : k8s['non-interruptible-node-selector-requirement'];
  const affinity = addRequiredRequirements(
    addRequiredRequirements(
      applyDefaultAffinity(spec.affinity, k8s['default-affinity']),
      requirement === undefined ? [] : [requirement],
    ),
    gpu.right.requirements,
  );
  spec = setOptional(spec, 'affinity', affinity);

  // 7. shared memory and the partition label
  const shm = applySharedMemory(spec, primary, ext.sharedMemory);
  if (E.isLeft(shm)) return shm;
  spec = shm.right;
  labels = { ...labels, ...gpu.right.labels };

  // 8. Pod Security Standard
  spec = enforce(spec, profile);
  const violation = [
    ...allViolations(spec, profile).map((v) => ({ ...v, where: `spec.${at(v.path)}` })),
    ...annotationViolations(annotations, profile).map((v) => ({
      ...v,
      where: `metadata.annotations.${at(v.path)}`,
    })),
  ][0];
  if (violation !== undefined)
    return E.left(buildError('PodSecurityViolation', `${violation.where}: ${violation.message}`));

  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (c.image === undefined || c.image === '') {
      const path = containerPath(ctx, c.name);
      return E.left(
        path === undefined
          ? badTaskSpecification(`container ${JSON.stringify(c.name)} has no image`)
          : badTaskSpecification('missing, expected a container image', [...path, 'image']),
      );
    }
  }
  const metaError = labelsError(labels, []) ?? annotationsError(annotations, []);
  if (metaError !== undefined) {
    return E.left(buildError(metaError.code, `metadata: ${at(metaError.path ?? [])}: ${metaError.message}`));
  }
  return E.right({ labels, annotations, spec, primaryContainerName: primary });
};
