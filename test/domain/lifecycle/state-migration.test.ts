// Laws of the stored state: version 2 records of any build read back, and version 1 records migrate, for good.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  finalizerOn,
  initial,
  isClean,
  readState,
  STATE_VERSION,
  StoredTaskStateC,
  TaskStateC,
  writeState,
  type StoredTaskState,
  type TaskState,
} from '../../../src/domain/lifecycle/state.js';
import type { TaskStateV1 } from '../../../src/domain/lifecycle/state-v1.js';
import { emissions, ofTag, run, T0, ctxAt, task } from './fixtures.js';
import {
  arbObservation,
  arbPreAbortStage,
  arbStateV1,
  arbStateV2,
  arbStoredV2,
  toV1,
  toyRef,
} from './state-arbitraries.js';

/** What a store hands back: JSON, not the object written. */
const stored = (u: unknown): unknown => JSON.parse(JSON.stringify(u)) as unknown;

const migrated = (v1: TaskStateV1): TaskState => {
  const r = readState(stored(v1));
  if (E.isLeft(r)) throw new Error(`not migrated: ${JSON.stringify(r.left)}`);
  return r.right;
};

// What version 1's flags meant, read straight off a v1 record (the v1 machine no longer exists to ask).
/**
 * Clean as version 1 meant it, except that a sent delete no longer counts until its object is seen gone (version 1
 * took it as done, and a task forgotten then could leave the object behind).
 */
const cleanV1 = (s: TaskStateV1): boolean =>
  s.owned.every((o) => o.status === 'gone' || (!o.finalizer && !o.deleteWanted && !o.deleteSent));
const finalizedV1 = (s: TaskStateV1): string[] =>
  s.owned.filter((o) => o.status !== 'gone' && o.finalizer).map((o) => `${o.attempt}/${o.ref.name}`);
const heldV1 = (s: TaskStateV1): string | undefined =>
  s.cluster === undefined || s.cluster.ref.name === ''
    ? undefined
    : `${String(s.cluster.ready)}/${s.cluster.ref.name}`;

const read = (u: unknown): TaskState => {
  const r = readState(stored(u));
  if (E.isLeft(r)) throw new Error(`not read: ${JSON.stringify(r.left)}`);
  return r.right;
};

// Version 2 keeps its stored shape (a pending abort is `abortRequested` beside the stage) while the state in memory
// makes the abort a stage: records written by any version 2 build, older or newer, must read, and what this build
// writes must mean the same to them.
describe('stored version 2 records', () => {
  test.prop([arbStoredV2])('every stored version 2 record reads, whichever build wrote it', (doc) => {
    const r = readState(stored(doc));
    expect(E.isRight(r) && TaskStateC.is(r.right)).toBe(true);
  });

  test.prop([arbStateV2])('a state is written in the stored shape and reads back as itself', (s) => {
    expect(StoredTaskStateC.is(writeState(s))).toBe(true);
    expect(readState(stored(writeState(s)))).toEqual(E.right(s));
  });

  test.prop([fc.array(arbObservation, { maxLength: 25 }), fc.array(arbObservation, { maxLength: 15 })])(
    'a reached state and its stored record, read back, make the same decisions on any observations',
    (prefix, suffix) => {
      const ctx = ctxAt(T0, task(1));
      const reached = run([{ _tag: 'Submitted' }, ...prefix], ctx).state;
      expect(run(suffix, ctx, read(writeState(reached)))).toEqual(run(suffix, ctx, reached));
    },
  );

  test.prop([arbStoredV2])('a record whose abort flag adds nothing reads as its own stage', (doc) => {
    fc.pre(!doc.abortRequested || doc.stage._tag === 'Aborting' || doc.stage._tag === 'Done');
    expect(read(doc).stage).toEqual(doc.stage);
  });

  test.prop([arbStoredV2, arbPreAbortStage, fc.array(arbObservation, { maxLength: 20 })])(
    'a stored pending abort never creates anything again, and the only final answer it gives is Aborted',
    (doc, stage, observations) => {
      const pendingAbort: StoredTaskState = { ...doc, stage, abortRequested: true };
      const s = read(pendingAbort);
      expect(s.stage).toEqual({ _tag: 'AbortPending' });
      const { commands } = run([{ _tag: 'Resumed' }, ...observations], ctxAt(T0, task(1)), s);
      expect(ofTag(commands, 'Create')).toEqual([]);
      const finals = emissions(commands).filter((e) => e.final);
      expect(finals.map((e) => e.phaseInfo.phase)).toEqual(finals.length === 0 ? [] : ['Aborted']);
    },
  );

  it.each<[string, Partial<StoredTaskState>, TaskState['stage']]>([
    [
      'a create out with an abort asked',
      { stage: { _tag: 'Started' }, abortRequested: true },
      { _tag: 'AbortPending' },
    ],
    [
      'a retry due with an abort asked (the create failed)',
      { stage: { _tag: 'Pending', retryAt: T0 + 5000 }, abortRequested: true },
      { _tag: 'AbortPending' },
    ],
    [
      'a quota wait with an abort asked',
      { stage: { _tag: 'WaitingForQuota' }, abortRequested: true },
      { _tag: 'AbortPending' },
    ],
    ['a running task', { stage: { _tag: 'Started' }, abortRequested: false }, { _tag: 'Started' }],
    [
      'aborting, flag off (never written, still read)',
      { stage: { _tag: 'Aborting', behavior: { _tag: 'Delete' } }, abortRequested: false },
      { _tag: 'Aborting', behavior: { _tag: 'Delete' } },
    ],
  ])('%s', (_name, patch, stage) => {
    const doc = { ...(writeState(initial('t1', 'toy')) as StoredTaskState), ...patch };
    expect(read(doc).stage).toEqual(stage);
  });
});

describe('stored state versions', () => {
  test.prop([arbStateV1])('every version 1 record migrates to a valid version 2 state', (v1) => {
    const r = readState(stored(v1));
    expect(E.isRight(r) && TaskStateC.is(r.right) && r.right.version === STATE_VERSION).toBe(true);
  });

  test.prop([arbStateV2])(
    'a version 2 state written as version 1 would have is migrated back to itself',
    (s) => {
      expect(readState(stored(toV1(s)))).toEqual(E.right(s));
    },
  );

  test.prop([fc.array(arbObservation, { maxLength: 25 }), fc.array(arbObservation, { maxLength: 15 })])(
    'a reached state and its version 1 record, migrated, make the same decisions on any observations',
    (prefix, suffix) => {
      const ctx = ctxAt(T0, task(1));
      const reached = run([{ _tag: 'Submitted' }, ...prefix], ctx).state;
      const fromDisk = migrated(toV1(reached));
      expect(run(suffix, ctx, fromDisk)).toEqual(run(suffix, ctx, reached));
    },
  );

  test.prop([arbStateV1])('migration is done once: a migrated state reads back as itself', (v1) => {
    const m = migrated(v1);
    expect(readState(stored(writeState(m)))).toEqual(E.right(m));
    expect(readState(writeState(m))).toEqual(E.right(m));
  });

  test.prop([arbStateV1])(
    'what a version 1 record meant survives: clean or not, our finalizers, uids, the cluster held, abort behaviour',
    (v1) => {
      const m = migrated(v1);
      expect(isClean(m)).toBe(cleanV1(v1));
      expect(m.owned.filter(finalizerOn).map((o) => `${o.attempt}/${o.ref.name}`)).toEqual(finalizedV1(v1));
      // A live object keeps its uid (a create still out has none to keep).
      expect(
        m.owned.map((o, i) => (v1.owned[i]?.status === 'live' && o._tag === 'Live' ? o.uid : null)),
      ).toEqual(v1.owned.map((o) => (o.status === 'live' ? o.uid : null)));
      expect(
        m.cluster._tag === 'None'
          ? undefined
          : `${String(m.cluster._tag === 'Holding')}/${m.cluster.ref.name}`,
      ).toEqual(heldV1(v1));
      if (v1.stage._tag === 'Aborting' && m.stage._tag === 'Aborting') {
        expect(m.stage.behavior).toEqual(v1.stage.behavior ?? { _tag: 'Delete' });
      } else if (v1.abortRequested && v1.stage._tag !== 'Done') {
        // An abort asked before the stage reached it is still to come.
        expect(m.stage).toEqual({ _tag: 'AbortPending' });
      } else expect(m.stage).toEqual(v1.stage);
    },
  );

  test.prop([arbStateV2, fc.anything().filter((v) => v !== 1 && v !== 2 && v !== undefined)])(
    'an unknown version is an error value that names it',
    (s, version) => {
      expect(readState({ ...s, version })).toEqual(E.left({ _tag: 'UnknownVersion', version }));
    },
  );

  it.each([
    ['a v1 record with a malformed owned list', { ...toV1(initial('t1', 'toy')), owned: 'x' }],
    ['a v2 record in the v1 shape', { ...toV1(initial('t1', 'toy')), version: 2 }],
    ['a v1 record with a v2 owned object', { ...toV1(initial('t1', 'toy')), owned: [{ _tag: 'Gone' }] }],
  ])('%s is corrupted, not migrated', (_name, doc) => {
    expect(readState(doc)).toEqual(
      E.left({ _tag: 'Corrupted', message: 'the stored task state is malformed' }),
    );
  });

  it('migrates the sentinels and the cases v1 could not tell apart', () => {
    const ref = toyRef('r1-train-0');
    const flags = { finalizer: false, deleteWanted: false, deleteSent: false, finalizerRemovalSent: false };
    const v1: TaskStateV1 = {
      ...toV1(initial('t1', 'toy')),
      stage: { _tag: 'Aborting' },
      cluster: { ref: { apiVersion: '', kind: '', namespace: '', name: '' }, ready: true },
      owned: [
        // Deleted by an abort: a delete sent, without "wanted".
        { ref, attempt: 0, status: 'live', ...flags, deleteSent: true, uid: 'u' },
        // A finalizer removal answered (the flag stays after the finalizer is off).
        { ref, attempt: 0, status: 'live', ...flags, finalizerRemovalSent: true },
        // A create still out that is to be deleted: live and wanted, as version 2 makes it.
        { ref, attempt: 0, status: 'creating', ...flags, finalizer: true, deleteWanted: true },
        {
          ref,
          attempt: 0,
          status: 'gone',
          ...flags,
          deleteWanted: true,
          finalizerRemovalSent: true,
          uid: 'u',
        },
      ],
    };
    const m = migrated(v1);
    expect(m.stage).toEqual({ _tag: 'Aborting', behavior: { _tag: 'Delete' } });
    expect(m.cluster).toEqual({ _tag: 'None' });
    expect(m.owned).toEqual([
      { _tag: 'Live', ref, attempt: 0, finalizer: 'Absent', deletion: 'Sent', uid: 'u' },
      { _tag: 'Live', ref, attempt: 0, finalizer: 'Removed', deletion: 'None' },
      { _tag: 'Live', ref, attempt: 0, finalizer: 'Present', deletion: 'Wanted' },
      { _tag: 'Gone', ref, attempt: 0 },
    ]);
  });
});
