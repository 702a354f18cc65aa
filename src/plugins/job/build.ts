// buildResource of the batch-job plugin: the pod plugin's pod as a batch/v1 Job's template, with the retry knobs.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { PathSegment } from '../../domain/codec.js';
import type { Job, KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import { taskPodMetadata } from '../../domain/object-metadata.js';
import { badTaskSpecification, buildError, type BuildContext, type BuildError } from '../../domain/plugin.js';
import { guardBuild } from '../crd/index.js';
import { buildPodResource } from '../pod/build/index.js';
import { readJobConfig } from './config.js';
import { JOB_KIND } from './names.js';
import {
  checkPodFailurePolicy,
  decodeJobPayload,
  normalisePodFailurePolicy,
  type JobPayload,
  type PodFailurePolicy,
} from './payload.js';

const CUSTOM: ReadonlyArray<PathSegment> = ['task', 'custom'];

/** Where the pod's restartPolicy was written: the execution's override beats the task's pod template. */
const restartPolicyPath = (ctx: BuildContext): ReadonlyArray<PathSegment> | undefined => {
  if (ctx.task.execution.overrides?.podTemplate?.spec.restartPolicy !== undefined) {
    return ['execution', 'overrides', 'podTemplate', 'spec', 'restartPolicy'];
  }
  if (ctx.task.task.podTemplate?.spec.restartPolicy !== undefined) {
    return ['task', 'podTemplate', 'spec', 'restartPolicy'];
  }
  return undefined;
};

/** Container names a podFailurePolicy exit-code rule may name: the pod's containers and init containers. */
const containerNames = (spec: PodSpec): ReadonlySet<string> =>
  new Set([...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name));

const unknownContainer = (policy: PodFailurePolicy, spec: PodSpec): number | undefined => {
  const names = containerNames(spec);
  const i = policy.rules.findIndex(
    (r) => r.onExitCodes?.containerName !== undefined && !names.has(r.onExitCodes.containerName),
  );
  return i < 0 ? undefined : i;
};

const CONFIG_POLICY = 'plugins.job.default-pod-failure-policy';

/**
 * The pod failure policy: the task's, else the platform default. The default needs what the API server requires
 * of any policy (restartPolicy Never, podReplacementPolicy Failed, FailIndex only with backoffLimitPerIndex), so a
 * task that chose otherwise simply goes without it.
 */
const podFailurePolicyOf = (
  ctx: BuildContext,
  payload: JobPayload,
  spec: PodSpec,
  restartPolicy: string,
): E.Either<BuildError, PodFailurePolicy | undefined> => {
  const own = payload.podFailurePolicy;
  // `rules: []` is the task's way to opt out of the platform default: no policy at all.
  if (own !== undefined && own.rules.length === 0) return E.right(undefined);
  if (own !== undefined) {
    if (restartPolicy !== 'Never') {
      return E.left(
        badTaskSpecification(
          `a podFailurePolicy needs the pod's restartPolicy to be Never, not ${restartPolicy}`,
          restartPolicyPath(ctx) ?? [...CUSTOM, 'podFailurePolicy'],
        ),
      );
    }
    const bad = unknownContainer(own, spec);
    if (bad !== undefined) {
      return E.left(
        badTaskSpecification(
          `no container of the pod is named ${JSON.stringify(own.rules[bad]?.onExitCodes?.containerName)}`,
          [...CUSTOM, 'podFailurePolicy', 'rules', bad, 'onExitCodes', 'containerName'],
        ),
      );
    }
    return E.right(normalisePodFailurePolicy(own));
  }
  const fallback = readJobConfig(ctx.config)['default-pod-failure-policy'];
  if (
    fallback === null ||
    fallback.rules.length === 0 ||
    restartPolicy !== 'Never' ||
    payload.podReplacementPolicy === 'TerminatingOrFailed'
  ) {
    return E.right(undefined);
  }
  const perIndex = payload.backoffLimitPerIndex !== undefined;
  if (!perIndex && fallback.rules.some((r) => r.action === 'FailIndex')) return E.right(undefined);
  const problem = checkPodFailurePolicy(fallback, perIndex, []);
  if (problem !== undefined) {
    return E.left(
      buildError('BadTaskSpecification', `${CONFIG_POLICY}${renderAt(problem.at)}: ${problem.message}`),
    );
  }
  const bad = unknownContainer(fallback, spec);
  if (bad !== undefined) {
    return E.left(
      buildError(
        'BadTaskSpecification',
        `${CONFIG_POLICY}.rules[${bad}].onExitCodes.containerName: the task's pod has no container named ${JSON.stringify(fallback.rules[bad]?.onExitCodes?.containerName)}`,
      ),
    );
  }
  return E.right(normalisePodFailurePolicy(fallback));
};

const renderAt = (at: ReadonlyArray<PathSegment>): string =>
  at.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');

/**
 * backoffLimit: the task's, else its declared retries (the same number of attempts, made by Kubernetes), else the
 * platform default. With backoffLimitPerIndex the API server's own default (no global limit) applies.
 */
const backoffLimitOf = (ctx: BuildContext, payload: JobPayload): number | undefined => {
  if (payload.backoffLimit !== undefined) return payload.backoffLimit;
  if (payload.backoffLimitPerIndex !== undefined) return undefined;
  return ctx.task.task.metadata?.retries ?? readJobConfig(ctx.config)['default-backoff-limit'];
};

/** The object without its undefined members (exactOptionalPropertyTypes: absent, not undefined). */
const defined = <A extends Record<string, unknown>>(o: A): { [K in keyof A]?: Exclude<A[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof A]?: Exclude<A[K], undefined>;
  };

const assemble = (ctx: BuildContext, payload: JobPayload, pod: Pod): E.Either<BuildError, Job> => {
  const spec = pod.spec;
  if (spec === undefined)
    return E.left(buildError('FailedToBuildResource', 'pod construction gave no pod spec'));
  const restartPolicy = spec.restartPolicy ?? 'Never';
  if (restartPolicy !== 'Never' && restartPolicy !== 'OnFailure') {
    return E.left(
      badTaskSpecification(
        `a Job's pods restart Never or OnFailure, not ${restartPolicy}`,
        restartPolicyPath(ctx) ?? ['task', 'podTemplate', 'spec', 'restartPolicy'],
      ),
    );
  }
  return pipe(
    podFailurePolicyOf(ctx, payload, spec, restartPolicy),
    E.map((podFailurePolicy): Job => {
      // config defaults < the pod's own (task pod template, overrides) < the execution's < the managed label
      const { labels, annotations } = taskPodMetadata(ctx, pod.metadata ?? {});
      const ttl =
        payload.ttlSecondsAfterFinished ?? readJobConfig(ctx.config)['default-ttl-seconds-after-finished'];
      return {
        apiVersion: JOB_KIND.apiVersion,
        kind: JOB_KIND.kind,
        metadata: {},
        spec: {
          ...defined({
            parallelism: payload.parallelism,
            completions: payload.completions,
            completionMode: payload.completionMode,
            activeDeadlineSeconds: payload.activeDeadlineSeconds,
            backoffLimit: backoffLimitOf(ctx, payload),
            backoffLimitPerIndex: payload.backoffLimitPerIndex,
            maxFailedIndexes: payload.maxFailedIndexes,
            podFailurePolicy: podFailurePolicy === undefined ? undefined : copyPolicy(podFailurePolicy),
            successPolicy:
              payload.successPolicy === undefined
                ? undefined
                : { rules: payload.successPolicy.rules.map((r) => ({ ...r })) },
            podReplacementPolicy: payload.podReplacementPolicy,
            ttlSecondsAfterFinished: ttl ?? undefined,
          }),
          template: {
            metadata: {
              ...(Object.keys(labels).length === 0 ? {} : { labels }),
              ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
            },
            spec: { ...spec, restartPolicy },
          },
        },
      };
    }),
  );
};

/** A mutable copy for kubernetes-types (the decoded payload is read-only). */
const copyPolicy = (p: PodFailurePolicy): NonNullable<NonNullable<Job['spec']>['podFailurePolicy']> => ({
  rules: p.rules.map((r) => ({
    action: r.action,
    ...(r.onExitCodes === undefined
      ? {}
      : { onExitCodes: { ...r.onExitCodes, values: [...r.onExitCodes.values] } }),
    ...(r.onPodConditions === undefined
      ? {}
      : { onPodConditions: r.onPodConditions.map((c) => ({ type: c.type, status: c.status ?? 'True' })) }),
  })),
});

/**
 * The Job for a batch-job task: the pod the pod plugin would build (same construction, same errors) becomes the
 * template, with the task's pod labels and annotations plus taskPodMetadata (so the watch cache holds the pods), and
 * the payload's knobs become the Job spec. Deterministic: no clock, no randomness. Never throws.
 */
export const buildJobResource = guardBuild('the Job', (ctx) =>
  pipe(
    decodeJobPayload(ctx.task.task.custom),
    E.flatMap((payload) =>
      pipe(
        buildPodResource(ctx),
        E.flatMap((pod) => assemble(ctx, payload, pod)),
      ),
    ),
  ),
);

const asKubeObject = (job: Job): KubeObject => ({
  ...job,
  apiVersion: JOB_KIND.apiVersion,
  kind: JOB_KIND.kind,
});

export const buildResource = (ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.map(asKubeObject)(buildJobResource(ctx));

/** The identity object for get, abort and finalize: an empty Job; the plugin manager names it. */
export const buildIdentityResource = (_ctx: BuildContext): E.Either<BuildError, KubeObject> =>
  E.right({ apiVersion: JOB_KIND.apiVersion, kind: JOB_KIND.kind, metadata: {} });
