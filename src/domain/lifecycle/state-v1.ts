// The lifecycle state as version 1 stored it (flags and sentinels), frozen: read only to migrate it to version 2.
import * as t from 'io-ts';
import { PhaseInfoC, PluginStateC } from '../phase-info.js';
import { AbortBehaviorC } from './state-codecs.js';

/** The version number a v1 record carries. */
export const STATE_VERSION_1 = 1;

// Spelled out again rather than imported from the current state: this is a stored format and must not change
// when the current one does.
const ObjectRefV1C = t.readonly(
  t.type({ apiVersion: t.string, kind: t.string, namespace: t.string, name: t.string }),
  'ObjectRefV1',
);

/** A v1 owned object: a status and four flags, of which not every combination means something. */
export const OwnedV1C = t.readonly(
  t.intersection([
    t.type({
      ref: ObjectRefV1C,
      attempt: t.number,
      /** `creating`: create sent, no answer yet; `live`: exists; `gone`: deleted and confirmed gone. */
      status: t.keyof({ creating: null, live: null, gone: null }),
      /** Our finalizer is (or may be) on the object and must be removed before we forget it. */
      finalizer: t.boolean,
      /** The object must be deleted (earlier attempt, cleanup on failure, abort, delete on finalize). */
      deleteWanted: t.boolean,
      /** A delete was sent (and not refused); also set, without `deleteWanted`, by an abort that deleted it. */
      deleteSent: t.boolean,
      /** A finalizer removal was sent (answered or not); a view still showing the finalizer is older. */
      finalizerRemovalSent: t.boolean,
    }),
    t.partial({ uid: t.string }),
  ]),
  'OwnedV1',
);
/** A v1 owned object. */
export interface OwnedV1 extends t.TypeOf<typeof OwnedV1C> {}

const StageV1C = t.union([
  t.readonly(t.intersection([t.type({ _tag: t.literal('Pending') }), t.partial({ retryAt: t.number })])),
  t.readonly(t.type({ _tag: t.literal('Started') })),
  t.readonly(t.type({ _tag: t.literal('WaitingForCluster') })),
  t.readonly(t.type({ _tag: t.literal('WaitingForQuota') })),
  /** Records written before the behaviour was kept have none: it was Delete then. */
  t.readonly(
    t.intersection([t.type({ _tag: t.literal('Aborting') }), t.partial({ behavior: AbortBehaviorC })]),
  ),
  t.readonly(t.type({ _tag: t.literal('Done'), final: PhaseInfoC })),
]);
/** A v1 stage. */
export type StageV1 = t.TypeOf<typeof StageV1C>;

/** A whole v1 record. */
export const TaskStateV1C = t.readonly(
  t.intersection([
    t.type({
      version: t.literal(STATE_VERSION_1),
      taskId: t.string,
      pluginId: t.string,
      attempt: t.number,
      systemRetry: t.number,
      systemFailures: t.number,
      stage: StageV1C,
      owned: t.readonlyArray(OwnedV1C),
      abortRequested: t.boolean,
    }),
    t.partial({
      last: PhaseInfoC,
      pluginState: PluginStateC,
      eventCursor: t.readonly(t.type({ at: t.number, name: t.string })),
      lastObservedAt: t.number,
      /** The shared cluster: `{ref, ready: false}` waiting, `ready: true` held; an empty name meant "none". */
      cluster: t.readonly(t.type({ ref: ObjectRefV1C, ready: t.boolean })),
    }),
  ]),
  'TaskStateV1',
);
/** A whole v1 record. */
export interface TaskStateV1 extends t.TypeOf<typeof TaskStateV1C> {}
