// Exact decisions of the leader election machine: timings validation, what each read and answer leads to.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  formatMicroTime,
  leaseObject,
  readLease,
  type LeaseRecord,
} from '../../../src/domain/leader-election/lease.js';
import type { ElectionResult, ElectionState } from '../../../src/domain/leader-election/protocol.js';
import { isLeading, start, step, type ElectionConfig } from '../../../src/domain/leader-election/step.js';
import { defaultLeaseTimings, leaseTimings } from '../../../src/domain/leader-election/timings.js';

const me: ElectionConfig = { identity: 'me', timings: defaultLeaseTimings };
const T0 = 1_000_000;

const held = (holder: string, rv: string): O.Option<{ record: LeaseRecord; resourceVersion: string }> =>
  O.some({
    record: {
      holder,
      leaseDuration: O.some(15_000),
      acquireTime: O.some(0),
      renewTime: O.some(0),
      transitions: 3,
    },
    resourceVersion: rv,
  });

const seqOf = (r: ElectionResult): number => {
  const c = r.commands.find((x) => 'seq' in x);
  if (c === undefined || !('seq' in c)) throw new Error('no request');
  return c.seq;
};

const tags = (r: ElectionResult): string[] => r.commands.map((c) => c._tag);

describe('timings', () => {
  it('default to client-go’s 15 s, 10 s, 2 s', () => {
    expect(leaseTimings()).toEqual(E.right(defaultLeaseTimings));
    expect(defaultLeaseTimings).toMatchObject({
      leaseDuration: 15_000,
      renewDeadline: 10_000,
      retryPeriod: 2_000,
    });
  });

  it.each([
    [{ leaseDuration: 10_000, renewDeadline: 10_000 }, 'greater than the renew deadline'],
    [{ leaseDuration: 10_000, renewDeadline: 12_000 }, 'greater than the renew deadline'],
    [{ renewDeadline: 2_400 }, '1.2 × the retry period'],
    [{ retryPeriod: 0 }, 'positive'],
    [{ leaseDuration: 15_500 }, 'whole number of seconds'],
  ])('refuses %j', (input, message) => {
    const r = leaseTimings(input);
    expect(E.isLeft(r) && r.left.includes(message)).toBe(true);
  });
});

describe('the lease object', () => {
  it('round-trips a record, with MicroTimes of six digits', () => {
    const record: LeaseRecord = {
      holder: 'a',
      leaseDuration: O.some(15_000),
      acquireTime: O.some(Date.UTC(2026, 0, 1, 0, 0, 1, 250)),
      renewTime: O.some(Date.UTC(2026, 0, 1, 0, 0, 2, 500)),
      transitions: 2,
    };
    const o = leaseObject({ namespace: 'ns', name: 'l' }, record, O.some('7'));
    expect(o).toMatchObject({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l', namespace: 'ns', resourceVersion: '7' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: '2026-01-01T00:00:02.500000Z' },
    });
    expect(readLease(o)).toEqual({ record, resourceVersion: '7' });
    expect(formatMicroTime(0)).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('reads a malformed lease as free, with no duration', () => {
    const r = readLease({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      spec: { holderIdentity: 3, leaseDurationSeconds: -1 },
    });
    expect(r.record.holder).toBe('');
    expect(r.record.leaseDuration).toEqual(O.none);
    expect(r.record.transitions).toBe(0);
  });
});

describe('the machine', () => {
  it('starts by reading the lease, and creates it when absent, then leads', () => {
    const s0 = start(me, T0);
    expect(tags(s0)).toEqual(['GetLease', 'SetTimer']);
    const s1 = step(me, s0.state, { _tag: 'LeaseRead', seq: seqOf(s0), lease: O.none }, T0 + 5);
    expect(s1.commands[0]).toMatchObject({ _tag: 'CreateLease', record: { holder: 'me', transitions: 0 } });
    const s2 = step(
      me,
      s1.state,
      { _tag: 'WriteAnswered', seq: seqOf(s1), outcome: { _tag: 'Written', resourceVersion: '1' } },
      T0 + 9,
    );
    expect(tags(s2)).toEqual(['StartLeading', 'SetTimer']);
    expect(isLeading(s2.state)).toBe(true);
    // The deadline counts from the create's request, not its answer.
    expect(s2.commands[1]).toEqual({ _tag: 'SetTimer', at: T0 + 9 + 2_000 });
  });

  it('waits for a lease held by another until it has stood unchanged for its duration by our clock', () => {
    const s0 = start(me, T0);
    const s1 = step(me, s0.state, { _tag: 'LeaseRead', seq: seqOf(s0), lease: held('other', '5') }, T0);
    expect(tags(s1)).toEqual(['SetTimer']);
    let s: ElectionResult = s1;
    let t = T0;
    // Polls every retry period; the holder's renewTime (long ago) plays no part.
    while (t + 2_000 < T0 + 15_000) {
      t += 2_000;
      s = step(me, s.state, { _tag: 'TimerFired' }, t);
      expect(tags(s)).toEqual(['GetLease', 'SetTimer']);
      s = step(me, s.state, { _tag: 'LeaseRead', seq: seqOf(s), lease: held('other', '5') }, t);
      expect(tags(s)).toEqual(['SetTimer']);
    }
    s = step(me, s.state, { _tag: 'TimerFired' }, T0 + 15_000);
    s = step(me, s.state, { _tag: 'LeaseRead', seq: seqOf(s), lease: held('other', '5') }, T0 + 15_000);
    expect(s.commands[0]).toMatchObject({
      _tag: 'UpdateLease',
      intent: 'Acquire',
      resourceVersion: '5',
      record: { holder: 'me', transitions: 4 },
    });
  });

  it('a renewed lease restarts the wait', () => {
    const s0 = start(me, T0);
    const s1 = step(me, s0.state, { _tag: 'LeaseRead', seq: seqOf(s0), lease: held('other', '5') }, T0);
    const s2 = step(me, s1.state, { _tag: 'TimerFired' }, T0 + 14_000);
    const s3 = step(
      me,
      s2.state,
      { _tag: 'LeaseRead', seq: seqOf(s2), lease: held('other', '6') },
      T0 + 14_000,
    );
    const s4 = step(me, s3.state, { _tag: 'TimerFired' }, T0 + 16_000);
    const s5 = step(
      me,
      s4.state,
      { _tag: 'LeaseRead', seq: seqOf(s4), lease: held('other', '6') },
      T0 + 16_000,
    );
    expect(tags(s5)).toEqual(['SetTimer']);
  });

  it('takes a released lease at once', () => {
    const s0 = start(me, T0);
    const s1 = step(me, s0.state, { _tag: 'LeaseRead', seq: seqOf(s0), lease: held('', '9') }, T0);
    expect(s1.commands[0]).toMatchObject({ _tag: 'UpdateLease', intent: 'Acquire', resourceVersion: '9' });
  });

  const leading = (): { state: ElectionState; at: number } => {
    const s0 = start(me, T0);
    const s1 = step(me, s0.state, { _tag: 'LeaseRead', seq: seqOf(s0), lease: O.none }, T0);
    const s2 = step(
      me,
      s1.state,
      { _tag: 'WriteAnswered', seq: seqOf(s1), outcome: { _tag: 'Written', resourceVersion: '1' } },
      T0,
    );
    return { state: s2.state, at: T0 };
  };

  it('a leader that cannot renew stops leading at its renew deadline, without releasing', () => {
    const { state } = leading();
    let s: ElectionResult = { state, commands: [] };
    for (let t = T0 + 2_000; t < T0 + 10_000; t += 2_000) {
      s = step(me, s.state, { _tag: 'TimerFired' }, t);
      if (s.state._tag === 'Running' && s.state.activity._tag === 'Writing')
        s = step(
          me,
          s.state,
          {
            _tag: 'WriteAnswered',
            seq: s.state.activity.seq,
            outcome: { _tag: 'Failed', reason: 'timeout' },
          },
          t + 1,
        );
      expect(isLeading(s.state)).toBe(true);
    }
    s = step(me, s.state, { _tag: 'TimerFired' }, T0 + 10_000);
    expect(tags(s)).toEqual(['StopLeading']);
    expect(s.state).toEqual({
      _tag: 'Ended',
      end: { _tag: 'Lost', reason: 'the lease was not renewed within the renew deadline' },
    });
  });

  it('a leader that finds another holder stops at once', () => {
    const { state } = leading();
    const s1 = step(me, state, { _tag: 'TimerFired' }, T0 + 2_000);
    const s2 = step(
      me,
      s1.state,
      { _tag: 'WriteAnswered', seq: seqOf(s1), outcome: { _tag: 'Conflict' } },
      T0 + 2_001,
    );
    expect(tags(s2)).toEqual(['GetLease', 'SetTimer']);
    const s3 = step(
      me,
      s2.state,
      { _tag: 'LeaseRead', seq: seqOf(s2), lease: held('other', '3') },
      T0 + 2_002,
    );
    expect(s3.commands).toEqual([{ _tag: 'StopLeading', reason: 'the lease is held by other' }]);
  });

  it('on stop, stops the work, keeps renewing until it has returned, then releases', () => {
    const { state } = leading();
    const s1 = step(me, state, { _tag: 'StopRequested' }, T0 + 100);
    expect(s1.commands[0]).toEqual({ _tag: 'StopLeading', reason: 'stop requested' });
    const s2 = step(me, s1.state, { _tag: 'TimerFired' }, T0 + 2_000);
    expect(s2.commands[0]).toMatchObject({ _tag: 'UpdateLease', intent: 'Renew' });
    const s3 = step(
      me,
      s2.state,
      { _tag: 'WriteAnswered', seq: seqOf(s2), outcome: { _tag: 'Written', resourceVersion: '2' } },
      T0 + 2_001,
    );
    const s4 = step(me, s3.state, { _tag: 'WorkStopped' }, T0 + 2_500);
    expect(s4.commands[0]).toMatchObject({
      _tag: 'UpdateLease',
      intent: 'Release',
      resourceVersion: '2',
      record: { holder: '', leaseDuration: O.some(1_000) },
    });
    const s5 = step(
      me,
      s4.state,
      { _tag: 'WriteAnswered', seq: seqOf(s4), outcome: { _tag: 'Written', resourceVersion: '3' } },
      T0 + 2_501,
    );
    expect(s5.state).toEqual({ _tag: 'Ended', end: { _tag: 'Stopped' } });
  });

  it('gives up a request after the request timeout and ignores its late answer', () => {
    const s0 = start(me, T0);
    const late = step(me, s0.state, { _tag: 'TimerFired' }, T0 + 10_000);
    // Counted as failed: the next read comes a retry period later.
    expect(late.commands).toEqual([{ _tag: 'SetTimer', at: T0 + 12_000 }]);
    const stale = step(me, late.state, { _tag: 'LeaseRead', seq: seqOf(s0), lease: O.none }, T0 + 10_001);
    expect(stale.commands).toEqual([{ _tag: 'SetTimer', at: T0 + 12_000 }]);
    expect(stale.state).toEqual(late.state);
  });
});
