// buildRawPod: the pod a task describes, before any platform configuration (spec 3.1 and 3.2).
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { decode, NonEmptyString, StringMap, type PathSegment } from '../../../domain/codec.js';
import type { Container, EnvVar, PodSpec } from '../../../domain/kubernetes.js';
import { annotationsError, labelsError } from '../../../domain/object-metadata.js';
import { envVarNameError } from '../../../domain/names.js';
import {
  badTaskSpecification,
  buildError,
  type BuildContext,
  type BuildError,
} from '../../../domain/plugin.js';
import { generatedName, type TaskContainer } from '../../../domain/task.js';
import { isRecord } from './json.js';
import { mergeValue } from './merge.js';
import { mergeSpecOver } from './pod-templates.js';
import { resourceProblem } from './resources.js';
import { explicitViolations } from './security.js';
import { checkPodSpec, issueToBuildError } from './spec-check.js';
import { renderList, templateValues, type TemplateValues } from './template-vars.js';

/** The pod as a task and its overrides describe it; applyPodConfiguration takes it from here. */
export interface RawPod {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: PodSpec;
  readonly primaryContainerName: string;
}

/** Task types the pod plugin serves. */
export const podTaskTypes: ReadonlyArray<string> = ['container', 'python', 'raw-container', 'sidecar'];

/** Task config key naming the primary container of a pod task (Flyte's). */
export const PRIMARY_CONTAINER_CONFIG_KEY = 'primary_container_name';

type Path = ReadonlyArray<PathSegment>;

// -------------------------------------------------------------------------------------
// one source at a time: each is checked, rendered and vetted under its own path
// -------------------------------------------------------------------------------------

const renderContainer = (c: Container, values: TemplateValues, at: Path): E.Either<BuildError, Container> =>
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

const vetContainers = (
  ctx: BuildContext,
  spec: PodSpec,
  values: TemplateValues,
  at: Path,
): E.Either<BuildError, PodSpec> => {
  const lists = ['containers', 'initContainers'] as const;
  const out: { containers: Container[]; initContainers?: Container[] } = { containers: [] };
  for (const list of lists) {
    const cs = spec[list];
    if (cs === undefined) continue;
    const rendered: Container[] = [];
    for (const [i, c] of cs.entries()) {
      const problem = resourceProblem(c.resources);
      if (problem !== undefined) {
        return E.left(badTaskSpecification(problem.message, [...at, list, i, 'resources', ...problem.path]));
      }
      const r = renderContainer(c, values, [...at, list, i]);
      if (E.isLeft(r)) return r;
      rendered.push(r.right);
    }
    out[list] = rendered;
  }
  const violation = explicitViolations(spec, ctx.config.plugins.k8s['pod-security-standard'])[0];
  if (violation !== undefined) {
    return E.left(buildError('PodSecurityViolation', violation.message, [...at, ...violation.path]));
  }
  return E.right({ ...spec, ...out });
};

/** Checks, renders and vets a pod spec written at `at` in the task file. */
const podSpecFrom = (
  ctx: BuildContext,
  u: unknown,
  values: TemplateValues,
  at: Path,
  requireContainers: boolean,
): E.Either<BuildError, PodSpec> =>
  pipe(
    checkPodSpec(u, { requireContainers }),
    E.mapLeft((issue) => issueToBuildError(issue, at)),
    E.flatMap((spec) => vetContainers(ctx, spec, values, at)),
  );

const metadataFrom = (
  meta:
    | {
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
      }
    | undefined,
  at: Path,
): E.Either<
  BuildError,
  { labels: Readonly<Record<string, string>>; annotations: Readonly<Record<string, string>> }
> => {
  const e =
    labelsError(meta?.labels, [...at, 'labels']) ??
    annotationsError(meta?.annotations, [...at, 'annotations']);
  return e === undefined
    ? E.right({ labels: meta?.labels ?? {}, annotations: meta?.annotations ?? {} })
    : E.left(e);
};

/** The container a container task describes (spec 3.2), named `name`, its command and args rendered. */
const containerFromTask = (
  c: TaskContainer,
  name: string,
  values: TemplateValues,
): E.Either<BuildError, Container> => {
  const at: Path = ['task', 'container'];
  if (c.image.trim() !== c.image) {
    return E.left(
      badTaskSpecification('a container image must not have leading or trailing spaces', [...at, 'image']),
    );
  }
  const env: EnvVar[] = [];
  for (const [i, kv] of (c.env ?? []).entries()) {
    const why = envVarNameError(kv.name);
    if (why !== undefined) return E.left(badTaskSpecification(why, [...at, 'env', i, 'name']));
    env.push({ name: kv.name, value: kv.value });
  }
  const problem = resourceProblem(c.resources);
  if (problem !== undefined)
    return E.left(badTaskSpecification(problem.message, [...at, 'resources', ...problem.path]));
  const base: Container = {
    name,
    image: c.image,
    ...(c.command === undefined ? {} : { command: [...c.command] }),
    ...(c.args === undefined ? {} : { args: [...c.args] }),
    ...(env.length === 0 ? {} : { env }),
    ...(c.resources === undefined
      ? {}
      : {
          resources: {
            ...(c.resources.limits === undefined ? {} : { limits: { ...c.resources.limits } }),
            ...(c.resources.requests === undefined ? {} : { requests: { ...c.resources.requests } }),
          },
        }),
  };
  return renderContainer(base, values, at);
};

// -------------------------------------------------------------------------------------
// legacy sidecar tasks: the pod spec in `custom`
// -------------------------------------------------------------------------------------

const LegacySidecarV0 = t.intersection([
  t.type({ podSpec: t.unknown, primaryContainerName: NonEmptyString }),
  t.partial({ labels: StringMap, annotations: StringMap }),
]);

interface Target {
  readonly spec: PodSpec;
  readonly primary: string;
  /** Where the primary container's name was given, for errors. */
  readonly primaryAt: Path;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const legacySidecar = (
  ctx: BuildContext,
  values: TemplateValues,
): E.Either<BuildError, Target> | undefined => {
  const task = ctx.task.task;
  if (task.type !== 'sidecar' || task.custom === undefined) return undefined;
  if ((task.typeVersion ?? 0) === 0) {
    return pipe(
      decode(LegacySidecarV0)(task.custom),
      E.mapLeft((issue) => issueToBuildError(issue, ['task', 'custom'])),
      E.bindTo('sidecar'),
      E.bind('spec', ({ sidecar }) =>
        podSpecFrom(ctx, sidecar.podSpec, values, ['task', 'custom', 'podSpec'], true),
      ),
      E.bind('meta', ({ sidecar }) => metadataFrom(sidecar, ['task', 'custom'])),
      E.map(({ sidecar, spec, meta }) => ({
        spec,
        primary: sidecar.primaryContainerName,
        primaryAt: ['task', 'custom', 'primaryContainerName'],
        ...meta,
      })),
    );
  }
  if (task.typeVersion === 1) {
    const primary = task.config?.[PRIMARY_CONTAINER_CONFIG_KEY];
    if (primary === undefined || primary === '') {
      return E.left(
        badTaskSpecification(
          `missing, a sidecar task names its primary container in config.${PRIMARY_CONTAINER_CONFIG_KEY}`,
          ['task', 'config'],
        ),
      );
    }
    return pipe(
      podSpecFrom(ctx, task.custom, values, ['task', 'custom'], true),
      E.map((spec) => ({
        spec,
        primary,
        primaryAt: ['task', 'config', PRIMARY_CONTAINER_CONFIG_KEY],
        labels: {},
        annotations: {},
      })),
    );
  }
  return undefined;
};

// -------------------------------------------------------------------------------------
// the target: container, pod template, both, or a legacy sidecar
// -------------------------------------------------------------------------------------

const targetOf = (ctx: BuildContext, values: TemplateValues): E.Either<BuildError, Target> => {
  const task = ctx.task.task;
  const pt = task.podTemplate;
  const configPrimary = task.config?.[PRIMARY_CONTAINER_CONFIG_KEY];
  if (pt !== undefined) {
    const at: Path = ['task', 'podTemplate'];
    const spec = podSpecFrom(ctx, pt.spec, values, [...at, 'spec'], task.container === undefined);
    if (E.isLeft(spec)) return spec;
    const meta = metadataFrom(pt.metadata, [...at, 'metadata']);
    if (E.isLeft(meta)) return meta;
    const named = pt.primaryContainerName ?? (configPrimary === '' ? undefined : configPrimary);
    const primaryAt: Path =
      pt.primaryContainerName !== undefined
        ? [...at, 'primaryContainerName']
        : ['task', 'config', PRIMARY_CONTAINER_CONFIG_KEY];
    if (task.container === undefined) {
      if (named === undefined) {
        return E.left(
          badTaskSpecification(
            `missing, expected the name of the primary container (or config.${PRIMARY_CONTAINER_CONFIG_KEY})`,
            [...at, 'primaryContainerName'],
          ),
        );
      }
      return E.right({ spec: spec.right, primary: named, primaryAt, ...meta.right });
    }
    // A task with both: the task's container is the primary container of the pod template, filled in over the
    // template's container of that name (as flytekit serializes a task with a pod template).
    const name = named ?? generatedName(ctx.task);
    const c = containerFromTask(task.container, name, values);
    if (E.isLeft(c)) return c;
    const containers = spec.right.containers ?? [];
    const present = containers.some((x) => x.name === name);
    const merged = present
      ? containers.map((x) => (x.name === name ? (mergeValue(x, c.right) as Container) : x))
      : [c.right, ...containers];
    return E.right({ spec: { ...spec.right, containers: merged }, primary: name, primaryAt, ...meta.right });
  }
  if (task.container !== undefined) {
    const c = containerFromTask(task.container, generatedName(ctx.task), values);
    if (E.isLeft(c)) return c;
    return E.right({
      spec: { containers: [c.right] },
      primary: c.right.name,
      primaryAt: ['task', 'container'],
      labels: {},
      annotations: {},
    });
  }
  const legacy = legacySidecar(ctx, values);
  if (legacy !== undefined) return legacy;
  return E.left(
    badTaskSpecification(`missing, a ${task.type} task needs a container or a podTemplate`, [
      'task',
      'container',
    ]),
  );
};

/**
 * The raw pod (spec 3.2, without anything from the platform config): the task's container, pod template, both, or a
 * legacy sidecar spec; command and args rendered (spec 3.10) in each source before merging; then the execution's pod
 * template override merged over it (see mergeSpecOver: the task's container stays unless the override defines one of
 * the same name). Every source is checked where it is written, so errors name the task-file field.
 */
export const buildRawPod = (ctx: BuildContext): E.Either<BuildError, RawPod> => {
  const values = templateValues(ctx.task);
  const target = targetOf(ctx, values);
  if (E.isLeft(target)) return target;
  let { spec, primary, primaryAt, labels, annotations } = target.right;
  const override = ctx.task.execution.overrides?.podTemplate;
  if (override !== undefined) {
    const at: Path = ['execution', 'overrides', 'podTemplate'];
    const ospec = podSpecFrom(ctx, override.spec, values, [...at, 'spec'], false);
    if (E.isLeft(ospec)) return ospec;
    const meta = metadataFrom(override.metadata, [...at, 'metadata']);
    if (E.isLeft(meta)) return meta;
    spec = mergeSpecOver(spec, ospec.right);
    labels = { ...labels, ...meta.right.labels };
    annotations = { ...annotations, ...meta.right.annotations };
    if (override.primaryContainerName !== undefined) {
      primary = override.primaryContainerName;
      primaryAt = [...at, 'primaryContainerName'];
    }
  }
  if (!spec.containers.some((c) => isRecord(c) && c.name === primary)) {
    return E.left(
      badTaskSpecification(
        `the primary container ${JSON.stringify(primary)} is not one of the pod's containers`,
        primaryAt,
      ),
    );
  }
  return E.right({ labels, annotations, spec, primaryContainerName: primary });
};
