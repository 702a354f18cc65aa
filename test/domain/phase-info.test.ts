// PhaseInfo: Flyte's constructor table, immutability, the cleanup-keeping version change, and the codec round trip.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as _ from '../../src/domain/phase-info.js';
import { arbPhaseInfo, arbTaskInfo } from '../../src/testing/arbitraries.js';

const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z

describe('PhaseInfo constructors', () => {
  it.each([
    ['notReady', _.notReady(T, 2, 'r'), 'NotReady', 2, 'r', undefined, false],
    [
      'waitingForResources',
      _.waitingForResources(T, 1, 'quota'),
      'WaitingForResources',
      1,
      'quota',
      undefined,
      false,
    ],
    [
      'queued',
      _.queued(T, 0, 'task submitted to K8s'),
      'Queued',
      0,
      'task submitted to K8s',
      undefined,
      false,
    ],
    ['initializing', _.initializing(T, 3, 'pulling'), 'Initializing', 3, 'pulling', undefined, false],
    ['running', _.running(1), 'Running', 1, '', undefined, false],
    ['success', _.success(), 'Success', 0, '', undefined, false],
    ['aborted', _.aborted(T, 0, 'by user'), 'Aborted', 0, 'by user', undefined, false],
    ['waitingForCache', _.waitingForCache(4), 'WaitingForCache', 4, '', undefined, false],
    ['failure', _.failure('C', 'm'), 'PermanentFailure', 0, '', 'USER', false],
    ['failureWithCleanup', _.failureWithCleanup('C', 'm'), 'PermanentFailure', 0, '', 'USER', true],
    ['retryableFailure', _.retryableFailure('C', 'm'), 'RetryableFailure', 0, '', 'USER', false],
    [
      'retryableFailureWithCleanup',
      _.retryableFailureWithCleanup('C', 'm'),
      'RetryableFailure',
      0,
      '',
      'USER',
      true,
    ],
    ['systemFailure', _.systemFailure('C', 'm'), 'PermanentFailure', 0, '', 'SYSTEM', false],
    [
      'systemFailureWithCleanup',
      _.systemFailureWithCleanup('C', 'm'),
      'PermanentFailure',
      0,
      '',
      'SYSTEM',
      true,
    ],
    [
      'systemRetryableFailure',
      _.systemRetryableFailure('C', 'm'),
      'RetryableFailure',
      0,
      '',
      'SYSTEM',
      false,
    ],
    [
      'systemRetryableFailureWithCleanup',
      _.systemRetryableFailureWithCleanup('C', 'm'),
      'RetryableFailure',
      0,
      '',
      'SYSTEM',
      true,
    ],
  ] as const)('%s', (_name, pi, phase, version, reason, kind, cleanup) => {
    expect(pi.phase).toBe(phase);
    expect(pi.version).toBe(version);
    expect(pi.reason).toBe(reason);
    expect(pi.error?.kind).toBe(kind);
    if (kind !== undefined) expect(pi.error).toEqual({ code: 'C', kind, message: 'm' });
    expect(pi.cleanupOnFailure).toBe(cleanup);
  });

  it('sets occurredAt from the given time only when the info has none', () => {
    expect(_.queued(T, 0, 'q').info.occurredAt).toBe(T);
    expect(_.queued(T, 0, 'q', { occurredAt: 5 }).info.occurredAt).toBe(5);
    expect(_.running(0).info.occurredAt).toBeUndefined();
    expect(_.undefinedPhase).toMatchObject({ phase: 'Undefined', version: 0, reason: '' });
  });

  test.prop([arbTaskInfo])('constructors never mutate the info they are given', (info) => {
    const frozen = structuredClone(info);
    const without = { ...info };
    delete (without as { occurredAt?: number }).occurredAt;
    const copy = structuredClone(without);
    _.queued(T, 0, 'x', without);
    _.initializing(T, 0, 'x', without);
    _.retryableFailure('C', 'm', info);
    expect(without).toEqual(copy);
    expect(info).toEqual(frozen);
  });
});

describe('PhaseInfo combinators', () => {
  test.prop([arbPhaseInfo, fc.nat()])(
    'withVersion keeps everything but the version (incl. cleanupOnFailure)',
    (pi, v) => {
      const before = structuredClone(pi);
      const out = _.withVersion(v)(pi);
      expect(out).toEqual({ ...before, version: v });
      expect(pi).toEqual(before);
    },
  );

  it('withReason joins with ", " and ignores empty additions', () => {
    const pi = _.queued(T, 0, 'a');
    expect(_.withReason('b')(pi).reason).toBe('a, b');
    expect(_.withReason('')(pi)).toBe(pi);
    expect(_.withReason('b')(_.running(0)).reason).toBe('b');
    expect(pi.reason).toBe('a');
  });

  it('bumpVersion follows MaybeUpdatePhaseVersion and the manager floor', () => {
    const prev = { phase: 'Initializing' as const, version: 3, reason: 'old' };
    expect(_.bumpVersion(prev)(_.initializing(T, 0, 'new')).version).toBe(4);
    expect(_.bumpVersion(prev)(_.initializing(T, 0, 'old')).version).toBe(3);
    expect(_.bumpVersion(prev)(_.initializing(T, 7, 'new')).version).toBe(7);
    expect(_.bumpVersion(prev)(_.running(0)).version).toBe(0);
    expect(_.bumpVersion(undefined)(_.running(1)).version).toBe(1);
  });

  test.prop([arbPhaseInfo, arbPhaseInfo])(
    'bumpVersion never lowers the version within a phase',
    (prevPi, pi) => {
      const prev = _.pluginStateOf(prevPi);
      const out = _.bumpVersion(prev)(pi);
      if (out.phase === prev.phase) expect(out.version).toBeGreaterThanOrEqual(prev.version);
      expect(out.cleanupOnFailure).toBe(pi.cleanupOnFailure);
    },
  );

  test.prop([arbPhaseInfo])('the codec round-trips every PhaseInfo through JSON', (pi) => {
    const back = _.PhaseInfoC.decode(JSON.parse(JSON.stringify(_.PhaseInfoC.encode(pi))));
    expect(back).toEqual(E.right(pi));
  });

  test.prop([fc.anything()])('decoding anything never throws', (u) => {
    expect(() => _.PhaseInfoC.decode(u)).not.toThrow();
  });

  it('shows like Flyte', () => {
    expect(_.show(_.queued(T, 1, 'r'))).toBe('Phase<Queued:1 Info<@2026-01-01T00:00:00.000Z> Reason:r>');
    expect(_.show(_.retryableFailure('OOMKilled', 'boom'))).toBe(
      'Phase<RetryableFailure:0 Error:USER/OOMKilled: boom>',
    );
    expect(_.gracePeriodExceeded(180_000, 'x')).toBe('Grace period [3m0s] exceeded|x');
  });

  it('prints the explain/run JSON shape', () => {
    expect(
      _.toJson(_.systemRetryableFailureWithCleanup('PodPendingTimeout', 'm', { occurredAt: T })),
    ).toEqual({
      phase: 'RetryableFailure',
      version: 0,
      reason: '',
      error: { code: 'PodPendingTimeout', kind: 'SYSTEM', message: 'm' },
      cleanupOnFailure: true,
      info: { occurredAt: '2026-01-01T00:00:00.000Z', logs: [], additionalReasons: [] },
    });
  });
});
