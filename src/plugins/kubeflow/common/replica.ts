// Replica specs: a role's pod built with the pod plugin's construction rules, renamed and overridden per group.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { PathSegment } from '../../../domain/codec.js';
import type { Container, PodSpec } from '../../../domain/kubernetes.js';
import { taskPodMetadata } from '../../../domain/object-metadata.js';
import { badTaskSpecification, type BuildContext, type BuildError } from '../../../domain/plugin.js';
import { applyPodConfiguration, buildRawPod, resourceProblem, type RawPod } from '../../pod/build/index.js';
import type { GroupResources, RestartPolicy } from './payload.js';

/** A replica spec as the training operator's CRDs declare it (`<kind>ReplicaSpecs.<Type>`). */
export interface ReplicaSpec {
  readonly replicas: number;
  readonly restartPolicy: RestartPolicy;
  readonly template: {
    readonly metadata: {
      readonly labels: Readonly<Record<string, string>>;
      readonly annotations: Readonly<Record<string, string>>;
    };
    readonly spec: PodSpec;
  };
}

/** kubectl's default-container annotation: `kubectl logs` and log links pick the operator's container. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** What a replica group may change about the task's pod (all optional; Flyte's ToReplicaSpecWithOverrides). */
export interface GroupOverrides {
  readonly replicas: number;
  readonly image?: string;
  readonly resources?: GroupResources;
  readonly restartPolicy?: RestartPolicy;
  /** Replaces the operator container's args when non-empty (MPI groups' `command`). */
  readonly args?: ReadonlyArray<string>;
  /** Replaces the operator container's command (MPI v0 workers run the image's entrypoint). */
  readonly command?: ReadonlyArray<string>;
  /** Where the group is written in the task file, for errors. */
  readonly path: ReadonlyArray<PathSegment>;
  /** Where the group's resources are written, for errors. */
  readonly resourcesPath?: ReadonlyArray<PathSegment>;
}

/** The pod a role runs before renaming: the pod plugin's raw pod with the platform configuration applied. */
export const buildRolePod = (ctx: BuildContext): E.Either<BuildError, RawPod> =>
  pipe(
    buildRawPod(ctx),
    E.flatMap((raw) => applyPodConfiguration(ctx, raw)),
  );

/**
 * A context whose execution resource overrides are the group's resources (Flyte builds the group's pod from a
 * derived context the same way): they apply to the primary container name by name, then platform ceilings.
 */
export const withGroupResources = (ctx: BuildContext, resources: GroupResources): BuildContext => {
  const exec = ctx.task.execution;
  const requests = resources.requests ?? {};
  const limits = resources.limits ?? {};
  return {
    ...ctx,
    task: {
      ...ctx.task,
      execution: {
        ...exec,
        overrides: {
          ...exec.overrides,
          resources: {
            ...(Object.keys(requests).length === 0 ? {} : { requests }),
            ...(Object.keys(limits).length === 0 ? {} : { limits }),
          },
        },
      },
    },
  };
};

/** Renames the primary container to the operator's mandatory container name; a clash is the task's error. */
export const renamePrimary = (pod: RawPod, containerName: string): E.Either<BuildError, PodSpec> => {
  const primary = pod.primaryContainerName;
  if (primary !== containerName && pod.spec.containers.some((c) => c.name === containerName)) {
    return E.left(
      badTaskSpecification(
        `the pod already has a container named ${JSON.stringify(containerName)}, the name the training operator ` +
          `requires for the task's own container ${JSON.stringify(primary)}`,
        ['task', 'podTemplate', 'spec', 'containers'],
      ),
    );
  }
  return E.right({
    ...pod.spec,
    containers: pod.spec.containers.map((c) => (c.name === primary ? { ...c, name: containerName } : c)),
  });
};

const overrideContainer = (c: Container, g: GroupOverrides): Container => {
  const { command: _command, args: _args, ...rest } = c;
  const image = g.image !== undefined && g.image !== '' ? g.image : c.image;
  const command = g.command ?? c.command;
  const args =
    g.args !== undefined && g.args.length > 0 ? g.args : g.command !== undefined ? undefined : c.args;
  return {
    ...rest,
    ...(image === undefined ? {} : { image }),
    ...(command === undefined || command.length === 0 ? {} : { command: [...command] }),
    ...(args === undefined || args.length === 0 ? {} : { args: [...args] }),
  };
};

/**
 * Pod-template metadata of every role: the one policy of CRD plugins (taskPodMetadata: config defaults < the pod's own
 * < the execution's, the managed label, no `kubetasks.dev/` annotation), plus kubectl's default container.
 */
export const templateMetadata = (
  ctx: BuildContext,
  pod: RawPod,
  containerName: string,
): ReplicaSpec['template']['metadata'] => {
  const meta = taskPodMetadata(ctx, pod);
  return {
    labels: meta.labels,
    annotations: { ...meta.annotations, [DEFAULT_CONTAINER_ANNOTATION]: containerName },
  };
};

/** The group's pod: the task's own, or, when the group sets resources, one built with them (checked first). */
const groupPod = (ctx: BuildContext, base: RawPod, g: GroupOverrides): E.Either<BuildError, RawPod> => {
  const res = g.resources;
  if (res === undefined || (res.requests === undefined && res.limits === undefined)) return E.right(base);
  const problem = resourceProblem(res);
  return problem === undefined
    ? buildRolePod(withGroupResources(ctx, res))
    : E.left(badTaskSpecification(problem.message, [...(g.resourcesPath ?? g.path), ...problem.path]));
};

/**
 * One role's replica spec: the role's pod (the task's, or with the group's resources), the primary container renamed
 * to `containerName`, then the group's image and args (or command) on that container, the group's restart policy
 * (unset: Never) and replica count.
 */
export const replicaSpec = (
  ctx: BuildContext,
  base: RawPod,
  containerName: string,
  g: GroupOverrides,
): E.Either<BuildError, ReplicaSpec> =>
  pipe(
    groupPod(ctx, base, g),
    E.bindTo('pod'),
    E.bind('spec', ({ pod }) => renamePrimary(pod, containerName)),
    E.map(({ pod, spec }) => {
      const containers = spec.containers.map((c) => (c.name === containerName ? overrideContainer(c, g) : c));
      // The operator sets each pod's restart policy from the replica spec (and warns about one in the template).
      const { restartPolicy: _ignored, ...podSpec } = spec;
      return {
        replicas: g.replicas,
        restartPolicy: g.restartPolicy ?? 'Never',
        template: {
          metadata: templateMetadata(ctx, pod, containerName),
          spec: { ...podSpec, containers },
        },
      };
    }),
  );
