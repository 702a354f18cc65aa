// Version-1 payload pieces shared by the three kinds: replica groups to overrides, run policy to the CR's runPolicy.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { badTaskSpecification, type BuildError } from '../../../domain/plugin.js';
import { isPlainObject, type PathSegment } from '../../../domain/codec.js';
import type { Decoder } from 'io-ts';
import { decodePayload, protoName, writtenPath } from '../../crd/index.js';
import {
  CLEAN_POD_POLICY_OF,
  RESTART_POLICY_OF,
  type MpiReplicaGroup,
  type ReplicaGroup,
  type RunPolicyPayload,
} from './payload.js';
import type { JobPlan } from './kind.js';
import type { GroupOverrides } from './replica.js';

/** Where a payload field is in the task file, spelled as the author wrote it. */
export const fieldPath = (raw: unknown, ...camel: ReadonlyArray<string>): ReadonlyArray<PathSegment> =>
  writtenPath(raw, camel);

/** The group's replica count: `common.replicas`, else the deprecated top-level `replicas`; 0 when neither. */
export const groupReplicas = (g: ReplicaGroup | MpiReplicaGroup | undefined): number =>
  g?.common?.replicas ?? g?.replicas ?? 0;

/** Where a group's replica count is written (for "must be greater than 0" errors). */
export const replicasPath = (raw: unknown, group: string): ReadonlyArray<PathSegment> => {
  const g = isPlainObject(raw) ? (raw[group] ?? raw[protoName(group)]) : undefined;
  const common = isPlainObject(g) ? (g['common'] ?? undefined) : undefined;
  return common !== undefined
    ? fieldPath(raw, group, 'common', 'replicas')
    : fieldPath(raw, group, 'replicas');
};

/**
 * A group's overrides, from its `common` sub-message when present, else from the deprecated top-level fields (Flyte's
 * rule, field set by field set). `forceReplicas` pins the count (master and launcher: 1).
 */
export const groupOverrides = (
  raw: unknown,
  group: string,
  g: ReplicaGroup | MpiReplicaGroup | undefined,
  forceReplicas?: number,
): GroupOverrides => {
  const c = g?.common;
  const image = c !== undefined ? c.image : g?.image;
  const resources = c !== undefined ? c.resources : g?.resources;
  const restart = c !== undefined ? c.restartPolicy : g?.restartPolicy;
  const command = g !== undefined && 'command' in g ? g.command : undefined;
  const path = fieldPath(raw, group);
  return {
    replicas: forceReplicas ?? groupReplicas(g),
    ...(image === undefined || image === '' ? {} : { image }),
    ...(resources === undefined ? {} : { resources }),
    restartPolicy: RESTART_POLICY_OF[restart ?? 'RESTART_POLICY_NEVER'],
    ...(command === undefined || command.length === 0 ? {} : { args: command }),
    path,
    resourcesPath:
      c !== undefined ? fieldPath(raw, group, 'common', 'resources') : fieldPath(raw, group, 'resources'),
  };
};

/**
 * The CR's runPolicy from the payload's (version 1 only): cleanPodPolicy always (an unset enum is None, as in Flyte),
 * the three numbers only when non-zero; a negative number is the task's error. Undefined without a run policy.
 */
export const runPolicyOf = (
  raw: unknown,
  rp: RunPolicyPayload | undefined,
): E.Either<BuildError, Readonly<Record<string, unknown>> | undefined> => {
  if (rp === undefined) return E.right(undefined);
  const numbers = ['ttlSecondsAfterFinished', 'activeDeadlineSeconds', 'backoffLimit'] as const;
  const out: Record<string, unknown> = {
    cleanPodPolicy: CLEAN_POD_POLICY_OF[rp.cleanPodPolicy ?? 'CLEANPOD_POLICY_NONE'],
  };
  for (const k of numbers) {
    const n = rp[k];
    if (n === undefined || n === 0) continue;
    if (n < 0)
      return E.left(badTaskSpecification(`must not be negative, got ${n}`, fieldPath(raw, 'runPolicy', k)));
    out[k] = n;
  }
  return E.right(out);
};

/**
 * Keeps a decoded payload that has at least one worker; otherwise the task's error, at `path` (where the worker count
 * is written), in Flyte's words.
 */
export const requireWorkers =
  <A>(workers: (payload: A) => number, path: ReadonlyArray<PathSegment>) =>
  (payload: E.Either<BuildError, A>): E.Either<BuildError, A> =>
    pipe(
      payload,
      E.filterOrElse(
        (p) => workers(p) > 0,
        () => badTaskSpecification('number of workers must be greater than 0', path),
      ),
    );

/** A job plan: the groups in manifest order, the run policy when the payload has one, and other spec fields. */
export const jobPlan = (
  groups: ReadonlyArray<readonly [string, GroupOverrides]>,
  runPolicy: Readonly<Record<string, unknown>> | undefined,
  extraSpec: Readonly<Record<string, unknown>> = {},
): JobPlan => ({ groups, ...(runPolicy === undefined ? {} : { runPolicy }), extraSpec });

/**
 * The version-1 pipeline every kind shares: decode `raw` with the kind's payload codec, require workers (its
 * `workerReplicas`), translate its run policy, then let the kind lay out its groups from the payload.
 */
export const planV1 = <
  P extends {
    readonly workerReplicas?: ReplicaGroup | MpiReplicaGroup | undefined;
    readonly runPolicy?: RunPolicyPayload | undefined;
  },
>(
  codec: Decoder<unknown, P>,
  raw: unknown,
  toPlan: (payload: P, runPolicy: Readonly<Record<string, unknown>> | undefined) => JobPlan,
): E.Either<BuildError, JobPlan> =>
  pipe(
    decodePayload(codec)(raw),
    requireWorkers((p) => groupReplicas(p.workerReplicas), replicasPath(raw, 'workerReplicas')),
    E.flatMap((p) =>
      pipe(
        runPolicyOf(raw, p.runPolicy),
        E.map((runPolicy) => toPlan(p, runPolicy)),
      ),
    ),
  );
