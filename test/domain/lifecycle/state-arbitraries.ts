// Arbitrary lifecycle states of both stored versions, observations for the toy plugin, and v2 written as v1 would.
import { statusError } from '../../../src/domain/api-error.js';
import { fc } from '@fast-check/vitest';
import type { ApiError, Observation } from '../../../src/domain/lifecycle/protocol.js';
import type {
  ClusterHold,
  Deletion,
  Finalizer,
  ObjectRef,
  Owned,
  Stage,
  StoredStage,
  StoredTaskState,
  TaskState,
} from '../../../src/domain/lifecycle/state.js';
import { toStored } from '../../../src/domain/lifecycle/state.js';
import type { OwnedV1, TaskStateV1 } from '../../../src/domain/lifecycle/state-v1.js';
import * as PI from '../../../src/domain/phase-info.js';
import type { AbortBehavior } from '../../../src/domain/plugin.js';
import { FINALIZER } from '../../../src/domain/object-metadata.js';
import { T0, toy } from './fixtures.js';

/** The names the toy task's tries get (attempts 0 and 1, system retries 0 and 1), so the machine recognises them. */
export const NAMES = ['r1-train-0', 'r1-train-0-s1', 'r1-train-1', 'r1-train-1-s1'] as const;

export const toyRef = (name: string): ObjectRef => ({
  apiVersion: 'example.com/v1',
  kind: 'Toy',
  namespace: 'ns',
  name,
});

const arbRef = fc.constantFrom(...NAMES).map(toyRef);
const arbAttempt = fc.integer({ min: 0, max: 1 });
const arbUid = fc.option(fc.constantFrom('uid-a', 'uid-b'), { nil: undefined });
const withUid = (uid: string | undefined) => (uid === undefined ? {} : { uid });

const phases = [
  PI.success(),
  PI.aborted(T0, 0, 'aborted'),
  PI.failure('Boom', 'no such image'),
  PI.running(2),
  PI.queued(T0, 0, 'task submitted to K8s'),
];
const arbPhase = fc.constantFrom(...phases);

const arbBehavior: fc.Arbitrary<AbortBehavior> = fc.constantFrom<AbortBehavior>(
  { _tag: 'Delete' },
  { _tag: 'Patch', patch: { spec: { suspend: true } }, deleteOnError: true },
  {
    _tag: 'Update',
    resource: { apiVersion: 'example.com/v1', kind: 'Toy', metadata: { name: 'r1-train-0' } },
    deleteOnError: false,
  },
);

const arbCommon = fc.record(
  {
    taskId: fc.constant('t1'),
    pluginId: fc.constant('toy'),
    attempt: arbAttempt,
    systemRetry: fc.integer({ min: 0, max: 1 }),
    systemFailures: fc.integer({ min: 0, max: 4 }),
    last: arbPhase,
    pluginState: arbPhase.map(PI.pluginStateOf),
    eventCursor: fc.record({ at: fc.integer({ min: T0, max: T0 + 10_000 }), name: fc.constant('ev-1') }),
    lastObservedAt: fc.constant(T0),
  },
  { requiredKeys: ['taskId', 'pluginId', 'attempt', 'systemRetry', 'systemFailures'] },
);

// -------------------------------------------------------------------------------------
// version 2
// -------------------------------------------------------------------------------------

const arbOwned: fc.Arbitrary<Owned> = fc.oneof(
  fc
    .record({ ref: arbRef, attempt: arbAttempt, finalizer: fc.boolean() })
    .map((o): Owned => ({ _tag: 'Creating', ...o })),
  fc
    .record({
      ref: arbRef,
      attempt: arbAttempt,
      finalizer: fc.constantFrom<Finalizer>('Absent', 'Present', 'Removing', 'Removed'),
      deletion: fc.constantFrom<Deletion>('None', 'Wanted', 'Sent'),
      uid: arbUid,
    })
    .map(({ uid, ...o }): Owned => ({ _tag: 'Live', ...o, ...withUid(uid) })),
  fc.record({ ref: arbRef, attempt: arbAttempt }).map((o): Owned => ({ _tag: 'Gone', ...o })),
);

const clusterRef: ObjectRef = {
  apiVersion: 'ray.io/v1',
  kind: 'RayCluster',
  namespace: 'ns',
  name: 'shared',
};

/** The stages short of an abort: where a stored `abortRequested` means an abort still to come. */
export const arbPreAbortStage: fc.Arbitrary<StoredStage> = fc.oneof(
  fc
    .option(fc.integer({ min: T0, max: T0 + 60_000 }), { nil: undefined })
    .map((retryAt): StoredStage => ({ _tag: 'Pending', ...(retryAt === undefined ? {} : { retryAt }) })),
  fc.constantFrom<StoredStage>(
    { _tag: 'Started' },
    { _tag: 'WaitingForCluster' },
    { _tag: 'WaitingForQuota' },
  ),
);

/** Every stage as version 2 stores it. */
const arbStoredStage: fc.Arbitrary<StoredStage> = fc.oneof(
  arbPreAbortStage,
  arbBehavior.map((behavior): StoredStage => ({ _tag: 'Aborting', behavior })),
  arbPhase.map((final): StoredStage => ({ _tag: 'Done', final })),
);

const arbStage: fc.Arbitrary<Stage> = fc.oneof(
  { weight: 6, arbitrary: arbStoredStage },
  { weight: 1, arbitrary: fc.constant<Stage>({ _tag: 'AbortPending' }) },
);

const arbCluster = fc.constantFrom<ClusterHold>(
  { _tag: 'None' },
  { _tag: 'Waiting', ref: clusterRef },
  { _tag: 'Holding', ref: clusterRef },
);

/** Any version 2 state (structurally: also states the machine never reaches). */
export const arbStateV2: fc.Arbitrary<TaskState> = fc
  .record({
    common: arbCommon,
    stage: arbStage,
    owned: fc.array(arbOwned, { maxLength: 4 }),
    cluster: arbCluster,
  })
  .map(({ common, stage, owned, cluster }) => ({ version: 2 as const, ...common, stage, owned, cluster }));

/**
 * Any version 2 record as a store may hold it, from a process of any version 2 build: every stage with the flag
 * `abortRequested` on or off, including the combinations this build never writes.
 */
export const arbStoredV2: fc.Arbitrary<StoredTaskState> = fc
  .record({
    common: arbCommon,
    stage: arbStoredStage,
    abortRequested: fc.boolean(),
    owned: fc.array(arbOwned, { maxLength: 4 }),
    cluster: arbCluster,
  })
  .map(({ common, ...rest }) => ({ version: 2 as const, ...common, ...rest }));

// -------------------------------------------------------------------------------------
// version 1
// -------------------------------------------------------------------------------------

const arbOwnedV1: fc.Arbitrary<OwnedV1> = fc
  .record({
    ref: arbRef,
    attempt: arbAttempt,
    status: fc.constantFrom('creating' as const, 'live' as const, 'gone' as const),
    finalizer: fc.boolean(),
    deleteWanted: fc.boolean(),
    deleteSent: fc.boolean(),
    finalizerRemovalSent: fc.boolean(),
    uid: arbUid,
  })
  .map(({ uid, ...o }) => ({ ...o, ...withUid(uid) }));

/** Any version 1 record: every combination of its flags, the empty-name cluster sentinel, aborts without behaviour. */
export const arbStateV1: fc.Arbitrary<TaskStateV1> = fc
  .record({
    common: arbCommon,
    abortRequested: fc.boolean(),
    stage: fc.oneof(arbStoredStage, fc.constant({ _tag: 'Aborting' as const })),
    owned: fc.array(arbOwnedV1, { maxLength: 4 }),
    cluster: fc.option(
      fc.oneof(
        fc.record({ ref: fc.constant(clusterRef), ready: fc.boolean() }),
        fc.constant({ ref: { apiVersion: '', kind: '', namespace: '', name: '' }, ready: true }),
      ),
      { nil: undefined },
    ),
  })
  .map(({ common, abortRequested, stage, owned, cluster }) => ({
    version: 1 as const,
    ...common,
    abortRequested,
    stage,
    owned,
    ...(cluster === undefined ? {} : { cluster }),
  }));

/** A version 2 owned object as version 1 would have stored it. */
export const ownedToV1 = (o: Owned): OwnedV1 => {
  const flags = { finalizer: false, deleteWanted: false, deleteSent: false, finalizerRemovalSent: false };
  switch (o._tag) {
    case 'Creating':
      return { ref: o.ref, attempt: o.attempt, status: 'creating', ...flags, finalizer: o.finalizer };
    case 'Gone':
      return { ref: o.ref, attempt: o.attempt, status: 'gone', ...flags };
    case 'Live':
      return {
        ref: o.ref,
        attempt: o.attempt,
        status: 'live',
        finalizer: o.finalizer === 'Present' || o.finalizer === 'Removing',
        finalizerRemovalSent: o.finalizer === 'Removing' || o.finalizer === 'Removed',
        deleteWanted: o.deletion !== 'None',
        deleteSent: o.deletion === 'Sent',
        ...withUid(o.uid),
      };
  }
};

/** A version 2 state as version 1 would have stored it: the pair a migration must map back. */
export const toV1 = (s: TaskState): TaskStateV1 => {
  const { cluster, version: _v2, owned, ...rest } = toStored(s);
  return {
    ...rest,
    version: 1,
    owned: owned.map(ownedToV1),
    ...(cluster._tag === 'None' ? {} : { cluster: { ref: cluster.ref, ready: cluster._tag === 'Holding' } }),
  };
};

// -------------------------------------------------------------------------------------
// observations of the toy task
// -------------------------------------------------------------------------------------

const notFound: ApiError = statusError('NotFound', 'not found');
const internal: ApiError = statusError('InternalError', 'etcd hiccup');
const conflict: ApiError = statusError('Conflict', 'Precondition failed: UID in precondition');
const quota: ApiError = statusError(
  'Forbidden',
  'toys "x" is forbidden: exceeded quota: q, requested: cpu=1, used: cpu=4, limited: cpu=4',
);
const arbAnswer = fc.option(fc.constantFrom(notFound, internal, conflict), { nil: undefined });
const err = (error: ApiError | undefined) => (error === undefined ? {} : { error });

/** Observations the toy task may hear, over the names of its tries. */
export const arbObservation: fc.Arbitrary<Observation> = fc.oneof(
  fc.constantFrom<Observation>(
    { _tag: 'Submitted' },
    { _tag: 'Resumed' },
    { _tag: 'AbortRequested', reason: 'user' },
    { _tag: 'TimerFired', timer: 'Retry' },
    { _tag: 'TimerFired', timer: 'Resync' },
    { _tag: 'QuotaGateOpened' },
  ),
  arbRef.map((ref): Observation => ({ _tag: 'CreateSucceeded', ref, uid: `uid-${ref.name}` })),
  fc
    .record({ ref: arbRef, error: fc.constantFrom(internal, quota, conflict, notFound) })
    .map((o): Observation => ({ _tag: 'CreateFailed', ...o })),
  fc
    .record({
      name: fc.constantFrom(...NAMES),
      state: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', 'Broken', 'Fatal'),
      finalizer: fc.boolean(),
      deleting: fc.boolean(),
      newer: fc.boolean(),
    })
    .map(({ name, state, finalizer, deleting, newer }): Observation => ({
      _tag: 'ObjectObserved',
      object: toy(name, state, {
        finalizers: finalizer ? [FINALIZER] : [],
        ...(newer ? { uid: `uid-${name}-newer` } : {}),
        ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
      }),
    })),
  arbRef.map((ref): Observation => ({ _tag: 'ObjectGone', ref })),
  fc
    .record({ ref: arbRef, error: arbAnswer })
    .map(({ ref, error }): Observation => ({ _tag: 'AbortApplied', ref, ...err(error) })),
  fc
    .record({ ref: arbRef, error: arbAnswer })
    .map(({ ref, error }): Observation => ({ _tag: 'DeleteAnswered', ref, ...err(error) })),
  fc
    .record({ ref: arbRef, error: arbAnswer })
    .map(({ ref, error }): Observation => ({ _tag: 'FinalizerRemoved', ref, ...err(error) })),
);
