// The dask plugin's buildResource: a DaskJob whose job runner, scheduler and workers come from the pod plugin's construction.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { PathSegment } from '../../domain/codec.js';
import type { Container, KubeObject } from '../../domain/kubernetes.js';
import { checkExecutionMetadata } from '../../domain/object-metadata.js';
import { badTaskSpecification, buildError, type BuildContext, type BuildError } from '../../domain/plugin.js';
import * as Q from '../../domain/quantity.js';
import { attemptOf, generatedName } from '../../domain/task.js';
import {
  applyPodConfiguration,
  buildRawPod,
  PRIMARY_CONTAINER_ANNOTATION,
  resourceProblem,
} from '../pod/build/index.js';
import { renderLogTemplate } from '../pod/phase/index.js';
import { linkTemplates } from '../pod/phase/logs.js';
import {
  CUSTOM_PATH,
  decodePayload,
  effectiveLogs,
  guardBuild,
  podTemplate,
  renamePrimary,
  resourceMetadata,
  type PodTemplateSpec,
} from '../crd/index.js';
import { daskConfigOf } from './config.js';
import { DaskJobPayload, type DaskScheduler, type DaskWorkerGroup } from './payload.js';

type Path = ReadonlyArray<PathSegment>;

export const DASK_API_VERSION = 'kubernetes.dask.org/v1';
export const DASK_JOB_KIND = 'DaskJob';
export const WORKER_CONTAINER = 'dask-worker';
export const SCHEDULER_CONTAINER = 'scheduler';
export const RUNNER_CONTAINER = 'job-runner';
export const CLUSTER_NAME_LABEL = 'dask.org/cluster-name';
export const COMPONENT_LABEL = 'dask.org/component';
/**
 * The DaskJob's name bound: the operator names the scheduler Service `<name>-scheduler`, which must stay a 63-character
 * DNS label (Flyte sets no bound, so long names broke the Service).
 */
export const DASK_NAME_MAX_LENGTH = 63 - '-scheduler'.length;
const CUSTOM = CUSTOM_PATH;

type Resources = {
  readonly requests?: Readonly<Record<string, string>>;
  readonly limits?: Readonly<Record<string, string>>;
};

/** Payload resources when they state anything; requests default to limits (the operator's best practice). */
const payloadResources = (
  r: Resources | undefined,
  at: Path,
): E.Either<BuildError, Container['resources'] | undefined> => {
  if (r === undefined) return E.right(undefined);
  const limits = r.limits ?? {};
  const requests = { ...limits, ...r.requests };
  if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) return E.right(undefined);
  const resources = {
    ...(Object.keys(limits).length === 0 ? {} : { limits: { ...limits } }),
    ...(Object.keys(requests).length === 0 ? {} : { requests }),
  };
  const problem = resourceProblem(resources);
  return problem === undefined
    ? E.right(resources)
    : E.left(badTaskSpecification(problem.message, [...at, 'resources', ...problem.path]));
};

/** The task as seen by the scheduler and the job runner: never interruptible (losing them loses the job). */
const nonInterruptible = (ctx: BuildContext): BuildContext => ({
  ...ctx,
  task: { ...ctx.task, execution: { ...ctx.task.execution, interruptible: false } },
});

interface Role {
  readonly container: string;
  readonly image?: string | undefined;
  readonly resources?: Container['resources'] | undefined;
  readonly restartPolicy: 'Always' | 'Never';
  /** Rewrites the primary container after the platform configured it (its final resources are known then). */
  readonly finish: (c: Container) => Container;
}

const buildRole = (ctx: BuildContext, role: Role): E.Either<BuildError, PodTemplateSpec> =>
  pipe(
    buildRawPod(ctx),
    E.flatMap((raw) =>
      pipe(
        renamePrimary(raw, role.container, `the Dask ${role.container}`, (primary) => ({
          ...primary,
          name: role.container,
          ...(role.image === undefined || role.image === '' ? {} : { image: role.image }),
          ...(role.resources === undefined ? {} : { resources: role.resources }),
        })),
        E.flatMap(({ spec }) =>
          applyPodConfiguration(ctx, {
            ...raw,
            spec: { ...spec, restartPolicy: role.restartPolicy },
            primaryContainerName: role.container,
          }),
        ),
      ),
    ),
    E.map((configured) =>
      podTemplate(
        ctx,
        configured,
        {
          ...configured.spec,
          containers: configured.spec.containers.map((c) => (c.name === role.container ? role.finish(c) : c)),
        },
        { [PRIMARY_CONTAINER_ANNOTATION]: role.container },
      ),
    ),
  );

const withoutCommand = (c: Container, args: ReadonlyArray<string>): Container => {
  const { command: _command, ...rest } = c;
  return { ...rest, args: [...args] };
};

/**
 * `dask worker` sized from the container's final limits: --nthreads (cpu rounded up) only with a cpu limit and
 * --memory-limit only with a memory limit (Flyte wrote 0 for the missing one: bug 14).
 */
export const workerArgs = (c: Container): ReadonlyArray<string> => {
  const limits = c.resources?.limits ?? {};
  const args = ['dask', 'worker', '--name', '$(DASK_WORKER_NAME)'];
  const cpu = limits['cpu'];
  if (cpu !== undefined) {
    const q = Q.parse(cpu);
    if (E.isRight(q) && q.right.nanos > 0n) {
      const threads = (q.right.nanos + 999_999_999n) / 1_000_000_000n;
      args.push('--nthreads', threads.toString());
    }
  }
  const memory = limits['memory'];
  if (memory !== undefined && memory !== '') args.push('--memory-limit', memory);
  return args;
};

const SCHEDULER_PORTS: NonNullable<Container['ports']> = [
  { name: 'tcp-comm', containerPort: 8786, protocol: 'TCP' },
  { name: 'dashboard', containerPort: 8787, protocol: 'TCP' },
];

/**
 * The scheduler's --dashboard-prefix: the path of the first DASHBOARD log link (rendered for the task, without a pod),
 * without a trailing /status, so the dashboard answers where the link points.
 */
export const dashboardPrefix = (ctx: BuildContext): E.Either<BuildError, string | undefined> => {
  const logs = effectiveLogs(daskConfigOf(ctx.config).logs, ctx.config.logs);
  const phaseCtx = { now: 0, config: { ...ctx.config, logs }, task: ctx.task };
  const link = linkTemplates(phaseCtx).find((l) => l.linkType === 'DASHBOARD');
  if (link === undefined) return E.right(undefined);
  const te = ctx.task;
  const uri = renderLogTemplate(link.uri, {
    namespace: te.execution.namespace,
    generatedName: generatedName(te, DASK_NAME_MAX_LENGTH),
    executionName: te.execution.id.run,
    runName: te.execution.id.run,
    actionName: te.execution.id.action,
    taskRetryAttempt: String(attemptOf(te)),
    taskID: te.task.id.name,
  });
  const path =
    /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/.exec(uri)?.[1] ??
    (uri.startsWith('/') ? uri.split(/[?#]/)[0] : undefined);
  if (path === undefined) {
    return E.left(
      buildError(
        'BadTaskSpecification',
        `plugins.dask.logs: the dashboard link ${JSON.stringify(uri)} is not a URL`,
      ),
    );
  }
  const prefix = path.replace(/\/status\/?$/, '');
  return E.right(prefix === '' || prefix === '/' ? undefined : prefix);
};

/** Decodes task.custom as Flyte's DaskJob message. */
export const decodeDaskPayload = decodePayload(DaskJobPayload);

const workerRole = (w: DaskWorkerGroup, resources: Container['resources'] | undefined): Role => ({
  container: WORKER_CONTAINER,
  image: w.image,
  resources,
  restartPolicy: 'Always',
  finish: (c) => withoutCommand(c, workerArgs(c)),
});

const schedulerRole = (
  s: DaskScheduler,
  resources: Container['resources'] | undefined,
  prefix: string | undefined,
): Role => ({
  container: SCHEDULER_CONTAINER,
  image: s.image,
  resources,
  restartPolicy: 'Always',
  finish: (c) => ({
    ...withoutCommand(c, [
      'dask',
      'scheduler',
      ...(prefix === undefined ? [] : ['--dashboard-prefix', prefix]),
    ]),
    ports: [...SCHEDULER_PORTS],
    readinessProbe: c.readinessProbe ?? {
      httpGet: { port: 'dashboard' },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      failureThreshold: 30,
    },
  }),
});

const runnerRole: Role = { container: RUNNER_CONTAINER, restartPolicy: 'Never', finish: (c) => c };

/**
 * The DaskJob for a dask task (spec 7.4): the job runner runs the task's command; the scheduler and the workers run
 * `dask scheduler` / `dask worker` in the task's (or the payload's) image. Deterministic: no clock.
 */
export const buildDaskJob = (ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  pipe(
    checkExecutionMetadata(ctx),
    E.flatMap(() => decodeDaskPayload(ctx.task.task.custom)),
    E.map((p) => ({ scheduler: p.scheduler ?? {}, workers: p.workers ?? {} })),
    E.bind('schedulerResources', ({ scheduler }) =>
      payloadResources(scheduler.resources, [...CUSTOM, 'scheduler']),
    ),
    E.bind('workerResources', ({ workers }) => payloadResources(workers.resources, [...CUSTOM, 'workers'])),
    E.bind('prefix', () => dashboardPrefix(ctx)),
    E.bind('base', () => buildRawPod(ctx)),
    E.bind('worker', ({ workers, workerResources }) => buildRole(ctx, workerRole(workers, workerResources))),
    E.bind('schedulerPod', ({ scheduler, schedulerResources, prefix }) =>
      buildRole(nonInterruptible(ctx), schedulerRole(scheduler, schedulerResources, prefix)),
    ),
    E.bind('runner', () => buildRole(nonInterruptible(ctx), runnerRole)),
    E.map(({ workers, base, worker, schedulerPod, runner }) => {
      const name = generatedName(ctx.task, DASK_NAME_MAX_LENGTH);
      return {
        apiVersion: DASK_API_VERSION,
        kind: DASK_JOB_KIND,
        metadata: resourceMetadata(base),
        spec: {
          job: runner,
          cluster: {
            spec: {
              worker: { replicas: workers.numberOfWorkers ?? 0, ...worker },
              scheduler: {
                ...schedulerPod,
                service: {
                  type: 'NodePort',
                  selector: { [CLUSTER_NAME_LABEL]: name, [COMPONENT_LABEL]: 'scheduler' },
                  ports: [
                    { name: 'tcp-comm', protocol: 'TCP', port: 8786, targetPort: 'tcp-comm' },
                    { name: 'dashboard', protocol: 'TCP', port: 8787, targetPort: 'dashboard' },
                  ],
                },
              },
            },
          },
        },
      };
    }),
  );

/** buildDaskJob, with any unexpected exception turned into a build error (inputs are checked, so it is a bug). */
export const buildResource = guardBuild('the DaskJob', buildDaskJob);

/** The identity object: an empty DaskJob the manager names. */
export const buildIdentityResource = (_ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.right({ apiVersion: DASK_API_VERSION, kind: DASK_JOB_KIND, metadata: {} });
