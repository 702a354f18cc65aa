// Container settings: execution overrides on the primary container, then every container's resources, env,
// image pull policy and security context; and the check that every container of the final pod has an image.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { renderPath, type PathSegment } from '../../../domain/codec.js';
import type { Container, EnvVar, PodSpec } from '../../../domain/kubernetes.js';
import { badTaskSpecification, type BuildContext, type BuildError } from '../../../domain/plugin.js';
import { combineEnv, combineEnvFrom } from './env.js';
import { setOptional } from './json.js';
import { merge, mergeValue } from './merge.js';
import { BUILT_IN } from './pod-defaults.js';
import { applyResourceRule, convertGpuKey, resourceProblem, type ResourcePolicy } from './resources.js';

type Path = ReadonlyArray<PathSegment>;

/** What every container gets: the resource rule and the env layers (system, platform, execution). */
export interface ContainerRules {
  readonly policy: ResourcePolicy;
  readonly system: ReadonlyArray<EnvVar>;
  readonly platform: ReadonlyArray<EnvVar>;
  readonly execution: ReadonlyArray<EnvVar>;
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
        `container ${JSON.stringify(c.name)}: resources.${renderPath(resources.left.path)}: ${resources.left.message}`,
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

/** Every container and init container configured by `rules`; the first failure is the answer. */
export const configureContainers = (
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
export const applyOverrides = (
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

/**
 * The first container (init containers first) of the final pod without an image, as an error at the place the task
 * file wrote that container, when it did.
 */
export const missingImage = (ctx: BuildContext, spec: PodSpec): BuildError | undefined => {
  const c = [...(spec.initContainers ?? []), ...spec.containers].find(
    (x) => x.image === undefined || x.image === '',
  );
  if (c === undefined) return undefined;
  const path = containerPath(ctx, c.name);
  return path === undefined
    ? badTaskSpecification(`container ${JSON.stringify(c.name)} has no image`)
    : badTaskSpecification('missing, expected a container image', [...path, 'image']);
};
